//! The web's error type, and the one place an [`Error`] becomes a response: a helpful page for
//! a person, the detail in the log, never a stack trace or an internal message on the page
//! (ASVS 16.5.1).

use askama::Template;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};

use crate::web::language::{TimeUnit, duration, text_with};
use crate::web::message_page::MessagePage;
use one_login_core::error::{Error as CoreError, OAuthError};

/// Everything a request can fail with: the domain's errors, and what only the web has (forms,
/// sessions, pages).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Core(#[from] CoreError),

    #[error("rendering a page: {0}")]
    Template(#[from] askama::Error),

    /// A form or query that cannot be read: wrong encoding, duplicated or over-long fields.
    #[error("bad request: {0}")]
    BadRequest(String),

    /// A form arrived without a live session: expired, cookies off, or sent from elsewhere.
    #[error("no live session for this form")]
    SessionExpired,

    /// Another request changed or ended the session while this one was in flight; this one's
    /// change was dropped (issue 11.3). The browser is sent to `again` to see where it stands.
    #[error("the session changed while this request was in flight")]
    SessionSuperseded { again: String },

    /// A form's CSRF token did not match its session's (RFC 6749 §10.12).
    #[error("CSRF token missing or wrong")]
    CsrfRejected,

    /// Too many requests from one client or client address at an endpoint for relying
    /// parties' servers: OAuth JSON, 429 (RFC 6585 §4).
    #[error("client rate limit reached")]
    ClientRateLimited { retry_after_seconds: u64 },

    #[error("not found")]
    NotFound,

    /// The request ran past [`crate::web::deadline::REQUEST_DEADLINE`]: something it waits on
    /// (a store, most likely) is too slow. Unavailable, like a store that is down.
    #[error("the request took longer than its deadline")]
    TimedOut,
}

/// How long a client or person is asked to wait after a 503 (RFC 9110 §10.2.3): a store
/// outage the provider recovers from by itself (a restart, a failover), or an in-memory store
/// full until its flows expire, lasts seconds.
pub const UNAVAILABLE_RETRY_AFTER_SECONDS: u64 = 5;

impl From<one_login_store::error::Error> for Error {
    fn from(e: one_login_store::error::Error) -> Self {
        Error::Core(e.into())
    }
}

impl From<OAuthError> for Error {
    fn from(e: OAuthError) -> Self {
        Error::Core(CoreError::OAuth(e))
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// Whether a dependency (database, short-lived store) is down rather than a bug.
    pub fn is_unavailable(&self) -> bool {
        match self {
            Error::TimedOut => true,
            Error::Core(e) => e.is_unavailable(),
            _ => false,
        }
    }

    fn status(&self) -> StatusCode {
        match self {
            Error::BadRequest(_) => StatusCode::BAD_REQUEST,
            Error::SessionExpired | Error::CsrfRejected => StatusCode::FORBIDDEN,
            Error::Core(CoreError::RateLimited { .. }) | Error::ClientRateLimited { .. } => {
                StatusCode::TOO_MANY_REQUESTS
            }
            Error::NotFound => StatusCode::NOT_FOUND,
            e if e.is_unavailable() => StatusCode::SERVICE_UNAVAILABLE,
            _ => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn page(&self) -> MessagePage {
        match self {
            Error::BadRequest(_) => MessagePage::new("Sorry, there is a problem with what was sent")
                .paragraph("The form could not be read. Go back, check what you entered and try again.")
                .link("/", "Go to the start of the service"),
            Error::SessionExpired => MessagePage::new("Your session has timed out")
                .paragraph("You were away for a while, or your browser does not keep cookies from this service. We have not saved your answers.")
                .paragraph("To continue, start again. If this keeps happening, make sure cookies are turned on.")
                .link("/", "Start again"),
            Error::CsrfRejected => MessagePage::new("Sorry, that form has expired")
                .paragraph("The form was out of date, or was not sent from this service. We have not acted on it.")
                .link("/", "Start again"),
            Error::Core(CoreError::RateLimited { retry_after_seconds }) => MessagePage::new("Too many attempts")
                .paragraph(text_with(
                    "too-many-attempts-wait",
                    &[("wait", duration_in_words(*retry_after_seconds).into())],
                )),
            Error::NotFound => MessagePage::new("Page not found")
                .paragraph("If you typed the web address, check it is correct.")
                .paragraph("If you pasted the web address, check you copied the entire address.")
                .link("/", "Go to the start of the service"),
            e if e.is_unavailable() => MessagePage::new("Sorry, the service is unavailable")
                .paragraph("You will be able to use the service again shortly. We have not lost any of your saved details.")
                .link("/", "Try again"),
            _ => MessagePage::new("Sorry, there is a problem with the service")
                .paragraph("Try again later. We have not lost any of your saved details.")
                .link("/", "Go to the start of the service"),
        }
    }
}

/// "1 minute", "15 minutes", "2 hours", in the request's language.
pub fn duration_in_words(seconds: u64) -> String {
    if seconds >= 3600 && seconds.is_multiple_of(3600) {
        duration(seconds / 3600, TimeUnit::Hour)
    } else {
        duration(seconds.div_ceil(60).max(1), TimeUnit::Minute)
    }
}

/// A response made from an [`Error`]: the request failed, so what it changed in the session is
/// dropped, as if it had never started.
#[derive(Clone, Copy)]
pub struct FailedRequest;

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        let mut response = self.respond();
        response.extensions_mut().insert(FailedRequest);
        response
    }
}

impl Error {
    /// Counts a store's failure in [`one_login_core::metrics::STORE_ERRORS`], by backend.
    pub fn count_store_failure(&self) {
        if let Error::Core(core) = self
            && let Some(backend) = one_login_core::metrics::store_backend(core)
        {
            ::metrics::counter!(one_login_core::metrics::STORE_ERRORS, "backend" => backend)
                .increment(1);
        }
    }

    fn respond(self) -> Response {
        self.count_store_failure();
        match self {
            Error::Core(CoreError::OAuth(error)) => return oauth_response(error),
            // 303: the browser fetches the page again and sees the session as it now is.
            Error::SessionSuperseded { again } => {
                tracing::info!(to = %again, "session changed by another request; this one's change dropped");
                return axum::response::Redirect::to(&again).into_response();
            }
            _ => {}
        }
        if let Error::ClientRateLimited {
            retry_after_seconds,
        } = self
        {
            // RFC 6749 has no code for this; "temporarily_unavailable" (§4.1.2.1) is how every
            // client endpoint here says "try again later".
            let error = OAuthError::new(429, "temporarily_unavailable", "too many requests");
            return with_retry_after(oauth_response(error), retry_after_seconds);
        }
        let status = self.status();
        match status {
            StatusCode::INTERNAL_SERVER_ERROR => tracing::error!(error = %self, "request failed"),
            StatusCode::SERVICE_UNAVAILABLE => {
                tracing::warn!(error = %self, "dependency unavailable")
            }
            _ => tracing::info!(error = %self, status = status.as_u16(), "request refused"),
        }
        let body = self
            .page()
            .reference(crate::web::request_id::current())
            .render()
            .unwrap_or_else(|_| "Sorry, there is a problem with the service.".to_owned());
        let response = (status, Html(body)).into_response();
        match self {
            Error::Core(CoreError::RateLimited {
                retry_after_seconds,
            }) => with_retry_after(response, retry_after_seconds),
            // RFC 9110 §15.6.4: a 503 may say when to come back; ours always does.
            _ if status == StatusCode::SERVICE_UNAVAILABLE => {
                with_retry_after(response, UNAVAILABLE_RETRY_AFTER_SECONDS)
            }
            _ => response,
        }
    }
}

/// RFC 6585 §4: a 429 may say when to come back; RFC 9110 §15.6.4: so may a 503.
fn with_retry_after(mut response: Response, seconds: u64) -> Response {
    if let Ok(value) = HeaderValue::from_str(&seconds.to_string()) {
        response.headers_mut().insert(header::RETRY_AFTER, value);
    }
    response
}

/// RFC 6749 §5.2 / RFC 6750 §3: JSON for the client, `WWW-Authenticate` on 401.
fn oauth_response(error: OAuthError) -> Response {
    tracing::info!(error = error.error, description = %error.description, status = error.status, "OAuth error");
    let status = StatusCode::from_u16(error.status).unwrap_or(StatusCode::BAD_REQUEST);
    let body = serde_json::json!({ "error": error.error, "error_description": error.description });
    let mut response = (status, axum::Json(body)).into_response();
    if status == StatusCode::SERVICE_UNAVAILABLE {
        response = with_retry_after(response, UNAVAILABLE_RETRY_AFTER_SECONDS);
    }
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Some(value) = error
        .www_authenticate
        .and_then(|v| HeaderValue::from_str(&v).ok())
    {
        headers.insert(header::WWW_AUTHENTICATE, value);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_in_words() {
        assert_eq!(duration_in_words(60), "1 minute");
        assert_eq!(duration_in_words(61), "2 minutes");
        assert_eq!(duration_in_words(900), "15 minutes");
        assert_eq!(duration_in_words(7200), "2 hours");
        assert_eq!(duration_in_words(5), "1 minute");
    }

    /// Issue 12: a store outage, or a request past its deadline, answers 503 with
    /// `Retry-After`: the page for a person, OAuth `temporarily_unavailable` for a client.
    #[tokio::test]
    async fn every_503_says_when_to_come_back() {
        let outage = || Error::from(one_login_store::error::Error::Ephemeral("down".into()));
        for (error, json) in [
            (outage(), false),
            (Error::TimedOut, false),
            (crate::web::oidc::for_client(outage()), true),
            (crate::web::oidc::for_client(Error::TimedOut), true),
        ] {
            let response = error.into_response();
            assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
            assert_eq!(response.headers()[header::RETRY_AFTER], "5");
            let body = axum::body::to_bytes(response.into_body(), 1 << 20)
                .await
                .unwrap();
            let body = String::from_utf8_lossy(&body);
            if json {
                assert!(
                    body.contains(r#""error":"temporarily_unavailable""#),
                    "{body}"
                );
            } else {
                assert!(body.contains("Sorry, the service is unavailable"), "{body}");
            }
        }
        // A 503 is the only status that gains the header this way.
        let refused = Error::CsrfRejected.into_response();
        assert!(refused.headers().get(header::RETRY_AFTER).is_none());
    }

    // Issue 12.2: a full or unreachable store is "try again", for people and for clients.
    #[test]
    fn unavailable_says_when_to_try_again() {
        let full = one_login_store::error::Error::Full("budget spent".into());
        let page = Error::from(full).into_response();
        assert_eq!(page.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(page.headers()[header::RETRY_AFTER], "5");
        let oauth = OAuthError::new(503, "temporarily_unavailable", "try again shortly");
        let json = Error::from(oauth).into_response();
        assert_eq!(json.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(json.headers()[header::RETRY_AFTER], "5");
    }

    #[test]
    fn statuses() {
        assert_eq!(Error::CsrfRejected.status(), StatusCode::FORBIDDEN);
        assert_eq!(
            Error::from(one_login_store::error::Error::Ephemeral("down".into())).status(),
            StatusCode::SERVICE_UNAVAILABLE
        );
        assert_eq!(
            Error::from(CoreError::Internal("bug".into())).status(),
            StatusCode::INTERNAL_SERVER_ERROR
        );
    }
}
