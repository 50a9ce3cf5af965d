//! The language of each request's pages (issue 15), chosen once by [`choose_language`], a layer
//! around every route: the toggle's `?lang=` (answered by a redirect to the same page, with a
//! cookie), then that cookie, then `Accept-Language`, then English.
//!
//! The words are the department's own catalogues (`crates/demo-rp/locales/<code>.ftl`) over the
//! provider's machinery ([`Catalogue`]), which also gives the GOV.UK layout's words and the
//! month names. The choice is kept for the request in a task-local that the templates' `t`
//! filter and [`text`] read, so a page and an error page drawn by the error mapping agree; and
//! it goes to the kit as [`UiLocales`], which sends it to the provider as `ui_locales`, so the
//! citizen stays in their language while signing in.

use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use one_login_rp::UiLocales;

use one_login_core::i18n::{self, TOGGLE_PARAMETER, without_toggle};
pub use one_login_core::i18n::{Catalogue, FluentValue, Language};

use super::AppState;

/// The department's catalogues, English then Welsh (same keys: a test checks).
pub static WORDS: Catalogue = Catalogue::new([
    (Language::En, include_str!("../../locales/en.ftl")),
    (Language::Cy, include_str!("../../locales/cy.ftl")),
]);

tokio::task_local! {
    static CURRENT: Language;
}

/// How long the toggle's choice is remembered: a year, as the provider's.
const COOKIE_SECONDS: u32 = 365 * 24 * 60 * 60;

/// The language this request's pages are in (English outside a request, as in unit tests).
pub fn current() -> Language {
    CURRENT.try_with(|language| *language).unwrap_or_default()
}

/// The message `key` in this request's language.
pub fn text(key: &str) -> String {
    WORDS.text(current(), key)
}

/// The message `key`, with arguments, in this request's language.
pub fn text_with(key: &str, args: &[(&str, FluentValue<'_>)]) -> String {
    WORDS.text_with(current(), key, args)
}

/// A date as GOV.UK writes it, in this request's language: "8 July 1965", "8 Gorffennaf 1965".
pub fn date(date: time::Date) -> String {
    current().date(date)
}

/// The cookie that remembers the toggle's choice: one per department (`benefits-language`).
fn cookie_name(app: &AppState) -> String {
    format!("{}-language", app.config.client_id)
}

/// The language a GET's `?lang=` asks for.
fn toggled(method: &Method, query: Option<&str>) -> Option<Language> {
    if method != Method::GET {
        return None;
    }
    url::form_urlencoded::parse(query?.as_bytes())
        .find(|(name, _)| name == TOGGLE_PARAMETER)
        .and_then(|(_, value)| Language::from_tag(&value))
}

/// The cookie's language, then `Accept-Language`'s; English when neither says.
fn from_headers(headers: &HeaderMap, cookie_name: &str) -> Language {
    i18n::remembered_or_accepted(
        headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|value| value.to_str().ok()),
        cookie_name,
        headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|value| value.to_str().ok()),
    )
}

/// The layer that chooses the request's language, answers the toggle, and hands the language
/// to the kit for the provider.
pub async fn choose_language(
    State(app): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let name = cookie_name(&app);
    if let Some(language) = toggled(request.method(), request.uri().query()) {
        let uri = request.uri();
        let mut response = Redirect::to(&without_toggle(uri.path(), uri.query())).into_response();
        let secure = if app.config.public_url.starts_with("https://") {
            "; Secure"
        } else {
            ""
        };
        let cookie = format!(
            "{name}={}; Path=/; Max-Age={COOKIE_SECONDS}; SameSite=Lax; HttpOnly{secure}",
            language.code()
        );
        if let Ok(cookie) = HeaderValue::from_str(&cookie) {
            response.headers_mut().append(header::SET_COOKIE, cookie);
        }
        return response;
    }
    let language = from_headers(request.headers(), &name);
    request
        .extensions_mut()
        .insert(UiLocales(language.code().to_owned()));
    CURRENT.scope(language, next.run(request)).await
}

/// The templates' filters: `{{ "key"|t }}`, and with the catalogue's arguments
/// `{{ "key"|t_with("name", value) }}`. Each module that declares template structs has
/// `use crate::web::language::filters;` (the GOV.UK layout's words come through `t` too).
pub mod filters {
    use std::fmt::Display;

    use super::{FluentValue, text, text_with};

    #[askama::filter_fn]
    pub fn t(key: impl Display, _env: &dyn askama::Values) -> askama::Result<String> {
        Ok(text(&key.to_string()))
    }

    /// A whole number argument is a number (so the catalogue can choose the plural), else text.
    #[askama::filter_fn]
    pub fn t_with<K: Display, V: Display>(
        key: K,
        _env: &dyn askama::Values,
        name: &str,
        arg: V,
    ) -> askama::Result<String> {
        let arg = arg.to_string();
        let value = match arg.parse::<i64>() {
            Ok(number) => FluentValue::from(number),
            Err(_) => FluentValue::from(arg),
        };
        Ok(text_with(&key.to_string(), &[(name, value)]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_toggle_is_a_get_s_lang() {
        assert_eq!(toggled(&Method::GET, Some("lang=cy")), Some(Language::Cy));
        assert_eq!(toggled(&Method::POST, Some("lang=cy")), None);
        assert_eq!(toggled(&Method::GET, Some("lang=fr")), None);
        assert_eq!(toggled(&Method::GET, None), None);
    }

    #[test]
    fn the_cookie_comes_before_accept_language() {
        let mut headers = HeaderMap::new();
        headers.insert(header::ACCEPT_LANGUAGE, "cy".parse().unwrap());
        assert_eq!(from_headers(&headers, "benefits-language"), Language::Cy);
        headers.insert(header::COOKIE, "a=b; benefits-language=en".parse().unwrap());
        assert_eq!(from_headers(&headers, "benefits-language"), Language::En);
        // Another department's cookie is not this one's.
        assert_eq!(
            from_headers(&headers, "driving-licence-language"),
            Language::Cy
        );
        assert_eq!(from_headers(&HeaderMap::new(), "x"), Language::En);
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
