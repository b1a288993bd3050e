//! Rules: the targeting and segment language, a small tree of `all` / `any` / `not`
//! over conditions on named facts, written in JSON or YAML, and its evaluator.
//!
//! ```json
//! {"all": [{"fact": "visits", "op": "gte", "value": 3},
//!          {"not": {"fact": "first_touch.channel", "op": "in", "value": ["paid_search", "paid_social"]}},
//!          {"any": [{"fact": "pages", "op": "matches", "value": "/pricing*"},
//!                   {"fact": "trait.role", "op": "exists"}]}]}
//! ```
//!
//! The same rule decides in the widget (wasm) and in the collector, so this module
//! stays free of `core::fmt`: nothing here formats numbers or debug output.
//!
//! A rule is one of `{"all": [..]}` (true when every part holds; empty: true),
//! `{"any": [..]}` (true when one part holds; empty: false), `{"not": {..}}`, or a
//! condition `{"fact", "op", "value"}`. A map mixing these keys, or with any other
//! key, is refused when parsing.
//!
//! Facts come from a [`Facts`] source (a profile, a page, a test map); an unknown fact
//! is [`Value::Null`]. Operators, with `fact op value`:
//!
//! - `eq` / `ne`: text compares ASCII case-insensitively, numbers numerically, booleans
//!   as such; values of different types are never equal (no `"3"` = `3` coercion). A
//!   list fact is `eq` when it contains an equal element (or equals the whole list).
//!   `ne` is exactly "not `eq`".
//! - `gt`, `gte`, `lt`, `lte`: numbers only; false for anything else (lists included).
//! - `in` / `not_in`: the value is a list; true when the fact equals (as `eq`) one of
//!   its elements; a list fact needs one element in common. A single value is taken as
//!   a list of one. `not_in` is exactly "not `in`".
//! - `contains`: a text fact contains the text value (case-insensitive), or a list fact
//!   contains an element equal to the value.
//! - `starts_with`, `ends_with`: text, case-insensitive.
//! - `matches`: a glob on text, case-insensitive: `*` is any run of characters
//!   (possibly empty), `?` exactly one character, everything else itself; no escapes
//!   ([`glob_match`]). `"/blog/*"` matches `"/blog/post"`.
//! - `exists` / `missing`: the fact is not / is null; these take no value.
//!
//! The text operators (`contains` on text, `starts_with`, `ends_with`, `matches`) on a
//! list fact hold when any text element satisfies them: `pages matches "/pricing*"`
//! means "saw a pricing page".
//!
//! A null (unknown) fact makes every operator false except `ne`, `not_in` and
//! `missing`, which are then true.
//!
//! [`Rule::validate`] checks a rule against the fact names a caller knows and that each
//! value suits its operator, so configuration typos are refused when loaded.

//!
//! The types and their evaluation are in [`types`], the operators in [`ops`], reading
//! rules from configuration in [`parse`].

mod ops;
mod parse;
mod types;

pub use ops::glob_match;
pub use types::{Condition, Facts, Op, Rule, RuleError, Value};

#[cfg(test)]
mod tests {
    use alloc::boxed::Box;
    use alloc::collections::BTreeMap;
    use alloc::string::String;

    use super::*;
    use crate::wire::PropValue;
    use std::string::ToString;
    use std::vec;

    fn facts(pairs: &[(&str, Value)]) -> BTreeMap<String, Value> {
        pairs.iter().map(|(name, value)| (name.to_string(), value.clone())).collect()
    }

    fn text(value: &str) -> Value {
        Value::Text(value.to_string())
    }

    fn list(values: &[Value]) -> Value {
        Value::List(values.to_vec())
    }

    fn texts(values: &[&str]) -> Value {
        Value::List(values.iter().map(|value| text(value)).collect())
    }

    fn condition(fact: &str, op: Op, value: Value) -> Rule {
        Rule::Condition(Condition { fact: fact.to_string(), op, value })
    }

    fn parse(json: &str) -> Rule {
        serde_json::from_str(json).expect("rule parses")
    }

    fn holds(op: Op, fact: &Value, operand: &Value) -> bool {
        op.holds(fact, operand)
    }

    #[test]
    fn eq_and_ne_compare_by_type() {
        assert!(holds(Op::Eq, &text("Growth"), &text("gROWTH")));
        assert!(holds(Op::Eq, &Value::Number(3.0), &Value::Number(3.0)));
        assert!(holds(Op::Eq, &Value::Bool(true), &Value::Bool(true)));
        assert!(!holds(Op::Eq, &Value::Bool(true), &Value::Bool(false)));
        assert!(!holds(Op::Eq, &text("3"), &Value::Number(3.0)), "no coercion");
        assert!(!holds(Op::Eq, &Value::Number(1.0), &Value::Bool(true)));
        assert!(!holds(Op::Eq, &Value::Number(f64::NAN), &Value::Number(f64::NAN)));
        assert!(!holds(Op::Eq, &text("growth"), &text("growth ")));
        assert!(holds(Op::Ne, &text("a"), &text("b")));
        assert!(!holds(Op::Ne, &text("A"), &text("a")));
        assert!(holds(Op::Ne, &text("3"), &Value::Number(3.0)));
    }

    #[test]
    fn eq_on_a_list_fact_means_contains_an_equal_element() {
        let topics = texts(&["blog", "Docs"]);
        assert!(holds(Op::Eq, &topics, &text("docs")));
        assert!(!holds(Op::Eq, &topics, &text("pricing")));
        assert!(holds(Op::Ne, &topics, &text("pricing")));
        assert!(holds(Op::Eq, &topics, &texts(&["BLOG", "docs"])), "the whole list");
        assert!(!holds(Op::Eq, &topics, &texts(&["blog"])));
        assert!(!holds(Op::Eq, &list(&[]), &text("x")));
    }

    #[test]
    fn ordering_ops_compare_numbers_only() {
        let three = Value::Number(3.0);
        for (op, operand, expected) in [
            (Op::Gt, 2.0, true),
            (Op::Gt, 3.0, false),
            (Op::Gte, 3.0, true),
            (Op::Gte, 3.5, false),
            (Op::Lt, 4.0, true),
            (Op::Lt, 3.0, false),
            (Op::Lte, 3.0, true),
            (Op::Lte, 2.5, false),
        ] {
            assert_eq!(holds(op, &three, &Value::Number(operand)), expected, "{op:?} {operand}");
        }
        for op in [Op::Gt, Op::Gte, Op::Lt, Op::Lte] {
            assert!(!holds(op, &text("5"), &Value::Number(1.0)), "{op:?} on text");
            assert!(!holds(op, &Value::Number(5.0), &text("1")), "{op:?} with text");
            assert!(!holds(op, &list(&[Value::Number(5.0)]), &Value::Number(1.0)), "{op:?} list");
            assert!(!holds(op, &Value::Bool(true), &Value::Bool(false)), "{op:?} bools");
            assert!(!holds(op, &Value::Number(f64::NAN), &Value::Number(1.0)), "{op:?} NaN");
        }
        assert!(holds(Op::Gte, &Value::Number(-0.0), &Value::Number(0.0)));
    }

    #[test]
    fn in_and_not_in_use_eq_on_each_element() {
        let channels = texts(&["paid_search", "Paid_Social"]);
        assert!(holds(Op::In, &text("PAID_SEARCH"), &channels));
        assert!(holds(Op::In, &text("paid_social"), &channels));
        assert!(!holds(Op::In, &text("email"), &channels));
        assert!(holds(Op::NotIn, &text("email"), &channels));
        assert!(!holds(Op::NotIn, &text("paid_search"), &channels));
        let sizes = list(&[Value::Number(1.0), Value::Number(2.0)]);
        assert!(holds(Op::In, &Value::Number(2.0), &sizes));
        assert!(!holds(Op::In, &text("2"), &sizes));
        // A list fact needs one element in common.
        assert!(holds(Op::In, &texts(&["x", "paid_social"]), &channels));
        assert!(!holds(Op::In, &texts(&["x", "y"]), &channels));
        assert!(holds(Op::NotIn, &texts(&["x", "y"]), &channels));
        assert!(!holds(Op::In, &list(&[]), &channels));
        // An empty list holds nothing; a single value is a list of one.
        assert!(!holds(Op::In, &text("a"), &list(&[])));
        assert!(holds(Op::NotIn, &text("a"), &list(&[])));
        assert!(holds(Op::In, &text("a"), &text("A")));
    }

    #[test]
    fn contains_searches_text_or_lists() {
        assert!(holds(Op::Contains, &text("Head of Marketing"), &text("MARKET")));
        assert!(holds(Op::Contains, &text("abc"), &text("")));
        assert!(!holds(Op::Contains, &text("abc"), &text("abcd")));
        assert!(!holds(Op::Contains, &text(""), &text("a")));
        assert!(holds(Op::Contains, &texts(&["blog", "docs"]), &text("DOCS")));
        assert!(!holds(Op::Contains, &texts(&["blog", "docs"]), &text("pricing")));
        assert!(holds(Op::Contains, &list(&[Value::Number(7.0)]), &Value::Number(7.0)));
        assert!(!holds(Op::Contains, &Value::Number(17.0), &Value::Number(7.0)));
        assert!(!holds(Op::Contains, &text("17"), &Value::Number(7.0)));
        // Text elements of a list are searched too.
        assert!(holds(Op::Contains, &texts(&["/blog/rust"]), &text("rust")));
    }

    #[test]
    fn starts_and_ends_with_ignore_ascii_case() {
        assert!(holds(Op::StartsWith, &text("/Blog/post"), &text("/blog")));
        assert!(!holds(Op::StartsWith, &text("/blo"), &text("/blog")));
        assert!(holds(Op::StartsWith, &text("x"), &text("")));
        assert!(holds(Op::EndsWith, &text("report.PDF"), &text(".pdf")));
        assert!(!holds(Op::EndsWith, &text("pdf"), &text(".pdf")));
        assert!(holds(Op::EndsWith, &texts(&["/a", "/b.pdf"]), &text(".pdf")));
        assert!(!holds(Op::StartsWith, &Value::Number(12.0), &text("1")));
        assert!(!holds(Op::StartsWith, &text("1"), &Value::Number(1.0)));
        // Multi-byte text: slicing at a non-boundary must not panic.
        assert!(!holds(Op::StartsWith, &text("żółw"), &text("z")));
        assert!(holds(Op::StartsWith, &text("żółw"), &text("żó")));
        assert!(!holds(Op::EndsWith, &text("żółw"), &text("xw")));
    }

    #[test]
    fn matches_is_a_case_insensitive_glob() {
        assert!(holds(Op::Matches, &text("/Blog/Post-1"), &text("/blog/*")));
        assert!(!holds(Op::Matches, &text("/blogs"), &text("/blog/*")));
        assert!(holds(Op::Matches, &texts(&["/", "/pricing/teams"]), &text("/pricing*")));
        assert!(!holds(Op::Matches, &texts(&["/", "/about"]), &text("/pricing*")));
        assert!(!holds(Op::Matches, &Value::Number(1.0), &text("*")));
    }

    #[test]
    fn exists_and_missing_look_at_null_only() {
        for present in [text(""), Value::Bool(false), Value::Number(0.0), list(&[])] {
            assert!(holds(Op::Exists, &present, &Value::Null), "{present:?}");
            assert!(!holds(Op::Missing, &present, &Value::Null), "{present:?}");
        }
        assert!(!holds(Op::Exists, &Value::Null, &Value::Null));
        assert!(holds(Op::Missing, &Value::Null, &Value::Null));
    }

    #[test]
    fn a_null_fact_is_false_except_for_ne_not_in_and_missing() {
        let operand_for = |op: Op| match op {
            Op::In | Op::NotIn => texts(&["a"]),
            Op::Gt | Op::Gte | Op::Lt | Op::Lte => Value::Number(0.0),
            Op::Exists | Op::Missing => Value::Null,
            _ => text(""),
        };
        for op in [
            Op::Eq,
            Op::Ne,
            Op::Gt,
            Op::Gte,
            Op::Lt,
            Op::Lte,
            Op::In,
            Op::NotIn,
            Op::Contains,
            Op::StartsWith,
            Op::EndsWith,
            Op::Matches,
            Op::Exists,
            Op::Missing,
        ] {
            let expected = matches!(op, Op::Ne | Op::NotIn | Op::Missing);
            assert_eq!(holds(op, &Value::Null, &operand_for(op)), expected, "{op:?}");
            // Even a null operand does not make a null fact equal.
            if op == Op::Eq {
                assert!(!holds(op, &Value::Null, &Value::Null));
            }
        }
        let rule = condition("unknown", Op::Ne, text("x"));
        assert!(rule.evaluate(&facts(&[])));
    }

    #[test]
    fn groups_nest_and_empty_groups_have_fixed_values() {
        let visitor = facts(&[
            ("visits", Value::Number(4.0)),
            ("first_touch.channel", text("email")),
            ("pages", texts(&["/", "/pricing"])),
        ]);
        let rule = parse(
            r#"{"all": [
                {"fact": "visits", "op": "gte", "value": 3},
                {"not": {"fact": "first_touch.channel", "op": "in", "value": ["paid_search", "paid_social"]}},
                {"any": [{"fact": "pages", "op": "matches", "value": "/pricing*"},
                         {"fact": "trait.role", "op": "exists"}]}
            ]}"#,
        );
        assert!(rule.evaluate(&visitor));
        let paid = facts(&[
            ("visits", Value::Number(4.0)),
            ("first_touch.channel", text("Paid_Search")),
            ("pages", texts(&["/pricing"])),
        ]);
        assert!(!rule.evaluate(&paid));
        let no_pricing = facts(&[("visits", Value::Number(9.0)), ("pages", texts(&["/"]))]);
        assert!(!rule.evaluate(&no_pricing));
        let with_role = facts(&[("visits", Value::Number(9.0)), ("trait.role", text("cto"))]);
        assert!(rule.evaluate(&with_role));

        assert!(Rule::All { all: vec![] }.evaluate(&visitor));
        assert!(!Rule::Any { any: vec![] }.evaluate(&visitor));
        assert!(!Rule::Not { not: Box::new(Rule::All { all: vec![] }) }.evaluate(&visitor));
        let double_not = Rule::Not { not: Box::new(Rule::Not { not: Box::new(rule.clone()) }) };
        assert_eq!(double_not.evaluate(&visitor), rule.evaluate(&visitor));
        assert_eq!(double_not.evaluate(&paid), rule.evaluate(&paid));
    }

    #[test]
    fn layered_facts_fall_back_to_the_second_source() {
        let aggregates = facts(&[("visits", Value::Number(2.0))]);
        let traits = facts(&[("visits", Value::Number(99.0)), ("trait.role", text("cto"))]);
        let both = (aggregates, traits);
        assert_eq!(both.fact("visits"), Value::Number(2.0));
        assert_eq!(both.fact("trait.role"), text("cto"));
        assert_eq!(both.fact("nothing"), Value::Null);
    }

    #[test]
    fn facts_lists_each_name_once_in_order() {
        let rule = parse(
            r#"{"any": [{"fact": "b", "op": "exists"},
                        {"all": [{"fact": "a", "op": "eq", "value": 1}, {"not": {"fact": "b", "op": "missing"}}]},
                        {"fact": "c", "op": "eq", "value": true}]}"#,
        );
        assert_eq!(rule.facts(), vec!["b", "a", "c"]);
        assert!(Rule::All { all: vec![] }.facts().is_empty());
    }

    #[test]
    fn validate_refuses_unknown_facts_and_accepts_families() {
        let known = ["visits", "pages", "trait."];
        assert_eq!(parse(r#"{"fact": "visits", "op": "gt", "value": 1}"#).validate(&known), Ok(()));
        assert_eq!(parse(r#"{"fact": "trait.role", "op": "exists"}"#).validate(&known), Ok(()));
        let typo = parse(
            r#"{"all": [{"fact": "pages", "op": "exists"}, {"not": {"fact": "vists", "op": "gt", "value": 1}}]}"#,
        );
        let error = typo.validate(&known).expect_err("typo");
        assert_eq!(error, RuleError::UnknownFact("vists".to_string()));
        assert_eq!(error.fact(), "vists");
        assert_eq!(error.message(), "unknown fact");
        for unknown in ["trait.", "trait", "traits.role", "Visits", "visits.x"] {
            let rule = condition(unknown, Op::Exists, Value::Null);
            assert_eq!(rule.validate(&known), Err(RuleError::UnknownFact(unknown.to_string())));
        }
    }

    #[test]
    fn validate_refuses_values_that_do_not_suit_the_operator() {
        let known = ["x"];
        for (op, value) in [
            (Op::Eq, Value::Null),
            (Op::Ne, Value::Null),
            (Op::Gte, text("3")),
            (Op::Lt, Value::Null),
            (Op::In, text("a")),
            (Op::NotIn, Value::Number(1.0)),
            (Op::Contains, texts(&["a"])),
            (Op::Contains, Value::Null),
            (Op::StartsWith, Value::Number(1.0)),
            (Op::EndsWith, Value::Null),
            (Op::Matches, texts(&["*"])),
            (Op::Exists, Value::Bool(false)),
            (Op::Missing, text("")),
        ] {
            let error = condition("x", op, value.clone()).validate(&known).expect_err("refused");
            assert_eq!(
                error,
                RuleError::BadValue { fact: "x".to_string(), op },
                "{op:?} {value:?}"
            );
            assert_eq!(error.message(), "the value does not suit the operator");
        }
        for (op, value) in [
            (Op::Eq, texts(&["a"])),
            (Op::Ne, Value::Bool(false)),
            (Op::Gt, Value::Number(1.0)),
            (Op::In, list(&[])),
            (Op::Contains, Value::Number(1.0)),
            (Op::Matches, text("/a/*")),
            (Op::Exists, Value::Null),
        ] {
            assert_eq!(
                condition("x", op, value.clone()).validate(&known),
                Ok(()),
                "{op:?} {value:?}"
            );
        }
    }

    #[test]
    fn parses_every_shape_and_operator_name() {
        assert_eq!(parse(r#"{"all": []}"#), Rule::All { all: vec![] });
        assert_eq!(parse(r#"{"any": []}"#), Rule::Any { any: vec![] });
        assert_eq!(
            parse(r#"{"not": {"fact": "a", "op": "missing"}}"#),
            Rule::Not { not: Box::new(condition("a", Op::Missing, Value::Null)) }
        );
        assert_eq!(
            parse(r#"{"value": [1, "x", true, null, [2.5]], "op": "in", "fact": "a"}"#),
            condition(
                "a",
                Op::In,
                list(&[
                    Value::Number(1.0),
                    text("x"),
                    Value::Bool(true),
                    Value::Null,
                    list(&[Value::Number(2.5)])
                ])
            )
        );
        assert_eq!(
            parse(r#"{"fact": "a", "op": "exists", "value": null}"#),
            condition("a", Op::Exists, Value::Null)
        );
        assert_eq!(
            parse(r#"{"fact": "a", "op": "gte", "value": -3}"#),
            condition("a", Op::Gte, Value::Number(-3.0))
        );
        for (name, op) in [
            ("eq", Op::Eq),
            ("ne", Op::Ne),
            ("gt", Op::Gt),
            ("gte", Op::Gte),
            ("lt", Op::Lt),
            ("lte", Op::Lte),
            ("in", Op::In),
            ("not_in", Op::NotIn),
            ("contains", Op::Contains),
            ("starts_with", Op::StartsWith),
            ("ends_with", Op::EndsWith),
            ("matches", Op::Matches),
            ("exists", Op::Exists),
            ("missing", Op::Missing),
        ] {
            assert_eq!(op.as_str(), name);
            let json = std::format!(r#"{{"fact": "a", "op": "{name}"}}"#);
            assert_eq!(parse(&json), condition("a", op, Value::Null), "{name}");
            assert_eq!(serde_json::to_value(op).expect("serializes"), name);
        }
    }

    #[test]
    fn refuses_malformed_rules_with_a_useful_message() {
        for (json, expected) in [
            (r#"{"all": [], "any": []}"#, "exactly one of"),
            (r#"{"all": [], "fact": "a"}"#, "exactly one of"),
            (r#"{"not": {"all": []}, "value": 1}"#, "exactly one of"),
            (r#"{"fact": "a", "op": "eq", "vaule": 1}"#, "unknown field `vaule`"),
            (r#"{"fact": "a", "value": 1}"#, "missing field `op`"),
            (r#"{"op": "eq", "value": 1}"#, "missing field `fact`"),
            (r#"{}"#, "missing field `fact`"),
            (r#"{"fact": "a", "op": "equals", "value": 1}"#, "unknown variant `equals`"),
            (r#"{"fact": "a", "fact": "b", "op": "exists"}"#, "duplicate field `fact`"),
            (
                r#"{"fact": "a", "op": "eq", "value": {"x": 1}}"#,
                "null, a boolean, a number, text or a list",
            ),
            (r#"{"all": {"fact": "a", "op": "exists"}}"#, "invalid type"),
            (r#"{"all": [{"fact": "a", "op": "exists", "extra": 1}]}"#, "unknown field `extra`"),
            (r#"["fact", "a"]"#, "a rule"),
            (r#""visits > 3""#, "a rule"),
        ] {
            let error = serde_json::from_str::<Rule>(json).expect_err(json).to_string();
            assert!(error.contains(expected), "{json}: {error}");
        }
    }

    #[test]
    fn round_trips_through_json() {
        let json = r#"{"all": [
            {"fact": "visits", "op": "gte", "value": 3},
            {"any": [{"fact": "pages", "op": "matches", "value": "/pricing*"},
                     {"not": {"fact": "trait.role", "op": "missing"}},
                     {"fact": "topics", "op": "in", "value": ["blog", 2, false, null, []]}]},
            {"fact": "trait.beta", "op": "eq", "value": true}
        ]}"#;
        let rule = parse(json);
        let written = serde_json::to_string(&rule).expect("serializes");
        assert_eq!(serde_json::from_str::<Rule>(&written).expect("parses again"), rule);
        // The written form is the documented shape; no value for exists/missing.
        let value = serde_json::to_value(&rule).expect("serializes");
        assert_eq!(
            value["all"][0],
            serde_json::json!({"fact": "visits", "op": "gte", "value": 3.0})
        );
        assert_eq!(
            value["all"][1]["any"][1],
            serde_json::json!({"not": {"fact": "trait.role", "op": "missing"}})
        );
        // A YAML-like document (via serde_json's value model) parses the same way.
        let from_value: Rule = serde_json::from_value(serde_json::json!({
            "any": [{"fact": "visits", "op": "gt", "value": 1u8}, {"all": []}]
        }))
        .expect("parses");
        assert_eq!(
            from_value,
            Rule::Any {
                any: vec![
                    condition("visits", Op::Gt, Value::Number(1.0)),
                    Rule::All { all: vec![] }
                ]
            }
        );
    }

    #[test]
    fn conditions_parse_alone_and_refuse_unknown_fields() {
        let parsed: Condition =
            serde_json::from_str(r#"{"fact": "a", "op": "exists"}"#).expect("parses");
        assert_eq!(parsed, Condition { fact: "a".to_string(), op: Op::Exists, value: Value::Null });
        assert!(
            serde_json::from_str::<Condition>(r#"{"fact": "a", "op": "exists", "x": 1}"#).is_err()
        );
    }

    #[test]
    fn values_convert_from_props_and_primitives() {
        assert_eq!(Value::from(&PropValue::Text("a".to_string())), text("a"));
        assert_eq!(Value::from(&PropValue::Number(2.5)), Value::Number(2.5));
        assert_eq!(Value::from(&PropValue::Bool(true)), Value::Bool(true));
        assert_eq!(Value::from(7u32), Value::Number(7.0));
        assert_eq!(Value::from("x"), text("x"));
        assert_eq!(Value::from(vec![Value::Null]).as_text(), None);
        assert_eq!(text("x").as_text(), Some("x"));
        assert_eq!(Value::Number(1.5).as_number(), Some(1.5));
        assert_eq!(Value::default(), Value::Null);
    }

    #[test]
    fn glob_basics() {
        for (pattern, text, expected) in [
            ("", "", true),
            ("", "a", false),
            ("*", "", true),
            ("*", "anything at all", true),
            ("**", "", true),
            ("?", "", false),
            ("?", "a", true),
            ("?", "ab", false),
            ("a?c", "abc", true),
            ("a?c", "ac", false),
            ("/blog/*", "/blog/", true),
            ("/blog/*", "/blog/a/b", true),
            ("/blog/*", "/blog", false),
            ("/pricing*", "/pricing", true),
            ("/pricing*", "/pricing/teams", true),
            ("*pricing", "/en/pricing", true),
            ("*pricing", "/en/pricing/x", false),
            ("a*b*c", "abc", true),
            ("a*b*c", "aXXbYYc", true),
            ("a*b*c", "aXXcYYb", false),
            ("a*b*c", "abcabc", true),
            ("*a", "aaaa", true),
            ("*ab", "aaab", true),
            ("*ab", "aaba", false),
            ("a**b", "ab", true),
            ("*?", "", false),
            ("*?", "x", true),
            ("?*?", "x", false),
            ("/A/*.PDF", "/a/Report.pdf", true),
            ("/docs/v1.0", "/docs/v1x0", false),
            ("[a]", "[a]", true),
            ("[a]", "a", false),
        ] {
            assert_eq!(glob_match(pattern, text), expected, "{pattern:?} on {text:?}");
        }
    }

    #[test]
    fn glob_question_mark_is_one_character_not_one_byte() {
        assert!(glob_match("/?ółw", "/żółw"));
        assert!(glob_match("/????", "/żółw"));
        assert!(!glob_match("/?????", "/żółw"));
        assert!(glob_match("*ł*", "żółw"));
        assert!(glob_match("ŻÓŁW", "ŻÓŁW"));
        // Non-ASCII letters are not case-folded.
        assert!(!glob_match("żółw", "ŻÓŁW"));
        assert!(glob_match("🦀*", "🦀 rust"));
    }

    #[test]
    fn glob_worst_cases_stay_fast() {
        let text = "a".repeat(10_000);
        let pattern = std::format!("{}b", "a*".repeat(50));
        let started = std::time::Instant::now();
        assert!(!glob_match(&pattern, &text));
        assert!(glob_match(&std::format!("{}a", "*a".repeat(50)), &text));
        assert!(started.elapsed() < std::time::Duration::from_secs(5));
    }
}
