//! The words the layout and macros write themselves ("There is a problem", "Back", the footer),
//! by key, so a service can give them in its citizen's language.
//!
//! The templates write `{{ "govuk-back"|t }}`: Askama looks the `t` filter up in a `filters`
//! module beside each template struct. A service in English only brings this crate's
//! (`use govuk_assets::words::filters;`); a service with message catalogues brings its own `t`,
//! which must know every key of [`KEYS`].

/// Each key the layout and macros use, with its English text.
pub const KEYS: &[(&str, &str)] = &[
    ("language-code", "en"),
    ("govuk-service-name", "One Login"),
    ("govuk-skip-link", "Skip to main content"),
    ("govuk-service-information", "Service information"),
    ("govuk-phase-tag", "Alpha"),
    ("govuk-phase-before-link", "This is a new service – your"),
    ("govuk-phase-link", "feedback"),
    ("govuk-phase-after-link", "will help us to improve it."),
    ("govuk-support-links", "Support links"),
    ("govuk-accessibility", "Accessibility statement"),
    ("govuk-cookies", "Cookies"),
    ("govuk-privacy", "Privacy"),
    (
        "govuk-licence-before-link",
        "All content is available under the",
    ),
    ("govuk-licence-link", "Open Government Licence v3.0"),
    (
        "govuk-licence-after-link",
        ", except where otherwise stated",
    ),
    ("govuk-copyright", "© Crown copyright"),
    ("govuk-there-is-a-problem", "There is a problem"),
    ("govuk-error", "Error:"),
    ("govuk-warning", "Warning"),
    ("govuk-back", "Back"),
    ("govuk-menu", "Menu"),
    ("govuk-day", "Day"),
    ("govuk-month", "Month"),
    ("govuk-year", "Year"),
    ("govuk-or", "or"),
    ("govuk-show", "Show"),
    ("govuk-hide", "Hide"),
    ("govuk-show-password", "Show password"),
    ("govuk-hide-password", "Hide password"),
    ("govuk-password-shown", "Your password is visible"),
    ("govuk-password-hidden", "Your password is hidden"),
];

/// The English text of `key`, or the key itself.
pub fn english(key: &str) -> &str {
    KEYS.iter()
        .find(|(k, _)| *k == key)
        .map_or(key, |(_, text)| text)
}

/// The English `t` filter for services without catalogues.
pub mod filters {
    #[askama::filter_fn]
    pub fn t(key: impl std::fmt::Display, _env: &dyn askama::Values) -> askama::Result<String> {
        Ok(super::english(&key.to_string()).to_owned())
    }
}
