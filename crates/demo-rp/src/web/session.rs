//! The session cookie: a random id, HttpOnly, SameSite=Lax (the provider's redirect back is a
//! top-level GET, which Lax lets through), Secure and `__Host-` when the department is on https.

use axum::http::{HeaderMap, HeaderValue, header};
use cookie::{Cookie, SameSite};
use subtle::ConstantTimeEq;

use super::AppState;
use crate::error::{Error, Result};
use crate::sessions::{IDLE_SECONDS, Session};

/// The session the request's cookie names, if it is live.
pub fn current(app: &AppState, headers: &HeaderMap, now: i64) -> Option<(String, Session)> {
    let name = app.config.cookie_name();
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(Cookie::split_parse)
        .filter_map(std::result::Result::ok)
        .filter(|cookie| cookie.name() == name)
        .find_map(|cookie| {
            let id = cookie.value().to_owned();
            app.sessions.get(&id, now).map(|session| (id, session))
        })
}

/// The current session, or a new one (whose cookie the response must set).
pub fn current_or_new(app: &AppState, headers: &HeaderMap, now: i64) -> (String, Session, bool) {
    match current(app, headers, now) {
        Some((id, session)) => (id, session, false),
        None => {
            let (id, session) = app.sessions.create(now);
            (id, session, true)
        }
    }
}

pub fn set_cookie(app: &AppState, id: &str) -> HeaderValue {
    let cookie = Cookie::build((app.config.cookie_name(), id.to_owned()))
        .path("/")
        .http_only(true)
        .secure(app.config.is_https())
        .same_site(SameSite::Lax)
        .max_age(cookie::time::Duration::seconds(IDLE_SECONDS))
        .build();
    HeaderValue::from_str(&cookie.to_string()).unwrap_or(HeaderValue::from_static(""))
}

pub fn clear_cookie(app: &AppState) -> HeaderValue {
    let cookie = Cookie::build((app.config.cookie_name(), ""))
        .path("/")
        .http_only(true)
        .secure(app.config.is_https())
        .same_site(SameSite::Lax)
        .max_age(cookie::time::Duration::ZERO)
        .build();
    HeaderValue::from_str(&cookie.to_string()).unwrap_or(HeaderValue::from_static(""))
}

/// A form's token must be its session's: Lax cookies still travel with forms posted from
/// other ports of the same host, which are the same site.
pub fn check_csrf(session: &Session, presented: &str) -> Result<()> {
    if bool::from(session.csrf.as_bytes().ct_eq(presented.as_bytes())) {
        Ok(())
    } else {
        Err(Error::CsrfRejected)
    }
}
