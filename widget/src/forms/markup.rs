//! A lead form as markup, built as text with every value escaped
//! (`crate::render::content::put`) and styled like the blocks, with the same custom
//! properties.
//!
//! ```html
//! <section class="kd-block kd-lead" part="block">  <!-- or a modal dialog -->
//! <form class="kd-form" novalidate>
//!   <div class="kd-progress"><p id="kd-step" aria-live="polite">Step 1 of 2</p>
//!     <progress max="2" value="1" aria-labelledby="kd-step"></progress></div>
//!   <div data-step>                                  <!-- later steps: hidden -->
//!     <div class="kd-field kd-req">
//!       <label for="kd-field-email">Work email</label>
//!       <input type="email" autocomplete="email" id="kd-field-email" name="email"
//!         required aria-required="true" aria-describedby="kd-help-email">
//!       <p class="kd-help" id="kd-help-email">…</p>
//!       <p class="kd-error" id="kd-error-email"></p>
//!     </div>
//!   </div>
//!   <div class="kd-hp"><input id="kd-hp" name="website" tabindex="-1" …></div>
//!   <p class="kd-error" id="kd-form-error" role="alert"></p>
//!   <div class="kd-ctas"><button type="button" data-kd="back" hidden>Back</button>
//!     <button type="button" data-kd="next">Next</button>
//!     <button type="submit" hidden>Send</button></div>
//! </form></section>
//! ```
//!
//! Controls by kind: text, email, tel and url inputs of their type; a number as text
//! with a decimal keyboard (the check, not the browser, decides what a number is); a
//! country as a two-letter code (`autocomplete="country"`, shown in upper case); a
//! textarea; a select with an empty first option; radio buttons in a fieldset with a
//! legend; a checkbox, whose label is the consent's text for a consent. Hidden fields
//! are not drawn. Required fields are marked with `*` (hidden from screen readers,
//! which hear `required`).

use alloc::string::String;

use kindling_core::forms::{Field, FieldKind};
use kindling_core::wire::FormView;

use crate::codec::push_number;
use crate::render::content::{CLOSE_BUTTON, MODAL_ATTRIBUTES, MODAL_TAG, put};

use crate::render::texts::texts;

/// What forms add to the blocks' stylesheet.
pub const FORM_STYLE: &str = "[hidden]{display:none!important}\
.kd-form label,.kd-form legend{display:block;margin:.75rem 0 .25rem;padding:0;font-weight:600}\
.kd-form input,.kd-form select,.kd-form textarea{box-sizing:border-box;width:100%;padding:.5rem;\
border:1px solid #8792a2;border-radius:var(--kindling-radius,8px);background:#fff;color:#1b2430;font:inherit}\
.kd-form .kd-check{display:flex;gap:.75rem;align-items:flex-start;min-height:2.75rem;margin:.25rem 0;padding:.5rem 0;\
box-sizing:border-box;font-weight:400;cursor:pointer}\
.kd-form .kd-check input{flex:none;width:1.25rem;height:1.25rem;margin:.1rem 0;accent-color:var(--kindling-accent,#2456e8)}\
div.kd-req>label::after,.kd-req>legend::after{content:\" *\"/\"\"}\
fieldset{margin:0;padding:0;border:0}[aria-invalid=true]{border-color:#c62828;outline:1px solid #c62828}\
.kd-help,.kd-error{margin:.25rem 0 0;font-size:.875rem}.kd-error{color:#c62828;font-weight:600}.kd-error:empty{display:none}\
.kd-hp{position:absolute;left:-9999px;width:1px;height:1px;overflow:hidden}\
.kd-progress p{margin:0}progress{width:100%}[autocomplete=country]{text-transform:uppercase}\
.kd-form .kd-ctas{margin-top:1rem}.kd-back{background:none;color:var(--kindling-accent,#2456e8);box-shadow:inset 0 0 0 1px}\
button:disabled{opacity:.6;cursor:progress}\
.kd-success{scroll-margin-top:var(--kindling-scroll-offset,6rem);padding:1rem 0;font-size:1.125rem}";

/// A field's control is `kd-field-NAME`, its help `kd-help-NAME`, its error
/// `kd-error-NAME` (ids are scoped to the shadow root).
pub const CONTROL_ID: &str = "kd-field-";
pub const HELP_ID: &str = "kd-help-";
pub const ERROR_ID: &str = "kd-error-";

/// The markup of `view` (its stylesheets, the blocks' and [`FORM_STYLE`], are adopted
/// apart): in a modal dialog named `title`, or without one as a box in the page.
pub fn form(view: &FormView, title: Option<&str>) -> String {
    let texts = texts();
    let mut html = String::with_capacity(4096);
    match title {
        Some(title) => {
            html.push_str(MODAL_TAG);
            html.push_str(MODAL_ATTRIBUTES);
            put(&mut html, &["<h2 id=\"kd-title\">", title, "</h2>"]);
        }
        None => html.push_str("<section class=\"kd-block kd-lead\" part=\"block\">"),
    }
    html.push_str("<form class=\"kd-form\" novalidate>");
    let steps = view.steps.len();
    let multi = steps > 1;
    if multi {
        html.push_str("<div class=\"kd-progress\"><p id=\"kd-step\" aria-live=\"polite\">");
        step_text(&mut html, 0, steps);
        html.push_str("</p><progress value=\"1\" aria-labelledby=\"kd-step\" max=\"");
        push_number(&mut html, steps as u32);
        html.push_str("\"></progress></div>");
    }
    for (index, names) in view.steps.iter().enumerate() {
        html.push_str(if index == 0 { "<div data-step>" } else { "<div data-step hidden>" });
        for name in names {
            let found = view.fields.iter().find(|field| field.name == *name);
            if let Some(field) = found.filter(|field| field.kind != FieldKind::Hidden) {
                let value = view.values.get(name).map_or("", String::as_str);
                control(&mut html, field, value);
            }
        }
        html.push_str("</div>");
    }
    html.push_str(
        "<div class=\"kd-hp\"><input id=\"kd-hp\" name=\"website\" type=\"text\" tabindex=\"-1\" \
         autocomplete=\"off\" aria-hidden=\"true\"></div>\
         <p class=\"kd-error\" id=\"kd-form-error\" role=\"alert\"></p><div class=\"kd-ctas\">",
    );
    if multi {
        put(
            &mut html,
            &[
                "<button type=\"button\" class=\"kd-cta kd-back\" data-kd=\"back\" hidden>",
                texts.back,
            ],
        );
        put(
            &mut html,
            &["</button><button type=\"button\" class=\"kd-cta\" data-kd=\"next\">", texts.next],
        );
        html.push_str("</button>");
    }
    let submit = if view.submit.is_empty() { texts.send } else { &view.submit };
    html.push_str("<button type=\"submit\" class=\"kd-cta\" part=\"cta\"");
    put(&mut html, &[if multi { " hidden>" } else { ">" }, submit, "</button></div></form>"]);
    if title.is_some() {
        put(&mut html, &[CLOSE_BUTTON, texts.close, "\">×</button>"]);
    }
    html.push_str("</section>");
    html
}

/// Appends "Step 1 of 2" for `step` (from 0) of `steps`.
pub fn step_text(out: &mut String, step: usize, steps: usize) {
    let texts = texts();
    out.push_str(texts.step);
    push_number(out, step as u32 + 1);
    out.push_str(texts.of);
    push_number(out, steps as u32);
}

/// Appends one field: its label, control, help and (empty) error.
fn control(html: &mut String, field: &Field, value: &str) {
    let name = field.name.as_str();
    let kind = field.kind;
    html.push_str(if kind == FieldKind::Radio {
        "<fieldset role=\"radiogroup\" class=\"kd-field"
    } else {
        "<div class=\"kd-field"
    });
    if field.required {
        html.push_str(" kd-req");
    }
    html.push('"');
    match kind {
        FieldKind::Radio => {
            if field.required {
                html.push_str(" aria-required=\"true\"");
            }
            put(html, &["><legend>", &field.label, "</legend>"]);
            for option in &field.options {
                html.push_str("<label class=\"kd-check\"><input type=\"radio\"");
                attributes(html, field, false);
                put(html, &[" value=\"", &option.value, "\""]);
                if option.value == value {
                    html.push_str(" checked");
                }
                put(html, &[">", &option.label, "</label>"]);
            }
        }
        FieldKind::Checkbox | FieldKind::Consent => {
            let label = match &field.consent {
                Some(consent) if kind == FieldKind::Consent => consent.text.as_str(),
                _ => field.label.as_str(),
            };
            put(html, &["><label class=\"kd-check\" for=\"", CONTROL_ID, "", name, "\">"]);
            html.push_str("<input type=\"checkbox\" value=\"true\"");
            attributes(html, field, true);
            if matches!(value, "true" | "on") {
                html.push_str(" checked");
            }
            put(html, &["><span>", label, "</span></label>"]);
        }
        _ => {
            put(html, &["><label for=\"", CONTROL_ID, "", name, "\">", &field.label, "</label>"]);
            html.push_str(match kind {
                FieldKind::Textarea => "<textarea rows=\"4\"",
                FieldKind::Select => "<select",
                FieldKind::Email => "<input type=\"email\" autocomplete=\"email\"",
                FieldKind::Tel => "<input type=\"tel\" autocomplete=\"tel\"",
                FieldKind::Url => "<input type=\"url\" autocomplete=\"url\"",
                FieldKind::Number => "<input type=\"text\" inputmode=\"decimal\"",
                FieldKind::Country => {
                    "<input type=\"text\" autocomplete=\"country\" autocapitalize=\"characters\" maxlength=\"2\""
                }
                _ => "<input type=\"text\"",
            });
            attributes(html, field, true);
            if let Some(placeholder) =
                field.placeholder.as_deref().filter(|_| kind != FieldKind::Select)
            {
                put(html, &[" placeholder=\"", placeholder, "\""]);
            }
            if let Some(max) = field.max_length {
                html.push_str(" maxlength=\"");
                push_number(html, max);
                html.push('"');
            }
            match kind {
                FieldKind::Textarea => put(html, &[">", value, "</textarea>"]),
                FieldKind::Select => {
                    let placeholder = field.placeholder.as_deref().unwrap_or(texts().choose);
                    put(html, &["><option value=\"\">", placeholder, "</option>"]);
                    for option in &field.options {
                        put(html, &["<option value=\"", &option.value, "\""]);
                        if option.value == value {
                            html.push_str(" selected");
                        }
                        put(html, &[">", &option.label, "</option>"]);
                    }
                    html.push_str("</select>");
                }
                _ => put(html, &[" value=\"", value, "\">"]),
            }
        }
    }
    if let Some(help) = &field.help {
        put(html, &["<p class=\"kd-help\" id=\"", HELP_ID, "", name, "\">", help, "</p>"]);
    }
    put(html, &["<p class=\"kd-error\" id=\"", ERROR_ID, "", name, "\"></p>"]);
    html.push_str(if kind == FieldKind::Radio { "</fieldset>" } else { "</div>" });
}

/// A control's `id` (unless `with_id` is false: radio buttons), `name`, required marks
/// and the id of the field's help.
fn attributes(html: &mut String, field: &Field, with_id: bool) {
    let name = field.name.as_str();
    if with_id {
        put(html, &[" id=\"", CONTROL_ID, "", name, "\""]);
    }
    put(html, &[" name=\"", name, "\""]);
    if field.required {
        html.push_str(if with_id { " required aria-required=\"true\"" } else { " required" });
    }
    if field.help.is_some() {
        put(html, &[" aria-describedby=\"", HELP_ID, "", name, "\""]);
    }
}
