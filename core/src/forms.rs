//! Lead forms: the fields a form asks for ([`Field`]) and the one validation the widget
//! runs as the visitor types and the collector runs again on submit ([`check`] for one
//! value, [`check_with`] the same with letters told by the caller's Unicode data,
//! [`check_all`] for a whole submission), with messages in English and Polish.
//!
//! ```json
//! [{"name": "email", "kind": "email", "label": "Work email", "required": true},
//!  {"name": "postcode", "kind": "text", "label": "Postal code", "pattern": "##-###"},
//!  {"name": "news", "kind": "consent", "label": "News by email", "required": true,
//!   "consent": {"text": "I agree to receive news by email.", "version": "2025-01"}},
//!  {"name": "campaign", "kind": "hidden", "source": "utm_campaign"}]
//! ```
//!
//! A value is checked as the browser has it; the first problem found is reported, in
//! this order:
//!
//! 1. Surrounding whitespace is trimmed (store the trimmed value). A checkbox or
//!    consent is checked when its value is `true` or `on` and unchecked when it is
//!    empty or `false`; anything else is [`Problem::NotAnOption`].
//! 2. An empty (unchecked) value passes unless the field is `required`:
//!    [`Problem::Required`], or [`Problem::ConsentRequired`] for a consent.
//! 3. Choice kinds: a `select` or `radio` value must be one of the field's option
//!    values (exactly); a `country` an officially assigned ISO 3166-1 alpha-2 code in
//!    upper case (`PL`, `DE`).
//! 4. Text-like kinds (text, email, tel, number, url, textarea, hidden) are at most
//!    [`MAX_VALUE_LEN`] bytes ([`MAX_TEXTAREA_LEN`] for a textarea, [`MAX_URL_LEN`] for
//!    a hidden field, which may carry a page address); `max_length` can only lower that.
//!    `min_length` and `max_length` count characters, not bytes (`zażółć` is 6).
//! 5. Their format:
//!    - email: one `@`; a local part of at most 64 bytes without whitespace, without
//!      a leading, trailing or doubled dot; a domain of two or more dot-separated
//!      labels of letters (any script, for IDNs), digits and inner hyphens; at most
//!      254 bytes in all. `ann@example.com` and `zażółć@przykład.pl` pass, `a@b` does not.
//!    - tel: digits, spaces, `-`, `(`, `)`, `.` and one leading `+`, with 6 to 15
//!      digits: `+48 600 700 800`.
//!    - number: an optional sign, digits, optionally `.` and more digits (`-12.5`;
//!      not `1e3`, `.5` or `1,5`), at most 308 digits before the point so it is a
//!      finite `f64`.
//!    - url: `http://` or `https://` (any case), then a non-empty host, no whitespace.
//! 6. The field's `pattern`, a mask the whole value must match: `#` is one digit, `A`
//!    one letter (any script), `?` any one character, `*` any run of characters
//!    (possibly empty), and everything else itself, ASCII case-insensitively (so a
//!    literal `A` is written `a`). `##-###` is a Polish postal code.
//!
//! [`check_all`] adds [`Problem::Unknown`] for submitted names the form does not have.
//! Nothing here uses `core::fmt`: numbers in messages are written digit by digit.

use alloc::string::String;
use alloc::vec::Vec;

use serde::{Deserialize, Serialize};

use crate::limits::MAX_URL_LEN;

/// Longest value of a text-like field other than a textarea or hidden field, in bytes.
pub const MAX_VALUE_LEN: usize = 1024;
/// Longest value of a textarea, in bytes.
pub const MAX_TEXTAREA_LEN: usize = 5000;

/// What a field asks for, and so how it is drawn and checked.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum FieldKind {
    #[default]
    Text,
    Email,
    Tel,
    Number,
    Url,
    Textarea,
    /// One of `options`, from a drop-down list.
    Select,
    /// One of `options`, from radio buttons.
    Radio,
    /// A yes/no box.
    Checkbox,
    /// An ISO 3166-1 alpha-2 country code.
    Country,
    /// A box agreeing to `consent`'s text; its text and version are kept with the lead.
    Consent,
    /// Not shown; the widget fills it from its `source`.
    Hidden,
}

impl FieldKind {
    /// The name used in the configuration and on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            FieldKind::Text => "text",
            FieldKind::Email => "email",
            FieldKind::Tel => "tel",
            FieldKind::Number => "number",
            FieldKind::Url => "url",
            FieldKind::Textarea => "textarea",
            FieldKind::Select => "select",
            FieldKind::Radio => "radio",
            FieldKind::Checkbox => "checkbox",
            FieldKind::Country => "country",
            FieldKind::Consent => "consent",
            FieldKind::Hidden => "hidden",
        }
    }

    /// The kind with this name.
    pub fn parse(name: &str) -> Option<FieldKind> {
        use FieldKind::*;
        [Text, Email, Tel, Number, Url, Textarea, Select, Radio, Checkbox, Country, Consent, Hidden]
            .into_iter()
            .find(|kind| kind.as_str() == name)
    }
}

/// One option of a select or radio field: the value submitted and the label shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Choice {
    pub value: String,
    pub label: String,
}

/// What a consent field asks the visitor to agree to: the exact text shown and its
/// version, recorded with the lead as proof of what was agreed to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Consent {
    pub text: String,
    pub version: String,
}

/// What the widget fills a hidden field with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum HiddenSource {
    UtmSource,
    UtmMedium,
    UtmCampaign,
    UtmTerm,
    UtmContent,
    /// The referrer of the visit's first page.
    Referrer,
    /// The visit's first page.
    Landing,
    /// The page the form is on.
    Page,
    /// The block showing the form.
    Block,
    /// The block's variant the visitor sees.
    Variant,
}

/// A text in English with an optional Polish version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Texts {
    pub en: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pl: Option<String>,
}

impl Texts {
    /// The text in `lang`, English when there is no Polish version.
    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::Pl => self.pl.as_deref().unwrap_or(&self.en),
            Lang::En => &self.en,
        }
    }
}

/// One field of a lead form.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Field {
    /// The key the value is submitted and stored under.
    pub name: String,
    /// `text` when not given.
    #[serde(default)]
    pub kind: FieldKind,
    /// Shown next to the input (may be empty for hidden fields).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub label: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub placeholder: Option<String>,
    /// A hint shown under the input.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    #[serde(default)]
    pub required: bool,
    /// Fewest characters of a non-empty value (text-like kinds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_length: Option<u32>,
    /// Most characters (text-like kinds); can only lower the kind's byte limit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_length: Option<u32>,
    /// The choices of a select or radio field.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<Choice>,
    /// A mask the whole value must match (text-like kinds); see the module docs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pattern: Option<String>,
    /// What a consent field asks agreement to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consent: Option<Consent>,
    /// What fills a hidden field.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<HiddenSource>,
    /// The field's own error message, replacing every [`Problem`]'s.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<Texts>,
}

/// The language of messages.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Lang {
    #[default]
    En,
    Pl,
}

impl Lang {
    /// Polish for a `pl` language tag (`pl`, `pl-PL`, `pl_PL`, or an `Accept-Language`
    /// list starting with one: `pl,en;q=0.8`), English for anything else.
    pub fn from_tag(tag: &str) -> Lang {
        let primary = tag.trim().split(['-', '_', ',', ';']).next().unwrap_or_default();
        if primary.eq_ignore_ascii_case("pl") { Lang::Pl } else { Lang::En }
    }
}

/// Why a value was refused. Serialized as `{"code": "too_short", "min": 3}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum Problem {
    Required,
    /// Fewer characters than the field's `min_length`.
    TooShort {
        min: u32,
    },
    /// More characters than `max` (the field's `max_length` or the kind's limit).
    TooLong {
        max: u32,
    },
    Email,
    Tel,
    Number,
    Url,
    /// Not one of a select or radio field's options, or not a checkbox value.
    NotAnOption,
    Country,
    Pattern,
    /// A required consent was not given.
    ConsentRequired,
    /// A submitted name the form has no field for.
    Unknown,
    /// An address at a disposable-mailbox domain; only the collector, which has the
    /// list, finds this.
    Disposable,
}

impl Problem {
    /// The machine-readable name, the same as the serialized `code`.
    pub fn code(self) -> &'static str {
        match self {
            Problem::Required => "required",
            Problem::TooShort { .. } => "too_short",
            Problem::TooLong { .. } => "too_long",
            Problem::Email => "email",
            Problem::Tel => "tel",
            Problem::Number => "number",
            Problem::Url => "url",
            Problem::NotAnOption => "not_an_option",
            Problem::Country => "country",
            Problem::Pattern => "pattern",
            Problem::ConsentRequired => "consent_required",
            Problem::Unknown => "unknown",
            Problem::Disposable => "disposable",
        }
    }

    /// A sentence for the visitor: "Use at least 3 characters." /
    /// "Wpisz co najmniej 3 znaki.".
    pub fn message(self, lang: Lang) -> String {
        let (en, pl) = match self {
            Problem::Required => ("This field is required.", "To pole jest wymagane."),
            Problem::TooShort { min } => {
                return counted(lang, min, "Use at least ", "Wpisz co najmniej ");
            }
            Problem::TooLong { max } => {
                return counted(lang, max, "Use at most ", "Wpisz co najwyżej ");
            }
            Problem::Email => ("Enter a valid email address.", "Wpisz poprawny adres e-mail."),
            Problem::Tel => ("Enter a valid phone number.", "Wpisz poprawny numer telefonu."),
            Problem::Number => ("Enter a number.", "Wpisz liczbę."),
            Problem::Url => (
                "Enter an address starting with http:// or https://.",
                "Wpisz adres zaczynający się od http:// lub https://.",
            ),
            Problem::NotAnOption => ("Choose one of the options.", "Wybierz jedną z opcji."),
            Problem::Country => ("Choose a country.", "Wybierz kraj."),
            Problem::Pattern => {
                ("Use the requested format.", "Wpisz wartość w wymaganym formacie.")
            }
            Problem::ConsentRequired => {
                ("Please give your consent to continue.", "Zaznacz zgodę, aby kontynuować.")
            }
            Problem::Unknown => {
                ("This field is not part of the form.", "Tego pola nie ma w formularzu.")
            }
            Problem::Disposable => (
                "Use a permanent email address, not a disposable one.",
                "Podaj stały adres e-mail, nie jednorazowy.",
            ),
        };
        String::from(match lang {
            Lang::En => en,
            Lang::Pl => pl,
        })
    }
}

/// `en` or `pl`, then `count` and "characters" with the right plural form.
fn counted(lang: Lang, count: u32, en: &str, pl: &str) -> String {
    let mut out = String::from(match lang {
        Lang::En => en,
        Lang::Pl => pl,
    });
    push_decimal(&mut out, count);
    out.push_str(match lang {
        Lang::En if count == 1 => " character.",
        Lang::En => " characters.",
        Lang::Pl if count == 1 => " znak.",
        Lang::Pl if matches!(count % 10, 2..=4) && !matches!(count % 100, 12..=14) => " znaki.",
        Lang::Pl => " znaków.",
    });
    out
}

/// Checks one value of `field`, as the browser has it, by the rules of the module docs.
pub fn check(field: &Field, value: &str) -> Result<(), Problem> {
    check_with(field, value, char::is_alphabetic)
}

/// [`check`] with the test for a letter (a mask's `A`, the non-ASCII characters of an
/// email domain) given: the widget asks the browser's Unicode data, which keeps
/// Rust's Unicode tables out of the wasm. `is_letter` must agree with
/// [`char::is_alphabetic`].
pub fn check_with(field: &Field, value: &str, is_letter: fn(char) -> bool) -> Result<(), Problem> {
    let value = value.trim();
    let empty = match field.kind {
        FieldKind::Checkbox | FieldKind::Consent => match value {
            "true" | "on" => false,
            "" | "false" => true,
            _ => return Err(Problem::NotAnOption),
        },
        _ => value.is_empty(),
    };
    if empty {
        return match (field.required, field.kind) {
            (false, _) => Ok(()),
            (true, FieldKind::Consent) => Err(Problem::ConsentRequired),
            (true, _) => Err(Problem::Required),
        };
    }
    let limit = match field.kind {
        FieldKind::Checkbox | FieldKind::Consent => return Ok(()),
        FieldKind::Select | FieldKind::Radio => {
            let listed = field.options.iter().any(|option| option.value == value);
            return require(listed, Problem::NotAnOption);
        }
        FieldKind::Country => return require(is_country(value), Problem::Country),
        FieldKind::Textarea => MAX_TEXTAREA_LEN,
        FieldKind::Hidden => MAX_URL_LEN,
        _ => MAX_VALUE_LEN,
    };
    let max = field.max_length.map_or(limit, |max| limit.min(max as usize));
    if value.len() > limit || char_count(value) > max {
        return Err(Problem::TooLong { max: u32::try_from(max).unwrap_or(u32::MAX) });
    }
    if let Some(min) = field.min_length
        && char_count(value) < min as usize
    {
        return Err(Problem::TooShort { min });
    }
    match field.kind {
        FieldKind::Email => require(is_email(value, is_letter), Problem::Email)?,
        FieldKind::Tel => require(is_tel(value), Problem::Tel)?,
        FieldKind::Number => require(is_number(value), Problem::Number)?,
        FieldKind::Url => require(is_url(value), Problem::Url)?,
        _ => {}
    }
    match &field.pattern {
        Some(pattern) => require(mask_match(pattern, value, is_letter), Problem::Pattern),
        None => Ok(()),
    }
}

/// Checks a submission: every field against its value (a missing one is empty), in
/// field order, then [`Problem::Unknown`] once for each submitted name the form has no
/// field for, in submission order. When a name is submitted twice, the first value
/// counts. Returns the problems found, at most one per field.
pub fn check_all(fields: &[Field], values: &[(String, String)]) -> Vec<(String, Problem)> {
    let mut problems = Vec::new();
    for field in fields {
        let value = values.iter().find(|(name, _)| *name == field.name);
        if let Err(problem) = check(field, value.map_or("", |(_, value)| value)) {
            problems.push((field.name.clone(), problem));
        }
    }
    for (at, (name, _)) in values.iter().enumerate() {
        let known = fields.iter().any(|field| field.name == *name);
        let repeated = values.iter().take(at).any(|(earlier, _)| earlier == name);
        if !known && !repeated {
            problems.push((name.clone(), Problem::Unknown));
        }
    }
    problems
}

/// The message to show for `problem` on `field`: the field's own message when it has
/// one (its Polish version falling back to English), else the problem's.
pub fn message_for(field: &Field, problem: Problem, lang: Lang) -> String {
    match &field.message {
        Some(texts) => String::from(texts.get(lang)),
        None => problem.message(lang),
    }
}

fn require(holds: bool, problem: Problem) -> Result<(), Problem> {
    if holds { Ok(()) } else { Err(problem) }
}

/// The characters in `text`: its bytes that do not continue a UTF-8 sequence (what
/// `chars().count()` counts, in less wasm).
fn char_count(text: &str) -> usize {
    text.bytes().filter(|byte| (*byte as i8) >= -0x40).count()
}

fn is_email(value: &str, is_letter: fn(char) -> bool) -> bool {
    let Some((local, domain)) = value.split_once('@') else {
        return false;
    };
    let is_label = |label: &str| {
        !label.is_empty()
            && !label.starts_with('-')
            && !label.ends_with('-')
            && label
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || (!c.is_ascii() && is_letter(c)))
    };
    value.len() <= 254
        && !local.is_empty()
        && local.len() <= 64
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.as_bytes().windows(2).any(|pair| pair == b"..")
        && !local.chars().any(|c| c.is_whitespace() || c.is_control())
        && domain.contains('.')
        && domain.split('.').all(is_label)
}

fn is_tel(value: &str) -> bool {
    let mut digits = 0;
    for (at, c) in value.char_indices() {
        match c {
            '0'..='9' => digits += 1,
            '+' if at == 0 => {}
            ' ' | '-' | '(' | ')' | '.' => {}
            _ => return false,
        }
    }
    (6..=15).contains(&digits)
}

fn is_number(value: &str) -> bool {
    let unsigned = value.strip_prefix(['+', '-']).unwrap_or(value);
    let (whole, fraction) = unsigned.split_once('.').unwrap_or((unsigned, "0"));
    let digits = |part: &str| !part.is_empty() && part.bytes().all(|byte| byte.is_ascii_digit());
    digits(whole) && whole.len() <= 308 && digits(fraction)
}

fn is_url(value: &str) -> bool {
    let Some(rest) = strip_prefix_ignore_case(value, "https://")
        .or_else(|| strip_prefix_ignore_case(value, "http://"))
    else {
        return false;
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = authority.rsplit_once('@').map_or(authority, |(_, host)| host);
    let host = match host.rsplit_once(':') {
        Some((name, port)) if port.bytes().all(|byte| byte.is_ascii_digit()) => name,
        _ => host,
    };
    !host.is_empty() && !value.chars().any(|c| c.is_whitespace() || c.is_control())
}

fn strip_prefix_ignore_case<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let head = text.get(..prefix.len())?;
    if head.eq_ignore_ascii_case(prefix) { text.get(prefix.len()..) } else { None }
}

/// The officially assigned ISO 3166-1 alpha-2 codes, in order, two letters each.
const COUNTRIES: &str = "ADAEAFAGAIALAMAOAQARASATAUAWAXAZBABBBDBEBFBGBHBIBJBLBMBNBOBQBRBSBTBVBWBY\
    BZCACCCDCFCGCHCICKCLCMCNCOCRCUCVCWCXCYCZDEDJDKDMDODZECEEEGEHERESETFIFJFKFMFOFRGAGBGDGE\
    GFGGGHGIGLGMGNGPGQGRGSGTGUGWGYHKHMHNHRHTHUIDIEILIMINIOIQIRISITJEJMJOJPKEKGKHKIKMKNKPKR\
    KWKYKZLALBLCLILKLRLSLTLULVLYMAMCMDMEMFMGMHMKMLMMMNMOMPMQMRMSMTMUMVMWMXMYMZNANCNENFNGNI\
    NLNONPNRNUNZOMPAPEPFPGPHPKPLPMPNPRPSPTPWPYQARERORSRURWSASBSCSDSESGSHSISJSKSLSMSNSOSRSS\
    STSVSXSYSZTCTDTFTGTHTJTKTLTMTNTOTRTTTVTWTZUAUGUMUSUYUZVAVCVEVGVIVNVUWFWSYEYTZAZMZW";

fn is_country(code: &str) -> bool {
    code.len() == 2 && COUNTRIES.as_bytes().chunks_exact(2).any(|pair| pair == code.as_bytes())
}

/// Whether `text` matches the whole `mask` (see the module docs). Iterative with
/// single-star backtracking, like [`crate::rules::glob_match`]: no recursion.
fn mask_match(mask: &str, text: &str, is_letter: fn(char) -> bool) -> bool {
    let (mut at_mask, mut at_text) = (0, 0);
    // After the latest `*`: where the mask resumes and where the text was when the star
    // last tried to stop.
    let mut star: Option<(usize, usize)> = None;
    loop {
        let wanted = mask.get(at_mask..).and_then(|rest| rest.chars().next());
        let seen = text.get(at_text..).and_then(|rest| rest.chars().next());
        match (wanted, seen) {
            (None, None) => return true,
            (Some('*'), _) => {
                at_mask += 1;
                star = Some((at_mask, at_text));
            }
            (Some(wanted), Some(seen)) if mask_accepts(wanted, seen, is_letter) => {
                at_mask += wanted.len_utf8();
                at_text += seen.len_utf8();
            }
            _ => {
                let Some((resume_mask, star_text)) = star else {
                    return false;
                };
                let Some(swallowed) = text.get(star_text..).and_then(|rest| rest.chars().next())
                else {
                    return false;
                };
                at_mask = resume_mask;
                at_text = star_text + swallowed.len_utf8();
                star = Some((resume_mask, at_text));
            }
        }
    }
}

fn mask_accepts(wanted: char, seen: char, is_letter: fn(char) -> bool) -> bool {
    match wanted {
        '#' => seen.is_ascii_digit(),
        'A' => is_letter(seen),
        '?' => true,
        _ => wanted.eq_ignore_ascii_case(&seen),
    }
}

/// Appends `number` in decimal.
fn push_decimal(out: &mut String, number: u32) {
    if number >= 10 {
        push_decimal(out, number / 10);
    }
    out.push(char::from(b'0' + (number % 10) as u8));
}

#[cfg(test)]
mod tests {
    use alloc::string::ToString;
    use alloc::vec;

    use super::*;

    fn field(kind: FieldKind) -> Field {
        Field { name: kind.as_str().to_string(), kind, ..Field::default() }
    }

    fn required(kind: FieldKind) -> Field {
        Field { required: true, ..field(kind) }
    }

    fn assert_checks(field: &Field, cases: &[(&str, Result<(), Problem>)]) {
        for (value, expected) in cases {
            assert_eq!(check(field, value), *expected, "{:?} {value:?}", field.kind);
        }
    }

    const ALL_KINDS: [FieldKind; 12] = [
        FieldKind::Text,
        FieldKind::Email,
        FieldKind::Tel,
        FieldKind::Number,
        FieldKind::Url,
        FieldKind::Textarea,
        FieldKind::Select,
        FieldKind::Radio,
        FieldKind::Checkbox,
        FieldKind::Country,
        FieldKind::Consent,
        FieldKind::Hidden,
    ];

    #[test]
    fn kinds_round_trip_their_names() {
        for kind in ALL_KINDS {
            assert_eq!(FieldKind::parse(kind.as_str()), Some(kind));
            let json = serde_json::to_string(&kind).expect("serializes");
            assert_eq!(json, std::format!("\"{}\"", kind.as_str()));
        }
        assert_eq!(FieldKind::parse("file"), None);
    }

    #[test]
    fn empty_values_pass_unless_required() {
        for kind in ALL_KINDS {
            assert_eq!(check(&field(kind), ""), Ok(()), "{kind:?}");
            assert_eq!(check(&field(kind), "  \t\n"), Ok(()), "{kind:?}");
            let expected = if kind == FieldKind::Consent {
                Problem::ConsentRequired
            } else {
                Problem::Required
            };
            assert_eq!(check(&required(kind), ""), Err(expected), "{kind:?}");
            assert_eq!(check(&required(kind), "   "), Err(expected), "{kind:?}");
        }
    }

    #[test]
    fn characters_are_counted_as_chars_are() {
        for text in ["", "a", "zażółć", "日本語", "🦀 crab", "e\u{301}"] {
            assert_eq!(char_count(text), text.chars().count(), "{text:?}");
        }
    }

    #[test]
    fn the_letter_test_is_the_one_given() {
        let masked = Field { pattern: Some("A-#".to_string()), ..field(FieldKind::Text) };
        let email = field(FieldKind::Email);
        assert_eq!(check_with(&masked, "ż-1", char::is_alphabetic), Ok(()));
        assert_eq!(check_with(&masked, "ż-1", |_| false), Err(Problem::Pattern));
        assert_eq!(check_with(&email, "ann@przykład.pl", |_| false), Err(Problem::Email));
        assert_eq!(check_with(&email, "ann@example.pl", |_| false), Ok(()));
    }

    #[test]
    fn text_is_trimmed_and_counted_in_characters() {
        let name = Field { min_length: Some(6), max_length: Some(6), ..required(FieldKind::Text) };
        assert_checks(
            &name,
            &[
                ("zażółć", Ok(())),
                ("  zażółć \n", Ok(())),
                ("zażół", Err(Problem::TooShort { min: 6 })),
                ("zażółćx", Err(Problem::TooLong { max: 6 })),
            ],
        );
    }

    #[test]
    fn byte_limits_apply_even_without_max_length() {
        let text = field(FieldKind::Text);
        let long = Err(Problem::TooLong { max: 1024 });
        assert_eq!(check(&text, &"a".repeat(1024)), Ok(()));
        assert_eq!(check(&text, &"a".repeat(1025)), long);
        // 513 characters, 1026 bytes.
        assert_eq!(check(&text, &"ż".repeat(513)), long);
        let generous = Field { max_length: Some(100_000), ..field(FieldKind::Text) };
        assert_eq!(check(&generous, &"a".repeat(1025)), long);

        let textarea = field(FieldKind::Textarea);
        assert_eq!(check(&textarea, &"a".repeat(5000)), Ok(()));
        assert_eq!(check(&textarea, &"a".repeat(5001)), Err(Problem::TooLong { max: 5000 }));

        let hidden = field(FieldKind::Hidden);
        assert_eq!(check(&hidden, &"a".repeat(MAX_URL_LEN)), Ok(()));
        assert_eq!(
            check(&hidden, &"a".repeat(MAX_URL_LEN + 1)),
            Err(Problem::TooLong { max: 2048 })
        );
    }

    #[test]
    fn emails() {
        let email = field(FieldKind::Email);
        for good in [
            "ann@example.com",
            " ann@example.com ",
            "ann.lee+leads@mail.example.co.uk",
            "zażółć@przykład.pl",
            "a@b.c",
            "x@my-host.example",
            "ANN@EXAMPLE.COM",
        ] {
            assert_eq!(check(&email, good), Ok(()), "{good:?}");
        }
        let too_long = std::format!("a@{}.com", "b".repeat(250));
        for bad in [
            "a@b",
            "ann",
            "@example.com",
            "ann@",
            "ann@exa mple.com",
            "an n@example.com",
            "ann@@example.com",
            "ann@ex@ample.com",
            "ann@example..com",
            "ann@.example.com",
            "ann@example.com.",
            "ann..lee@example.com",
            ".ann@example.com",
            "ann.@example.com",
            "ann@-example.com",
            "ann@example-.com",
            "ann@exam_ple.com",
            "ann@example.com/x",
            &too_long,
        ] {
            assert_eq!(check(&email, bad), Err(Problem::Email), "{bad:?}");
        }
    }

    #[test]
    fn phone_numbers() {
        let tel = field(FieldKind::Tel);
        for good in ["+48 600 700 800", "600700800", "(22) 123-45-67", "600.700.800", "123456"] {
            assert_eq!(check(&tel, good), Ok(()), "{good:?}");
        }
        for bad in [
            "12",
            "12345",
            "600+700",
            "++48 600 700 800",
            "+48 600 700 800 ext 5",
            "1234567890123456",
            "600/700/800",
            "６００７００８００",
        ] {
            assert_eq!(check(&tel, bad), Err(Problem::Tel), "{bad:?}");
        }
    }

    #[test]
    fn numbers() {
        let number = field(FieldKind::Number);
        for good in ["0", "42", "-3", "+7", "12.5", "-0.001", "007", &"9".repeat(308)] {
            assert_eq!(check(&number, good), Ok(()), "{good:?}");
        }
        for bad in [
            "-",
            "+",
            "1.",
            ".5",
            "1,5",
            "1e3",
            "1.2.3",
            "NaN",
            "inf",
            "12a",
            "- 1",
            &"9".repeat(309),
        ] {
            assert_eq!(check(&number, bad), Err(Problem::Number), "{bad:?}");
        }
    }

    #[test]
    fn urls() {
        let url = field(FieldKind::Url);
        for good in [
            "https://example.com",
            "http://example.com/pricing?plan=team#faq",
            "HTTPS://Example.com",
            "https://user@example.com:8443/",
            "http://[::1]:8080/",
            "https://przykład.pl",
        ] {
            assert_eq!(check(&url, good), Ok(()), "{good:?}");
        }
        for bad in [
            "example.com",
            "ftp://example.com",
            "https://",
            "https:///path",
            "https://:80",
            "https://user@",
            "https://exa mple.com",
            "javascript:alert(1)",
        ] {
            assert_eq!(check(&url, bad), Err(Problem::Url), "{bad:?}");
        }
    }

    #[test]
    fn select_and_radio_take_their_options_only() {
        let options = vec![
            Choice { value: "small".to_string(), label: "1-10".to_string() },
            Choice { value: "large".to_string(), label: "11+".to_string() },
        ];
        for kind in [FieldKind::Select, FieldKind::Radio] {
            let size = Field { options: options.clone(), ..field(kind) };
            assert_checks(
                &size,
                &[
                    ("small", Ok(())),
                    (" large ", Ok(())),
                    ("Large", Err(Problem::NotAnOption)),
                    ("1-10", Err(Problem::NotAnOption)),
                ],
            );
        }
    }

    #[test]
    fn countries_are_assigned_upper_case_codes() {
        let country = field(FieldKind::Country);
        for good in ["PL", "DE", "AD", "ZW", "GB", "US", " UA "] {
            assert_eq!(check(&country, good), Ok(()), "{good:?}");
        }
        for bad in ["XX", "pl", "Pl", "UK", "EU", "P", "POL", "AA", "ZZ", "ŻŁ", "P L"] {
            assert_eq!(check(&country, bad), Err(Problem::Country), "{bad:?}");
        }
        assert_eq!(COUNTRIES.len(), 2 * 249);
        let codes: Vec<&[u8]> = COUNTRIES.as_bytes().chunks(2).collect();
        assert!(codes.windows(2).all(|pair| pair[0] < pair[1]), "sorted, no repeats");
        assert!(COUNTRIES.bytes().all(|byte| byte.is_ascii_uppercase()));
    }

    #[test]
    fn checkboxes_and_consent() {
        for kind in [FieldKind::Checkbox, FieldKind::Consent] {
            for value in ["true", "on", "", "false"] {
                assert_eq!(check(&field(kind), value), Ok(()), "{kind:?} {value:?}");
            }
            for value in ["yes", "1", "TRUE"] {
                assert_eq!(check(&field(kind), value), Err(Problem::NotAnOption), "{value:?}");
            }
        }
        let consent = required(FieldKind::Consent);
        assert_checks(
            &consent,
            &[("on", Ok(())), ("true", Ok(())), ("false", Err(Problem::ConsentRequired))],
        );
        let checkbox = required(FieldKind::Checkbox);
        assert_checks(&checkbox, &[("on", Ok(())), ("false", Err(Problem::Required))]);
    }

    #[test]
    fn patterns_are_masks_over_the_whole_value() {
        let postcode = Field { pattern: Some("##-###".to_string()), ..field(FieldKind::Text) };
        assert_checks(
            &postcode,
            &[
                ("00-950", Ok(())),
                (" 00-950 ", Ok(())),
                ("00950", Err(Problem::Pattern)),
                ("00-9501", Err(Problem::Pattern)),
                ("0a-950", Err(Problem::Pattern)),
            ],
        );
        for (mask, value, expected) in [
            ("AA ####", "ŻŁ 1234", true),
            ("AA ####", "12 1234", false),
            ("pl-##", "PL-12", true),
            ("?-?", "ż-1", true),
            ("?-?", "ż-", false),
            ("INV-*", "inv-2025/001", true),
            ("AB-#", "XB-1", true),
            ("AB-#", "XC-1", false),
            ("ab-#", "AB-1", true),
            ("ab-#", "XB-1", false),
            ("*#", "room 7", true),
            ("*#", "room", false),
            ("", "", true),
            ("*", "", true),
        ] {
            assert_eq!(
                mask_match(mask, value, char::is_alphabetic),
                expected,
                "{mask:?} on {value:?}"
            );
        }
        // Format first, then the mask.
        let work = Field { pattern: Some("*@example.com".to_string()), ..field(FieldKind::Email) };
        assert_checks(
            &work,
            &[
                ("ann@example.com", Ok(())),
                ("ann@example.org", Err(Problem::Pattern)),
                ("ann@@example.com", Err(Problem::Email)),
            ],
        );
    }

    #[test]
    fn messages_in_both_languages_with_numbers() {
        for (problem, en, pl) in [
            (
                Problem::TooShort { min: 3 },
                "Use at least 3 characters.",
                "Wpisz co najmniej 3 znaki.",
            ),
            (
                Problem::TooShort { min: 1 },
                "Use at least 1 character.",
                "Wpisz co najmniej 1 znak.",
            ),
            (
                Problem::TooLong { max: 5 },
                "Use at most 5 characters.",
                "Wpisz co najwyżej 5 znaków.",
            ),
            (
                Problem::TooLong { max: 12 },
                "Use at most 12 characters.",
                "Wpisz co najwyżej 12 znaków.",
            ),
            (
                Problem::TooLong { max: 22 },
                "Use at most 22 characters.",
                "Wpisz co najwyżej 22 znaki.",
            ),
            (
                Problem::TooLong { max: 1024 },
                "Use at most 1024 characters.",
                "Wpisz co najwyżej 1024 znaki.",
            ),
            (
                Problem::TooLong { max: 0 },
                "Use at most 0 characters.",
                "Wpisz co najwyżej 0 znaków.",
            ),
            (Problem::Required, "This field is required.", "To pole jest wymagane."),
            (Problem::Email, "Enter a valid email address.", "Wpisz poprawny adres e-mail."),
        ] {
            assert_eq!(problem.message(Lang::En), en);
            assert_eq!(problem.message(Lang::Pl), pl);
        }
        let mut out = String::new();
        push_decimal(&mut out, u32::MAX);
        assert_eq!(out, "4294967295");
    }

    #[test]
    fn every_problem_has_a_code_and_two_messages() {
        let all = [
            Problem::Required,
            Problem::TooShort { min: 2 },
            Problem::TooLong { max: 2 },
            Problem::Email,
            Problem::Tel,
            Problem::Number,
            Problem::Url,
            Problem::NotAnOption,
            Problem::Country,
            Problem::Pattern,
            Problem::ConsentRequired,
            Problem::Unknown,
            Problem::Disposable,
        ];
        for (at, problem) in all.iter().enumerate() {
            assert!(all.iter().skip(at + 1).all(|other| other.code() != problem.code()));
            let en = problem.message(Lang::En);
            let pl = problem.message(Lang::Pl);
            assert!(en.ends_with('.') && pl.ends_with('.') && en != pl, "{problem:?}");
            let json = serde_json::to_value(problem).expect("serializes");
            assert_eq!(json["code"], problem.code());
            assert_eq!(serde_json::from_value::<Problem>(json).expect("parses"), *problem);
        }
        assert_eq!(
            serde_json::to_string(&Problem::TooShort { min: 3 }).expect("serializes"),
            r#"{"code":"too_short","min":3}"#
        );
    }

    #[test]
    fn languages_from_tags() {
        for tag in ["pl", "PL", "pl-PL", "pl_PL", " pl-pl", "pl,en;q=0.8", "pl;q=1"] {
            assert_eq!(Lang::from_tag(tag), Lang::Pl, "{tag:?}");
        }
        for tag in ["", "en", "en-GB", "de-DE", "plx", "en,pl;q=0.9", "fil"] {
            assert_eq!(Lang::from_tag(tag), Lang::En, "{tag:?}");
        }
    }

    #[test]
    fn a_field_message_overrides_with_polish_falling_back_to_english() {
        let problem = Problem::Pattern;
        let plain = field(FieldKind::Text);
        assert_eq!(message_for(&plain, problem, Lang::Pl), "Wpisz wartość w wymaganym formacie.");
        let english_only = Field {
            message: Some(Texts { en: "Use NN-NNN.".to_string(), pl: None }),
            ..field(FieldKind::Text)
        };
        assert_eq!(message_for(&english_only, problem, Lang::En), "Use NN-NNN.");
        assert_eq!(message_for(&english_only, problem, Lang::Pl), "Use NN-NNN.");
        let both = Field {
            message: Some(Texts {
                en: "Use NN-NNN.".to_string(),
                pl: Some("Wpisz kod w formacie NN-NNN.".to_string()),
            }),
            ..field(FieldKind::Text)
        };
        assert_eq!(message_for(&both, Problem::TooLong { max: 6 }, Lang::En), "Use NN-NNN.");
        assert_eq!(message_for(&both, problem, Lang::Pl), "Wpisz kod w formacie NN-NNN.");
    }

    #[test]
    fn check_all_reports_in_field_order_then_unknown_names() {
        let fields = [
            required(FieldKind::Email),
            Field { min_length: Some(2), ..field(FieldKind::Text) },
            required(FieldKind::Consent),
            field(FieldKind::Hidden),
            field(FieldKind::Tel),
        ];
        let values: Vec<(String, String)> = [
            ("hidden", "newsletter"),
            ("bogus", "1"),
            ("text", "x"),
            ("tel", "+48 600 700 800"),
            ("bogus", "2"),
            ("extra", ""),
            ("text", "second value is ignored"),
        ]
        .into_iter()
        .map(|(name, value)| (name.to_string(), value.to_string()))
        .collect();
        let expected: Vec<(String, Problem)> = [
            ("email", Problem::Required),
            ("text", Problem::TooShort { min: 2 }),
            ("consent", Problem::ConsentRequired),
            ("bogus", Problem::Unknown),
            ("extra", Problem::Unknown),
        ]
        .into_iter()
        .map(|(name, problem)| (name.to_string(), problem))
        .collect();
        assert_eq!(check_all(&fields, &values), expected);

        let fixed: Vec<(String, String)> =
            [("email", "ann@example.com"), ("consent", "on"), ("text", "Ann")]
                .into_iter()
                .map(|(name, value)| (name.to_string(), value.to_string()))
                .collect();
        assert_eq!(check_all(&fields, &fixed), vec![]);
    }

    #[test]
    fn definitions_parse_and_refuse_unknown_keys() {
        let fields: Vec<Field> = serde_json::from_str(
            r###"[
              {"name": "email", "kind": "email", "label": "Work email", "required": true,
               "placeholder": "ann@example.com", "message": {"en": "We need your email.",
               "pl": "Potrzebujemy adresu e-mail."}},
              {"name": "size", "kind": "select", "label": "Team size",
               "options": [{"value": "small", "label": "1-10"}, {"value": "large", "label": "11+"}]},
              {"name": "postcode", "kind": "text", "label": "Postal code", "pattern": "##-###",
               "min_length": 6, "max_length": 6, "help": "NN-NNN"},
              {"name": "news", "kind": "consent", "label": "News", "required": true,
               "consent": {"text": "I agree to receive news by email.", "version": "2025-01"}},
              {"name": "campaign", "kind": "hidden", "source": "utm_campaign"}
            ]"###,
        )
        .expect("parses");
        assert_eq!(fields.len(), 5);
        assert_eq!(fields[0].kind, FieldKind::Email);
        assert!(fields[0].required);
        assert_eq!(fields[1].options[1].value, "large");
        assert_eq!(fields[2].pattern.as_deref(), Some("##-###"));
        assert_eq!(
            fields[3].consent.as_ref().map(|consent| consent.version.as_str()),
            Some("2025-01")
        );
        assert_eq!(fields[4].source, Some(HiddenSource::UtmCampaign));
        assert_eq!(fields[4].label, "");
        assert!(!fields[4].required);

        let round_trip = serde_json::to_string(&fields).expect("serializes");
        assert_eq!(serde_json::from_str::<Vec<Field>>(&round_trip).expect("parses"), fields);

        let plain: Field = serde_json::from_str(r#"{"name": "a"}"#).expect("kind defaults");
        assert_eq!(plain.kind, FieldKind::Text);

        for bad in [
            r#"{"name": "a", "kind": "text", "lable": "A"}"#,
            r#"{"name": "a", "kind": "file"}"#,
            r#"{"kind": "text"}"#,
            r#"{"name": "a", "kind": "hidden", "source": "gclid"}"#,
            r#"{"name": "a", "kind": "select", "options": [{"value": "x", "label": "X", "y": 1}]}"#,
            r#"{"name": "a", "kind": "consent", "consent": {"text": "t", "version": "1", "at": 0}}"#,
            r#"{"name": "a", "kind": "text", "message": {"en": "e", "de": "d"}}"#,
        ] {
            assert!(serde_json::from_str::<Field>(bad).is_err(), "{bad}");
        }
    }
}
