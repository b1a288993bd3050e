//! What each operator of a condition tests, and the glob matching `matches` uses.

use crate::rules::types::{Op, Value};

impl Op {
    /// The snake_case name, the same as its serde form.
    pub fn as_str(self) -> &'static str {
        match self {
            Op::Eq => "eq",
            Op::Ne => "ne",
            Op::Gt => "gt",
            Op::Gte => "gte",
            Op::Lt => "lt",
            Op::Lte => "lte",
            Op::In => "in",
            Op::NotIn => "not_in",
            Op::Contains => "contains",
            Op::StartsWith => "starts_with",
            Op::EndsWith => "ends_with",
            Op::Matches => "matches",
            Op::Exists => "exists",
            Op::Missing => "missing",
        }
    }

    /// Whether `fact self operand` holds, with the semantics of the module docs.
    pub fn holds(self, fact: &Value, operand: &Value) -> bool {
        match self {
            Op::Eq => is_equal(fact, operand),
            Op::Ne => !is_equal(fact, operand),
            Op::Gt => compare_numbers(fact, operand, |fact, operand| fact > operand),
            Op::Gte => compare_numbers(fact, operand, |fact, operand| fact >= operand),
            Op::Lt => compare_numbers(fact, operand, |fact, operand| fact < operand),
            Op::Lte => compare_numbers(fact, operand, |fact, operand| fact <= operand),
            Op::In => is_in(fact, operand),
            Op::NotIn => !is_in(fact, operand),
            Op::Contains => contains(fact, operand),
            Op::StartsWith => any_text(fact, operand, starts_with_ignore_case),
            Op::EndsWith => any_text(fact, operand, ends_with_ignore_case),
            Op::Matches => any_text(fact, operand, |text, pattern| glob_match(pattern, text)),
            Op::Exists => !fact.is_null(),
            Op::Missing => fact.is_null(),
        }
    }

    /// Whether `operand` is a value this operator can work with.
    pub(crate) fn accepts(self, operand: &Value) -> bool {
        match self {
            Op::Eq | Op::Ne => !operand.is_null(),
            Op::Gt | Op::Gte | Op::Lt | Op::Lte => matches!(operand, Value::Number(_)),
            Op::In | Op::NotIn => matches!(operand, Value::List(_)),
            Op::Contains => matches!(operand, Value::Bool(_) | Value::Number(_) | Value::Text(_)),
            Op::StartsWith | Op::EndsWith | Op::Matches => matches!(operand, Value::Text(_)),
            Op::Exists | Op::Missing => operand.is_null(),
        }
    }
}

/// `eq`: the same value, or (for a list fact) an element that is.
fn is_equal(fact: &Value, operand: &Value) -> bool {
    match fact {
        Value::Null => false,
        Value::List(items) => same(fact, operand) || items.iter().any(|item| same(item, operand)),
        scalar => same(scalar, operand),
    }
}

/// Equality of two values: text ASCII case-insensitive, lists element by element.
fn same(left: &Value, right: &Value) -> bool {
    match (left, right) {
        (Value::Null, Value::Null) => true,
        (Value::Bool(left), Value::Bool(right)) => left == right,
        (Value::Number(left), Value::Number(right)) => left == right,
        (Value::Text(left), Value::Text(right)) => left.eq_ignore_ascii_case(right),
        (Value::List(left), Value::List(right)) => {
            left.len() == right.len()
                && left.iter().zip(right).all(|(left, right)| same(left, right))
        }
        _ => false,
    }
}

fn compare_numbers(fact: &Value, operand: &Value, test: impl Fn(f64, f64) -> bool) -> bool {
    match (fact, operand) {
        (Value::Number(fact), Value::Number(operand)) => test(*fact, *operand),
        _ => false,
    }
}

/// `in`: the fact (or one of its elements) equals one of the operand's elements.
fn is_in(fact: &Value, operand: &Value) -> bool {
    let options = match operand {
        Value::List(options) => options.as_slice(),
        single => core::slice::from_ref(single),
    };
    match fact {
        Value::Null => false,
        Value::List(items) => {
            items.iter().any(|item| options.iter().any(|option| same(item, option)))
        }
        scalar => options.iter().any(|option| same(scalar, option)),
    }
}

/// `contains`: text in text, or an equal element in a list.
fn contains(fact: &Value, operand: &Value) -> bool {
    match (fact, operand) {
        (Value::Text(text), Value::Text(needle)) => contains_ignore_case(text, needle),
        (Value::List(items), _) => items.iter().any(|item| match (item, operand) {
            (Value::Text(text), Value::Text(needle)) => contains_ignore_case(text, needle),
            _ => same(item, operand),
        }),
        _ => false,
    }
}

/// A text test of a text fact, or of any text element of a list fact.
fn any_text(fact: &Value, operand: &Value, test: impl Fn(&str, &str) -> bool) -> bool {
    let Value::Text(operand) = operand else {
        return false;
    };
    match fact {
        Value::Text(text) => test(text, operand),
        Value::List(items) => {
            items.iter().any(|item| matches!(item, Value::Text(text) if test(text, operand)))
        }
        _ => false,
    }
}

fn contains_ignore_case(text: &str, needle: &str) -> bool {
    needle.is_empty()
        || text
            .as_bytes()
            .windows(needle.len())
            .any(|window| window.eq_ignore_ascii_case(needle.as_bytes()))
}

fn starts_with_ignore_case(text: &str, prefix: &str) -> bool {
    text.as_bytes()
        .get(..prefix.len())
        .is_some_and(|head| head.eq_ignore_ascii_case(prefix.as_bytes()))
}

fn ends_with_ignore_case(text: &str, suffix: &str) -> bool {
    let start = text.len().checked_sub(suffix.len());
    start
        .and_then(|start| text.as_bytes().get(start..))
        .is_some_and(|tail| tail.eq_ignore_ascii_case(suffix.as_bytes()))
}

/// Whether `text` matches the glob `pattern`, ASCII case-insensitively: `*` matches
/// any run of characters (possibly empty), `?` exactly one character (not byte);
/// every other character matches itself. There are no escapes.
///
/// Iterative with single-star backtracking: O(pattern × text) at worst, no recursion.
pub fn glob_match(pattern: &str, text: &str) -> bool {
    let (mut at_pattern, mut at_text) = (0, 0);
    // After the latest `*`: where the pattern resumes and where the text was when the
    // star last tried to stop.
    let mut star: Option<(usize, usize)> = None;
    loop {
        let wanted = pattern.get(at_pattern..).and_then(|rest| rest.chars().next());
        let seen = text.get(at_text..).and_then(|rest| rest.chars().next());
        match (wanted, seen) {
            (None, None) => return true,
            (Some('*'), _) => {
                at_pattern += 1;
                star = Some((at_pattern, at_text));
            }
            (Some(wanted), Some(seen)) if wanted == '?' || wanted.eq_ignore_ascii_case(&seen) => {
                at_pattern += wanted.len_utf8();
                at_text += seen.len_utf8();
            }
            _ => {
                // Mismatch: let the latest star swallow one more character and retry.
                let Some((resume_pattern, star_text)) = star else {
                    return false;
                };
                let Some(swallowed) = text.get(star_text..).and_then(|rest| rest.chars().next())
                else {
                    return false;
                };
                at_pattern = resume_pattern;
                at_text = star_text + swallowed.len_utf8();
                star = Some((resume_pattern, at_text));
            }
        }
    }
}
