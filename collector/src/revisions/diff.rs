//! What changed between two documents, line by line (Myers' diff, through `similar`),
//! with a few lines of context around each change.

use serde::Serialize;
use similar::{ChangeTag, TextDiff};

/// Unchanged lines kept around each change.
const CONTEXT: usize = 3;

/// One line of a diff.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct DiffLine {
    /// `+` added, `-` removed, ` ` unchanged, `…` unchanged lines left out.
    pub op: &'static str,
    pub text: String,
}

/// The lines that turn `from` into `to`; empty when they are the same.
pub fn lines(from: &str, to: &str) -> Vec<DiffLine> {
    let diff = TextDiff::from_lines(from, to);
    let mut lines = Vec::new();
    for (index, group) in diff.grouped_ops(CONTEXT).iter().enumerate() {
        if index > 0 {
            lines.push(DiffLine { op: "…", text: String::new() });
        }
        for op in group {
            for change in diff.iter_changes(op) {
                let op = match change.tag() {
                    ChangeTag::Delete => "-",
                    ChangeTag::Insert => "+",
                    ChangeTag::Equal => " ",
                };
                let text = change.value().trim_end_matches(['\n', '\r']).to_owned();
                lines.push(DiffLine { op, text });
            }
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changed_lines_are_marked_with_their_context() {
        let from = "a\nb\nc\nd\ne\nf\ng\nh\ni\n";
        let to = "a\nb\nc\nd\nE\nf\ng\nh\ni\n";
        let shown: Vec<String> =
            lines(from, to).iter().map(|line| format!("{}{}", line.op, line.text)).collect();
        assert_eq!(shown, [" b", " c", " d", "-e", "+E", " f", " g", " h"]);
        assert!(lines(from, from).is_empty());
    }
}
