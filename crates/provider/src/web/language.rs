//! The language of each request's pages (issue 15), chosen once by [`choose_language`], a layer
//! around every route: `ui_locales` on the request (the authorization request, whose handler
//! also sets the cookie from it, so the rest of the journey keeps it), then the cookie the
//! toggle set, then `Accept-Language`, then English.
//!
//! The choice is kept for the request in a task-local, which the templates' `t` filter and
//! [`text`] read: so a page, an error page rendered by the error mapping, and a validation
//! message all speak the same language without each handler passing it along. Handlers that
//! send email take the [`RequestLanguage`] extractor and hand it to the mail.

use std::convert::Infallible;

use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};

use one_login_core::i18n::{self, TOGGLE_PARAMETER, without_toggle};
pub use one_login_core::i18n::{FluentValue, Language};

use crate::app::AppState;
use crate::web::visit::browser_cookie;

tokio::task_local! {
    static CURRENT: Language;
}

/// How long the toggle's choice is remembered.
const COOKIE_LIFETIME: time::Duration = time::Duration::days(365);

/// The language cookie's name: `__Host-` whenever https, like the session's.
pub fn cookie_name(https: bool) -> &'static str {
    if https {
        "__Host-one-login-lang"
    } else {
        "one-login-lang"
    }
}

/// The language this request's pages are in (English outside a request, as in unit tests).
pub fn current() -> Language {
    CURRENT.try_with(|language| *language).unwrap_or_default()
}

/// The message `key` in this request's language.
pub fn text(key: &str) -> String {
    current().text(key)
}

/// The message `key`, with arguments, in this request's language.
pub fn text_with(key: &str, args: &[(&str, FluentValue<'_>)]) -> String {
    current().text_with(key, args)
}

/// A length of time in this request's language: "15 minutes", "2 hours", "2 awr".
pub fn duration(count: u64, unit: TimeUnit) -> String {
    let key = match unit {
        TimeUnit::Minute => "duration-minutes",
        TimeUnit::Hour => "duration-hours",
    };
    text_with(key, &[("count", FluentValue::from(count))])
}

/// The units [`duration`] counts in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeUnit {
    Minute,
    Hour,
}

/// English text the code composed, in this request's language ([`Language::from_english`]).
pub fn from_english(english: &str) -> String {
    current().from_english(english)
}

/// What the query asks of the language: a toggle (answered by a redirect without it) or a
/// relying party's `ui_locales`.
#[derive(Debug, PartialEq, Eq)]
enum Asked {
    Toggle(Language),
    UiLocales(Language),
    Nothing,
}

fn asked(method: &Method, query: Option<&str>) -> Asked {
    let pairs = || form_urlencoded(query.unwrap_or(""));
    if method == Method::GET
        && let Some(language) = pairs()
            .find(|(name, _)| name == TOGGLE_PARAMETER)
            .and_then(|(_, value)| Language::from_tag(&value))
    {
        return Asked::Toggle(language);
    }
    pairs()
        .find(|(name, _)| name == "ui_locales")
        .and_then(|(_, value)| Language::from_ui_locales(&value))
        .map_or(Asked::Nothing, Asked::UiLocales)
}

fn form_urlencoded(query: &str) -> impl Iterator<Item = (String, String)> + '_ {
    url::form_urlencoded::parse(query.as_bytes()).map(|(k, v)| (k.into_owned(), v.into_owned()))
}

/// The language the cookie, then `Accept-Language`, ask for; English when neither does.
fn from_headers(headers: &HeaderMap, https: bool) -> Language {
    i18n::remembered_or_accepted(
        headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|value| value.to_str().ok()),
        cookie_name(https),
        headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|value| value.to_str().ok()),
    )
}

/// The layer that chooses the request's language, answers the toggle and remembers a choice.
pub async fn choose_language(
    State(app): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let https = app.config.issuer_is_https();
    let uri = request.uri().clone();
    let asked = asked(request.method(), uri.query());
    let language = match asked {
        Asked::Toggle(language) => {
            // Back to the same page, which the citizen now reads in the chosen language. The
            // path is this request's own, so the redirect cannot leave the site.
            let mut response =
                Redirect::to(&without_toggle(uri.path(), uri.query())).into_response();
            remember(&mut response, language, https);
            return response;
        }
        Asked::UiLocales(language) => language,
        Asked::Nothing => from_headers(request.headers(), https),
    };
    request.extensions_mut().insert(language);
    CURRENT.scope(language, next.run(request)).await
}

/// Sets the language cookie: the toggle's choice, or the journey's `ui_locales`.
pub fn remember(response: &mut Response, language: Language, https: bool) {
    if let Some(cookie) = browser_cookie(
        cookie_name(https),
        https,
        language.code().to_owned(),
        Some(COOKIE_LIFETIME),
    ) {
        response.headers_mut().append(header::SET_COOKIE, cookie);
    }
}

/// The request's language, for a handler that needs it beyond its page (an email): the
/// extractor `RequestLanguage(language): RequestLanguage`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RequestLanguage(pub Language);

impl<S: Send + Sync> FromRequestParts<S> for RequestLanguage {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(RequestLanguage(
            parts
                .extensions
                .get::<Language>()
                .copied()
                .unwrap_or_else(current),
        ))
    }
}

/// The templates' filters: `{{ "sign-in"|t }}`, and with the catalogue's arguments
/// `{{ "since"|t_with("since", service.since) }}` (a value that reads as a number is a number,
/// so the catalogue can choose the plural). Each module that declares template structs has
/// `use crate::web::language::filters;`.
pub mod filters {
    use std::fmt::Display;

    use super::{FluentValue, text, text_with};

    /// A number when it reads back the same (so "08" stays text), else text.
    fn value(value: &impl Display) -> FluentValue<'static> {
        let text = value.to_string();
        match FluentValue::try_number(&text) {
            FluentValue::Number(number) if number.as_string() == text => {
                FluentValue::Number(number)
            }
            _ => FluentValue::from(text),
        }
    }

    #[askama::filter_fn]
    pub fn t(key: impl Display, _env: &dyn askama::Values) -> askama::Result<String> {
        Ok(text(&key.to_string()))
    }

    /// Text the code composed in English: `{{ paragraph|from_english }}`.
    #[askama::filter_fn]
    pub fn from_english(
        english: impl Display,
        _env: &dyn askama::Values,
    ) -> askama::Result<String> {
        Ok(super::from_english(&english.to_string()))
    }

    #[askama::filter_fn]
    pub fn t_with<K: Display, V: Display>(
        key: K,
        _env: &dyn askama::Values,
        name: &str,
        arg: V,
    ) -> askama::Result<String> {
        Ok(text_with(&key.to_string(), &[(name, value(&arg))]))
    }

    #[askama::filter_fn]
    pub fn t_with2<K: Display, V: Display, W: Display>(
        key: K,
        _env: &dyn askama::Values,
        name: &str,
        arg: V,
        second_name: &str,
        second_arg: W,
    ) -> askama::Result<String> {
        Ok(text_with(
            &key.to_string(),
            &[(name, value(&arg)), (second_name, value(&second_arg))],
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_toggle_wins_on_a_get_and_ui_locales_otherwise() {
        assert_eq!(
            asked(&Method::GET, Some("lang=cy")),
            Asked::Toggle(Language::Cy)
        );
        assert_eq!(asked(&Method::POST, Some("lang=cy")), Asked::Nothing);
        assert_eq!(
            asked(&Method::GET, Some("client_id=a&ui_locales=fr%20cy")),
            Asked::UiLocales(Language::Cy)
        );
        assert_eq!(asked(&Method::GET, Some("lang=fr")), Asked::Nothing);
        assert_eq!(asked(&Method::GET, None), Asked::Nothing);
    }

    #[test]
    fn the_cookie_comes_before_accept_language() {
        let mut headers = HeaderMap::new();
        headers.insert(header::ACCEPT_LANGUAGE, "cy".parse().unwrap());
        assert_eq!(from_headers(&headers, true), Language::Cy);
        headers.insert(
            header::COOKIE,
            "a=b; __Host-one-login-lang=en".parse().unwrap(),
        );
        assert_eq!(from_headers(&headers, true), Language::En);
        // Over http the cookie has its plain name, so the __Host- one is someone else's.
        assert_eq!(from_headers(&headers, false), Language::Cy);
        assert_eq!(from_headers(&HeaderMap::new(), false), Language::En);
    }

    #[tokio::test]
    async fn text_follows_the_request_s_language() {
        assert_eq!(text("govuk-back"), "Back");
        let welsh = CURRENT
            .scope(Language::Cy, async { text("govuk-back") })
            .await;
        assert_eq!(welsh, "Yn ôl");
    }
}
