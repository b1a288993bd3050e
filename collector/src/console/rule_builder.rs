//! The rule builder's markup, shared by the editors of rules (a block's audience, a
//! segment): its rows as nested groups and conditions over the real fact list, with
//! buttons that add and remove rows; and what "who would see this?" and the rule
//! tester found.

use maud::{Markup, html};

use crate::console::form_parts::{Control, id_of, step_button};
use crate::console::rule_checks::TEST_PERSON;
use crate::editing::fields::Problems;
use crate::editing::rule::{GroupKind, Node, OPS, RuleRows};
use crate::personalize::reach::{Explained, Reach, WINDOW_DAYS};

/// Facts offered to audience rules: the profile's, the visit's and the page's.
pub const PAGE_FACTS: &[&str] = &[
    "page.path",
    "page.url",
    "page.referrer",
    "page.utm_source",
    "page.utm_medium",
    "page.utm_campaign",
    "page.utm_term",
    "page.utm_content",
    "page.channel",
];

/// The builder for the rows posted under `prefix`, offering `facts` (names ending in
/// `.` are families, offered as their prefix).
pub fn builder(prefix: &str, rows: &RuleRows, facts: &[&str], problems: &Problems) -> Markup {
    let list_id = format!("{}-facts", id_of(prefix));
    html! {
        datalist id=(list_id) {
            @for fact in facts { option value=(fact) {} }
        }
        ol.rule-rows {
            @for (index, row) in rows.rows.iter().enumerate() {
                li class={ "rule-row depth-" (row.depth.min(8)) } {
                    input type="hidden" name={ (prefix) "." (index) ".depth" } value=(row.depth);
                    @match &row.node {
                        Node::Group(kind) => (group_row(prefix, index, *kind)),
                        Node::Condition { fact, op, value } => {
                            (condition_row(prefix, index, (fact, op, value), &list_id, problems))
                        }
                    }
                }
            }
        }
    }
}

/// A rule being edited with what was found about it.
pub struct Checked<'a> {
    pub prefix: &'a str,
    pub rows: &'a RuleRows,
    pub facts: &'a [&'a str],
    pub problems: &'a Problems,
    pub reach: Option<&'a Reach>,
    pub test_person: &'a str,
    pub tested: Option<(&'a str, Option<&'a Explained>)>,
}

/// The builder with its problem, "Who would see this?" and the tester, and what they
/// found.
pub fn checked_builder(rule: &Checked<'_>) -> Markup {
    html! {
        @if let Some(problem) = rule.problems.at(rule.prefix) {
            p.field-problem role="alert" { (problem) }
        }
        (builder(rule.prefix, rule.rows, rule.facts, rule.problems))
        div.action-row {
            (step_button("reach", "Who would see this?", ""))
        }
        @if let Some(counted) = rule.reach { (reach(counted)) }
        div.tester {
            (Control::new(TEST_PERSON, "Test against one person (email or id)", rule.problems).text(rule.test_person))
            (step_button("test", "Test", "the rule against this person"))
        }
        @if let Some((who, explained)) = rule.tested { (tested(who, explained)) }
    }
}

fn group_row(prefix: &str, index: usize, kind: GroupKind) -> Markup {
    let name = format!("{prefix}.{index}.kind");
    let id = id_of(&name);
    let which = if index == 0 { "the rule".to_owned() } else { format!("group {index}") };
    html! {
        div.rule-group {
            label for=(id) { @if index == 0 { "Matches when" } @else { "Group: when" } }
            select id=(id) name=(name) {
                @for option in GroupKind::ALL {
                    option value=(option.as_str()) selected[option == kind] { (option.label()) }
                }
            }
            span.muted { "hold" }
            (step_button(&format!("rule-add-condition:{index}"), "Add condition", &format!("to {which}")))
            (step_button(&format!("rule-add-group:{index}"), "Add group", &format!("to {which}")))
            @if index > 0 {
                (step_button(&format!("rule-remove:{index}"), "Remove group", &format!("{index}")))
            }
        }
    }
}

fn condition_row(
    prefix: &str,
    index: usize,
    (fact, op, value): (&str, &str, &str),
    list_id: &str,
    problems: &Problems,
) -> Markup {
    let field = |part: &str| format!("{prefix}.{index}.{part}");
    let (fact_name, op_name, value_name) = (field("fact"), field("op"), field("value"));
    let flagged = !fact.is_empty()
        && problems.at(prefix).is_some_and(|problem| problem.ends_with(&format!(": {fact}")));
    html! {
        div.rule-condition.flagged[flagged] {
            input type="hidden" name=(field("kind")) value="condition";
            span.field {
                label for=(id_of(&fact_name)) { "Fact" span.visually-hidden { " of condition " (index) } }
                input id=(id_of(&fact_name)) type="text" name=(fact_name) value=(fact) list=(list_id)
                    autocomplete="off" spellcheck="false" aria-invalid=[flagged.then_some("true")];
            }
            span.field {
                label for=(id_of(&op_name)) { "Test" span.visually-hidden { " of condition " (index) } }
                select id=(id_of(&op_name)) name=(op_name) {
                    @for (name, label) in OPS {
                        option value=(name) selected[*name == op] { (label) }
                    }
                }
            }
            span.field {
                label for=(id_of(&value_name)) { "Value" span.visually-hidden { " of condition " (index) } }
                input id=(id_of(&value_name)) type="text" name=(value_name) value=(value)
                    autocomplete="off" spellcheck="false";
            }
            (step_button(&format!("rule-remove:{index}"), "Remove", &format!("condition {index}")))
        }
    }
}

/// How many visitors and leads the rule matched.
pub fn reach(reach: &Reach) -> Markup {
    html! {
        div.card.reach role="status" #reach {
            h3 { "Who would see this" }
            p {
                strong { (reach.matching_visitors) } " of " (reach.visitors) " visitors ("
                (percent(reach.matching_visitors, reach.visitors)) ") and "
                strong { (reach.matching_leads) } " of " (reach.leads) " leads ("
                (percent(reach.matching_leads, reach.leads)) ") active in the last "
                (WINDOW_DAYS) " days match."
            }
            @if !reach.complete {
                p.muted { "Counted over the most recently active " (reach.visitors) " visitors only." }
            }
            @if !reach.unknown_facts.is_empty() {
                p.muted {
                    "A stored profile does not keep " (reach.unknown_facts.join(", "))
                    ": they are judged as unknown here, so the count may be lower or higher than on real pages."
                }
            }
        }
    }
}

fn percent(part: u64, whole: u64) -> String {
    if whole == 0 {
        return "—".to_owned();
    }
    let tenths = (part * 1000 + whole / 2) / whole;
    format!("{}.{} %", tenths / 10, tenths % 10)
}

/// Why the rule matched one person or not.
pub fn tested(person: &str, explained: Option<&Explained>) -> Markup {
    html! {
        div.card.tested role="status" #tested {
            h3 { "Tested against " (person) }
            @match explained {
                None => p { "Everyone matches: the rule is empty." },
                Some(explained) => {
                    p {
                        @if explained.holds() { span.badge.ok { "Matches" } } @else { span.badge { "Does not match" } }
                    }
                    (explanation(explained))
                }
            }
        }
    }
}

fn explanation(explained: &Explained) -> Markup {
    html! {
        @match explained {
            Explained::Group { group, holds, parts } => {
                div.explained {
                    (mark(*holds)) " " (group_text(group)) ":"
                    ul.plain { @for part in parts { li { (explanation(part)) } } }
                }
            }
            Explained::Condition { fact, op, value, actual, holds } => {
                span { (mark(*holds)) " " code { (fact) } " " (op_text(op)) " " code { (value) }
                    span.muted { " — this person: " code { (actual) } } }
            }
        }
    }
}

fn mark(holds: bool) -> Markup {
    html! {
        @if holds { span.badge.ok { "holds" } } @else { span.badge { "fails" } }
    }
}

fn group_text(group: &str) -> &'static str {
    match group {
        "all" => "all of these",
        "any" => "any of these",
        _ => "not this",
    }
}

fn op_text(op: &str) -> &'static str {
    OPS.iter().find(|(name, _)| *name == op).map_or("?", |(_, label)| label)
}
