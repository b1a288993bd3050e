//! Lead forms on the wire: decoding the [`FormView`]s the collector sends (in boot
//! answers and `GET /v1/forms/{form}`) with their [`Field`]s, encoding a
//! [`FormSubmission`], and decoding its answers ([`SubmissionAccepted`],
//! [`FormRejected`]).
//!
//! Lenient like the rest of the codec: texts the collector always sends read as empty
//! when missing; a field of a kind this widget does not know is left out; a hidden
//! field whose source it does not know is sent empty.

use alloc::collections::BTreeMap;
use alloc::string::String;

use js_sys::{Array, Object};
use kindling_core::forms::{Choice, Consent, Field, FieldKind, HiddenSource, Texts};
use kindling_core::wire::{
    ErrorDetail, FieldError, FormRejected, FormSubmission, FormSuccess, FormView,
    SubmissionAccepted,
};
use wasm_bindgen::{JsCast, JsValue};

use super::{Decode, Encode, get, list, set, set_optional, string, text};

impl Decode for FormView {
    fn decode(value: &JsValue) -> Option<Self> {
        // Inserted one by one: collecting would bring in a sort.
        let mut values = BTreeMap::new();
        let given = get(value, "values");
        if given.is_object() {
            for entry in Object::entries(given.unchecked_ref()).iter() {
                let pair = Array::from(&entry);
                if let (Some(name), Some(value)) =
                    (pair.get(0).as_string(), pair.get(1).as_string())
                {
                    values.insert(name, value);
                }
            }
        }
        Some(FormView {
            id: string(value, "id")?,
            fields: list(&get(value, "fields")),
            steps: list(&get(value, "steps")),
            values,
            submit: text(value, "submit"),
            success: FormSuccess::decode(&get(value, "success")).unwrap_or_default(),
        })
    }
}

impl Decode for Field {
    fn decode(value: &JsValue) -> Option<Self> {
        let kind = match string(value, "kind") {
            Some(kind) => FieldKind::parse(&kind)?,
            None => FieldKind::Text,
        };
        let length = |key| get(value, key).as_f64().map(|length| length as u32);
        let consent = get(value, "consent");
        let message = get(value, "message");
        Some(Field {
            name: string(value, "name")?,
            kind,
            label: text(value, "label"),
            placeholder: string(value, "placeholder"),
            help: string(value, "help"),
            required: get(value, "required").is_truthy(),
            min_length: length("min_length"),
            max_length: length("max_length"),
            options: list(&get(value, "options")),
            pattern: string(value, "pattern"),
            consent: consent.is_object().then(|| Consent {
                text: text(&consent, "text"),
                version: text(&consent, "version"),
            }),
            source: string(value, "source").and_then(|name| source(&name)),
            message: message
                .is_object()
                .then(|| Texts { en: text(&message, "en"), pl: string(&message, "pl") }),
        })
    }
}

/// The hidden-field source with this wire name.
fn source(name: &str) -> Option<HiddenSource> {
    Some(match name {
        "utm_source" => HiddenSource::UtmSource,
        "utm_medium" => HiddenSource::UtmMedium,
        "utm_campaign" => HiddenSource::UtmCampaign,
        "utm_term" => HiddenSource::UtmTerm,
        "utm_content" => HiddenSource::UtmContent,
        "referrer" => HiddenSource::Referrer,
        "landing" => HiddenSource::Landing,
        "page" => HiddenSource::Page,
        "block" => HiddenSource::Block,
        "variant" => HiddenSource::Variant,
        _ => return None,
    })
}

impl Decode for Choice {
    fn decode(value: &JsValue) -> Option<Self> {
        Some(Choice { value: string(value, "value")?, label: text(value, "label") })
    }
}

impl Decode for FormSuccess {
    fn decode(value: &JsValue) -> Option<Self> {
        Some(FormSuccess {
            message: text(value, "message"),
            redirect: string(value, "redirect"),
            download: string(value, "download"),
        })
    }
}

impl Decode for SubmissionAccepted {
    fn decode(value: &JsValue) -> Option<Self> {
        // New decisions go to the blocks as received (`crate::forms::outside`).
        Some(SubmissionAccepted {
            submission: string(value, "submission")?,
            duplicate: get(value, "duplicate").is_truthy(),
            confirmation_pending: get(value, "confirmation_pending").is_truthy(),
            success: FormSuccess::decode(&get(value, "success")).unwrap_or_default(),
            decisions: None,
        })
    }
}

impl Decode for FormRejected {
    fn decode(value: &JsValue) -> Option<Self> {
        let error = get(value, "error");
        Some(FormRejected {
            error: ErrorDetail {
                code: text(&error, "code"),
                message: text(&error, "message"),
                field: string(&error, "field"),
            },
            fields: list(&get(value, "fields")),
        })
    }
}

impl Decode for FieldError {
    fn decode(value: &JsValue) -> Option<Self> {
        Some(FieldError {
            field: string(value, "field")?,
            code: text(value, "code"),
            message: text(value, "message"),
        })
    }
}

impl Encode for FormSubmission {
    fn encode(&self) -> JsValue {
        let object = Object::new();
        set(&object, "site", &self.site.as_str().into());
        set(&object, "visitor", &self.visitor.as_str().into());
        set(&object, "id", &self.id.as_str().into());
        set(&object, "session", &self.session.as_str().into());
        set(&object, "url", &self.url.as_str().into());
        let values = Object::new();
        for (name, value) in &self.values {
            set(&values, name, &value.as_str().into());
        }
        set(&object, "values", &values);
        set(&object, "elapsed_ms", &JsValue::from_f64(self.elapsed_ms as f64));
        if !self.honeypot.is_empty() {
            set(&object, "honeypot", &self.honeypot.as_str().into());
        }
        set_optional(&object, "block", self.block.as_deref());
        set_optional(&object, "variant", self.variant.as_deref());
        set_optional(&object, "lang", self.lang.as_deref());
        if let Some(context) = &self.context {
            set(&object, "context", &context.encode());
        }
        if !self.slots.is_empty() {
            set(&object, "slots", &super::strings(&self.slots));
        }
        object.into()
    }
}

impl Decode for String {
    fn decode(value: &JsValue) -> Option<Self> {
        value.as_string()
    }
}

impl<T: Decode> Decode for alloc::vec::Vec<T> {
    fn decode(value: &JsValue) -> Option<Self> {
        Some(list(value))
    }
}
