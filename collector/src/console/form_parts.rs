//! Labelled controls of the console's editors, each with its hint and, when the last
//! save found one, its problem beside it (`aria-invalid`, `aria-describedby`).

use maud::{Markup, html};

use crate::editing::fields::Problems;

/// The element id of the control posting field `name` (`variants[0].id` →
/// `f-variants-0--id`).
pub fn id_of(name: &str) -> String {
    let mut id = String::with_capacity(name.len() + 2);
    id.push_str("f-");
    for character in name.chars() {
        id.push(if character.is_ascii_alphanumeric() || character == '_' {
            character
        } else {
            '-'
        });
    }
    id
}

/// What a control shows besides its value.
#[derive(Clone, Copy)]
pub struct Control<'a> {
    pub name: &'a str,
    pub label: &'a str,
    pub hint: Option<&'a str>,
    pub problems: &'a Problems,
}

impl<'a> Control<'a> {
    pub fn new(name: &'a str, label: &'a str, problems: &'a Problems) -> Control<'a> {
        Control { name, label, hint: None, problems }
    }

    pub fn hint(self, hint: &'a str) -> Control<'a> {
        Control { hint: Some(hint), ..self }
    }

    fn described_by(&self, id: &str) -> Option<String> {
        let mut ids = Vec::new();
        if self.hint.is_some() {
            ids.push(format!("{id}-hint"));
        }
        if self.problems.at(self.name).is_some() {
            ids.push(format!("{id}-problem"));
        }
        (!ids.is_empty()).then(|| ids.join(" "))
    }

    fn notes(&self, id: &str) -> Markup {
        html! {
            @if let Some(hint) = self.hint { span.hint id={ (id) "-hint" } { (hint) } }
            @if let Some(problem) = self.problems.at(self.name) {
                span.field-problem id={ (id) "-problem" } { (problem) }
            }
        }
    }

    /// A one-line text field.
    pub fn text(&self, value: &str) -> Markup {
        self.input("text", value)
    }

    /// An `<input>` of `kind` (`text`, `number`, `url`).
    pub fn input(&self, kind: &str, value: &str) -> Markup {
        let id = id_of(self.name);
        let invalid = self.problems.at(self.name).is_some();
        html! {
            div.field {
                label for=(id) { (self.label) }
                input id=(id) type=(kind) name=(self.name) value=(value)
                    aria-invalid=[invalid.then_some("true")]
                    aria-describedby=[self.described_by(&id)];
                (self.notes(&id))
            }
        }
    }

    /// A multi-line text field.
    pub fn textarea(&self, value: &str, rows: u32) -> Markup {
        let id = id_of(self.name);
        let invalid = self.problems.at(self.name).is_some();
        html! {
            div.field.wide {
                label for=(id) { (self.label) }
                textarea id=(id) name=(self.name) rows=(rows)
                    aria-invalid=[invalid.then_some("true")]
                    aria-describedby=[self.described_by(&id)] { (value) }
                (self.notes(&id))
            }
        }
    }

    /// A choice among `options` (value, label).
    pub fn select(&self, options: &[(&str, &str)], value: &str) -> Markup {
        let id = id_of(self.name);
        let invalid = self.problems.at(self.name).is_some();
        html! {
            div.field {
                label for=(id) { (self.label) }
                select id=(id) name=(self.name)
                    aria-invalid=[invalid.then_some("true")]
                    aria-describedby=[self.described_by(&id)] {
                    @for (option, label) in options {
                        option value=(option) selected[*option == value] { (label) }
                    }
                }
                (self.notes(&id))
            }
        }
    }

    /// A checkbox.
    pub fn checkbox(&self, checked: bool) -> Markup {
        let id = id_of(self.name);
        html! {
            div.field.check {
                input id=(id) type="checkbox" name=(self.name) value="on" checked[checked]
                    aria-describedby=[self.described_by(&id)];
                label for=(id) { (self.label) }
                (self.notes(&id))
            }
        }
    }
}

/// A button of an editor's form that changes the form without saving it.
pub fn step_button(action: &str, label: &str, described: &str) -> Markup {
    html! {
        button.button.secondary.small type="submit" name="action" value=(action)
            formnovalidate
            aria-label=[(!described.is_empty()).then(|| format!("{label} {described}"))]
        { (label) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_plain() {
        assert_eq!(id_of("variants[0].ctas[1].label"), "f-variants-0--ctas-1--label");
        assert_eq!(id_of("\"><x"), "f----x");
    }
}
