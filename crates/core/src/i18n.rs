//! The citizen's language (issue 15): English or Welsh, chosen per request by the web edge, and
//! the message catalogues every page and email takes its words from.
//!
//! The catalogues are Fluent files (`crates/core/locales/<code>.ftl`), compiled in and parsed
//! once, on first use, into concurrent bundles (shared by every request, formatters memoised).
//! Both files hold the same keys; a test fails when they differ (the provider's
//! `web::catalogue_check`, whose helper the departments' catalogues share).

use std::collections::HashMap;
use std::sync::{LazyLock, OnceLock};

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource};
use serde::{Deserialize, Serialize};
use unic_langid::{LanguageIdentifier, langid};

pub use fluent_bundle::FluentValue;

/// A language every page and email is offered in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    #[default]
    En,
    Cy,
}

/// Each catalogue's source, compiled in.
pub const CATALOGUES: [(Language, &str); 2] = [
    (Language::En, include_str!("../locales/en.ftl")),
    (Language::Cy, include_str!("../locales/cy.ftl")),
];

impl Language {
    pub const ALL: [Language; 2] = [Language::En, Language::Cy];

    /// The BCP 47 code, as `<html lang>` and `ui_locales` write it.
    pub fn code(self) -> &'static str {
        match self {
            Language::En => "en",
            Language::Cy => "cy",
        }
    }

    /// `en`, `cy`, or a tag whose primary subtag is one of them (`en-GB`, `cy-GB`).
    pub fn from_tag(tag: &str) -> Option<Language> {
        let primary = tag.trim().split(['-', '_']).next()?;
        Language::ALL
            .into_iter()
            .find(|l| primary.eq_ignore_ascii_case(l.code()))
    }

    /// OpenID Connect Core 3.1.2.1: `ui_locales` is a space-separated list in order of
    /// preference; the first one offered wins.
    pub fn from_ui_locales(value: &str) -> Option<Language> {
        value.split_whitespace().find_map(Language::from_tag)
    }

    /// RFC 9110 12.5.4: the offered language with the highest weight; `q=0` means "not this".
    pub fn from_accept_language(value: &str) -> Option<Language> {
        let mut best: Option<(Language, f32)> = None;
        for item in value.split(',') {
            let mut parts = item.split(';');
            let Some(language) = parts.next().and_then(Language::from_tag) else {
                continue;
            };
            let weight = parts
                .find_map(|p| p.trim().strip_prefix("q="))
                .map_or(Some(1.0), |q| q.trim().parse::<f32>().ok())
                .unwrap_or(0.0);
            if weight > 0.0 && best.is_none_or(|(_, w)| weight > w) {
                best = Some((language, weight));
            }
        }
        best.map(|(language, _)| language)
    }

    /// The message `key` in this language.
    pub fn text(self, key: &str) -> String {
        self.text_with(key, &[])
    }

    /// The message `key` with its arguments (`{ $name }` in the catalogue). A key missing here
    /// falls back to English, then to the key itself: a page shows something rather than fail.
    pub fn text_with(self, key: &str, args: &[(&str, FluentValue<'_>)]) -> String {
        let fluent_args = fluent_args(args);
        let args = (!args.is_empty()).then_some(&fluent_args);
        [self, Language::En]
            .into_iter()
            .find_map(|language| format(bundle(language), key, args))
            .unwrap_or_else(|| {
                tracing::warn!(key, "message missing from the catalogues");
                key.to_owned()
            })
    }

    /// `english`, a sentence the code composes, in this language: found in the catalogue by
    /// its English text (as gettext finds a message by its English), so the rules can keep
    /// returning plain English. Text the catalogue does not hold stays English.
    pub fn from_english(self, english: &str) -> String {
        if self == Language::En {
            return english.to_owned();
        }
        ENGLISH_KEYS
            .get(english)
            .map_or_else(|| english.to_owned(), |key| self.text(key))
    }

    /// A date as GOV.UK writes it: "8 July 1965", "8 Gorffennaf 1965".
    pub fn date(self, date: time::Date) -> String {
        let month = self.text(&format!("month-{}", u8::from(date.month())));
        format!("{} {} {}", date.day(), month, date.year())
    }

    /// A moment (unix seconds, UTC) as GOV.UK writes it: "2 January 2026 at 3:04pm",
    /// "2 Ionawr 2026 am 3:04yh".
    pub fn date_time(self, unix: i64) -> String {
        let Ok(at) = time::OffsetDateTime::from_unix_timestamp(unix) else {
            return self.text("time-unknown");
        };
        let hour12 = match at.hour() % 12 {
            0 => 12,
            h => h,
        };
        let meridiem = self.text(if at.hour() < 12 { "time-am" } else { "time-pm" });
        let time = format!("{}:{:02}{}", hour12, at.minute(), meridiem);
        self.text_with(
            "date-at-time",
            &[
                ("date", FluentValue::from(self.date(at.date()))),
                ("time", FluentValue::from(time)),
            ],
        )
    }
}

/// A sentence the code composes around values (a field's name, a count, a postcode): a
/// catalogue key and its arguments, put into words in the citizen's language only when a page
/// shows it. Rules that know nothing of the request return these rather than English.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub key: &'static str,
    pub args: Vec<(&'static str, MessageArg)>,
}

/// One argument of a [`Message`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MessageArg {
    /// Shown as it is (an email address, a postcode).
    Text(String),
    /// A count: the catalogue chooses the plural.
    Number(i64),
    /// Another message, in the same language ("surname" inside "Enter your surname").
    Key(&'static str),
}

impl Message {
    pub fn new(key: &'static str) -> Self {
        Message {
            key,
            args: Vec::new(),
        }
    }

    pub fn text(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.args.push((name, MessageArg::Text(value.into())));
        self
    }

    pub fn number(mut self, name: &'static str, value: i64) -> Self {
        self.args.push((name, MessageArg::Number(value)));
        self
    }

    pub fn key(mut self, name: &'static str, key: &'static str) -> Self {
        self.args.push((name, MessageArg::Key(key)));
        self
    }

    /// The sentence in `language`.
    pub fn in_language(&self, language: Language) -> String {
        let args: Vec<(&str, FluentValue<'_>)> = (self.args.iter())
            .map(|(name, arg)| {
                let value = match arg {
                    MessageArg::Text(text) => FluentValue::from(text.as_str()),
                    MessageArg::Number(n) => FluentValue::from(*n),
                    MessageArg::Key(key) => FluentValue::from(language.text(key)),
                };
                (*name, value)
            })
            .collect();
        language.text_with(self.key, &args)
    }
}

/// In English: what logs and tests read.
impl std::fmt::Display for Message {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.in_language(Language::En))
    }
}

impl std::fmt::Display for Language {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

type Bundle = FluentBundle<FluentResource>;

fn fluent_args<'a>(args: &[(&'a str, FluentValue<'a>)]) -> FluentArgs<'a> {
    let mut fluent_args = FluentArgs::new();
    for (name, value) in args {
        fluent_args.set(*name, value.clone());
    }
    fluent_args
}

/// Another service's own catalogues over the same machinery (a demo department's, issue 15):
/// its messages first, then the shared ones above, which hold the GOV.UK layout's words
/// (`govuk-*`, `language-code`) and the month names, so those are translated once.
///
/// `static WORDS: Catalogue = Catalogue::new([(Language::En, include_str!(…)), (Language::Cy, …)]);`
pub struct Catalogue {
    sources: [(Language, &'static str); 2],
    bundles: OnceLock<[Bundle; 2]>,
}

impl Catalogue {
    /// The English source first, then the Welsh, as [`CATALOGUES`].
    pub const fn new(sources: [(Language, &'static str); 2]) -> Catalogue {
        Catalogue {
            sources,
            bundles: OnceLock::new(),
        }
    }

    pub fn sources(&self) -> [(Language, &'static str); 2] {
        self.sources
    }

    fn bundle(&self, language: Language) -> &Bundle {
        let bundles = self.bundles.get_or_init(|| {
            self.sources
                .map(|(language, source)| build(language, source))
        });
        match language {
            Language::En => &bundles[0],
            Language::Cy => &bundles[1],
        }
    }

    /// The message `key` in `language`.
    pub fn text(&self, language: Language, key: &str) -> String {
        self.text_with(language, key, &[])
    }

    /// The message `key` with its arguments: this catalogue's, else the shared one's, in
    /// `language`, then in English (as [`Language::text_with`]), then the key itself.
    pub fn text_with(
        &self,
        language: Language,
        key: &str,
        args: &[(&str, FluentValue<'_>)],
    ) -> String {
        let fluent_args = fluent_args(args);
        let args = (!args.is_empty()).then_some(&fluent_args);
        [language, Language::En]
            .into_iter()
            .find_map(|language| {
                format(self.bundle(language), key, args)
                    .or_else(|| format(bundle(language), key, args))
            })
            .unwrap_or_else(|| {
                tracing::warn!(key, "message missing from the catalogues");
                key.to_owned()
            })
    }
}

static BUNDLES: LazyLock<[Bundle; 2]> =
    LazyLock::new(|| CATALOGUES.map(|(language, source)| build(language, source)));

/// Each English message without arguments, to its key (the first key, if two say the same).
static ENGLISH_KEYS: LazyLock<HashMap<String, String>> = LazyLock::new(|| {
    let english = bundle(Language::En);
    let mut found = HashMap::new();
    for key in keys(CATALOGUES[0].1) {
        let Some(pattern) = english.get_message(&key).and_then(|m| m.value()) else {
            continue;
        };
        let mut errors = Vec::new();
        let text = english.format_pattern(pattern, None, &mut errors);
        if errors.is_empty() {
            found.entry(text.into_owned()).or_insert(key);
        }
    }
    found
});

fn bundle(language: Language) -> &'static Bundle {
    match language {
        Language::En => &BUNDLES[0],
        Language::Cy => &BUNDLES[1],
    }
}

fn identifier(language: Language) -> LanguageIdentifier {
    match language {
        Language::En => langid!("en-GB"),
        Language::Cy => langid!("cy-GB"),
    }
}

/// One language's bundle. A syntax error drops only the broken entry (the tests refuse any);
/// the rest of the catalogue still serves.
fn build(language: Language, source: &str) -> Bundle {
    let resource =
        FluentResource::try_new(source.to_owned()).unwrap_or_else(|(resource, errors)| {
            tracing::error!(%language, errors = errors.len(), "catalogue has syntax errors");
            resource
        });
    let mut bundle = FluentBundle::new_concurrent(vec![identifier(language)]);
    // The words go into HTML and plain-text email, where Unicode isolation marks only get in
    // the way of tests and copy-and-paste.
    bundle.set_use_isolating(false);
    if let Err(errors) = bundle.add_resource(resource) {
        tracing::error!(%language, errors = errors.len(), "catalogue has duplicate keys");
    }
    bundle
}

fn format(bundle: &Bundle, key: &str, args: Option<&FluentArgs<'_>>) -> Option<String> {
    let pattern = bundle.get_message(key)?.value()?;
    let mut errors = Vec::new();
    let text = bundle.format_pattern(pattern, args, &mut errors);
    if !errors.is_empty() {
        tracing::warn!(key, errors = errors.len(), "message formatted with errors");
    }
    Some(text.into_owned())
}

/// The query parameter of the language toggle (`?lang=cy`), on every service's pages.
pub const TOGGLE_PARAMETER: &str = "lang";

/// The language a remembered choice (the cookie `cookie_name` in the `Cookie` headers), then
/// `Accept-Language`, ask for; English when neither does.
pub fn remembered_or_accepted<'a>(
    cookie_headers: impl IntoIterator<Item = &'a str>,
    cookie_name: &str,
    accept_language: Option<&str>,
) -> Language {
    let from_cookie = cookie_headers
        .into_iter()
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == cookie_name)
        .and_then(|(_, value)| Language::from_tag(value));
    from_cookie
        .or_else(|| accept_language.and_then(Language::from_accept_language))
        .unwrap_or_default()
}

/// The same path and query without the toggle's parameter. A path a browser could read as
/// another site's address (`//host`, or with a backslash) goes to the start page instead, so
/// the toggle is never an open redirect.
pub fn without_toggle(path: &str, query: Option<&str>) -> String {
    let path = if path.starts_with('/') && !path.starts_with("//") && !path.contains('\\') {
        path
    } else {
        "/"
    };
    let kept: Vec<(String, String)> = url::form_urlencoded::parse(query.unwrap_or("").as_bytes())
        .filter(|(name, _)| name != TOGGLE_PARAMETER)
        .map(|(name, value)| (name.into_owned(), value.into_owned()))
        .collect();
    if kept.is_empty() {
        return path.to_owned();
    }
    let query = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(kept)
        .finish();
    format!("{path}?{query}")
}

/// The keys a catalogue's source defines, in order (for the tests that compare catalogues and
/// check the keys the pages use).
pub fn keys(source: &str) -> Vec<String> {
    use fluent_syntax::ast::Entry;
    let resource = match FluentResource::try_new(source.to_owned()) {
        Ok(resource) | Err((resource, _)) => resource,
    };
    resource
        .entries()
        .filter_map(|entry| match entry {
            Entry::Message(message) => Some(message.id.name.to_owned()),
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_toggle_s_redirect_keeps_the_rest_of_the_query_and_stays_on_the_site() {
        assert_eq!(without_toggle("/sign-in", Some("lang=cy")), "/sign-in");
        assert_eq!(without_toggle("/account", None), "/account");
        assert_eq!(
            without_toggle("/account", Some("a=1&lang=cy&b=x+y")),
            "/account?a=1&b=x+y"
        );
        assert_eq!(without_toggle("//evil.example/x", Some("lang=cy")), "/");
        assert_eq!(without_toggle("/\\evil.example", Some("lang=cy")), "/");
        assert_eq!(without_toggle("evil.example", Some("lang=cy")), "/");
    }

    #[test]
    fn every_message_formats_in_both_languages() {
        for key in keys(CATALOGUES[0].1) {
            for language in Language::ALL {
                let text = format(bundle(language), &key, None);
                assert!(
                    text.as_deref().is_some_and(|t| !t.trim().is_empty()),
                    "{key} has no text in {language}"
                );
            }
        }
    }

    #[test]
    fn ui_locales_takes_the_first_offered_language() {
        assert_eq!(Language::from_ui_locales("fr cy en"), Some(Language::Cy));
        assert_eq!(Language::from_ui_locales("en-GB cy"), Some(Language::En));
        assert_eq!(Language::from_ui_locales("fr de"), None);
        assert_eq!(Language::from_ui_locales(""), None);
    }

    #[test]
    fn accept_language_takes_the_heaviest_offered_language() {
        assert_eq!(
            Language::from_accept_language("cy-GB,cy;q=0.9,en;q=0.8"),
            Some(Language::Cy)
        );
        assert_eq!(
            Language::from_accept_language("fr, en;q=0.5, cy;q=0.7"),
            Some(Language::Cy)
        );
        assert_eq!(
            Language::from_accept_language("cy;q=0, en;q=0.1"),
            Some(Language::En)
        );
        assert_eq!(Language::from_accept_language("de, fr"), None);
    }

    #[test]
    fn welsh_text_and_english_fallback() {
        assert_eq!(Language::Cy.text("govuk-there-is-a-problem"), "Mae problem");
        assert_eq!(
            Language::En.text("govuk-there-is-a-problem"),
            "There is a problem"
        );
        assert_eq!(Language::Cy.text("no-such-key"), "no-such-key");
    }

    #[test]
    fn composed_english_is_found_by_its_text() {
        assert_eq!(Language::Cy.from_english("Back"), "Yn ôl");
        assert_eq!(Language::En.from_english("Back"), "Back");
        assert_eq!(
            Language::Cy.from_english("Not in any catalogue"),
            "Not in any catalogue"
        );
    }

    #[test]
    fn a_service_s_catalogue_comes_before_the_shared_one() {
        static WORDS: Catalogue = Catalogue::new([
            (Language::En, "apply = Apply\ngreeting = Hello { $name }\n"),
            (Language::Cy, "apply = Gwneud cais\n"),
        ]);
        assert_eq!(WORDS.text(Language::Cy, "apply"), "Gwneud cais");
        assert_eq!(WORDS.text(Language::En, "apply"), "Apply");
        // The layout's words and the month names come from the shared catalogue.
        assert_eq!(WORDS.text(Language::Cy, "govuk-back"), "Yn ôl");
        assert_eq!(WORDS.text(Language::Cy, "month-7"), "Gorffennaf");
        // Missing in Welsh: English, then the key.
        let name = [("name", FluentValue::from("Ada"))];
        assert_eq!(
            WORDS.text_with(Language::Cy, "greeting", &name),
            "Hello Ada"
        );
        assert_eq!(WORDS.text(Language::Cy, "no-such-key"), "no-such-key");
    }

    #[test]
    fn dates_use_the_language_s_month_names() {
        let date = time::macros::date!(1965 - 07 - 08);
        assert_eq!(Language::En.date(date), "8 July 1965");
        assert_eq!(Language::Cy.date(date), "8 Gorffennaf 1965");
    }

    #[test]
    fn times_are_written_in_the_language() {
        assert_eq!(
            Language::En.date_time(1_767_366_240),
            "2 January 2026 at 3:04pm"
        );
        assert_eq!(
            Language::Cy.date_time(1_767_366_240),
            "2 Ionawr 2026 am 3:04yh"
        );
    }

    #[test]
    fn composed_messages_translate_their_parts() {
        let problem = Message::new("problem-enter-your").key("what", "field-surname");
        assert_eq!(problem.to_string(), "Enter your surname");
        assert_eq!(problem.in_language(Language::Cy), "Rhowch eich cyfenw");
        let none = Message::new("problem-no-addresses-at-postcode").text("postcode", "BA2 5AA");
        assert!(none.in_language(Language::Cy).contains("BA2 5AA"));
    }

    #[test]
    fn arguments_and_plurals() {
        let tries = |language: Language, n: u32| {
            language.text_with("tries-left", &[("count", FluentValue::from(n))])
        };
        assert_eq!(
            tries(Language::En, 1),
            "You have 1 try left before you have to wait to try again."
        );
        assert_eq!(
            tries(Language::En, 2),
            "You have 2 tries left before you have to wait to try again."
        );
        assert!(
            tries(Language::Cy, 2).contains("2 cynnig"),
            "{}",
            tries(Language::Cy, 2)
        );
    }
}
