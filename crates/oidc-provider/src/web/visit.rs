//! One request's view of the citizen's session: loaded from the cookie, changed by the
//! handler, then saved and the cookie set in one place ([`Visit::finish`]).

use axum::extract::{FromRef, FromRequestParts};
use axum::http::header::{COOKIE, SET_COOKIE};
use axum::http::request::Parts;
use axum::http::{HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::{Cookie, SameSite};

use crate::app::AppState;
use crate::sessions::{Authentication, CredentialLevel, Loaded, Session, SessionId};
use crate::web::error::{Error, Result};

pub struct Visit {
    pub now: i64,
    /// The same instant in milliseconds: `max_age` and sign-in times compare at this precision.
    pub now_ms: i64,
    id: Option<SessionId>,
    session: Option<Session>,
    /// The version the session was read at; `None` for a session this request started.
    version: Option<u64>,
    /// The session changed and must be written back.
    dirty: bool,
    /// The cookie must be (re)set: a new or rotated id.
    new_cookie: bool,
    /// The session ended: clear the cookie.
    ended: bool,
    /// Where to send the browser when another request changed the session first: this page
    /// again (its GET), to show the session as it now is.
    again: String,
}

/// The session cookie's name: `__Host-` whenever https, which browsers accept only with
/// `Secure`, `Path=/` and no `Domain` (ASVS 3.3.1-3.3.4).
pub fn cookie_name(https: bool) -> &'static str {
    if https {
        "__Host-one-login"
    } else {
        "one-login-session"
    }
}

fn session_cookie(
    https: bool,
    value: String,
    max_age: Option<time::Duration>,
) -> Option<HeaderValue> {
    let mut cookie = Cookie::build((cookie_name(https), value))
        .http_only(true)
        .secure(https)
        .same_site(SameSite::Lax)
        .path("/");
    if let Some(max_age) = max_age {
        cookie = cookie.max_age(max_age);
    }
    HeaderValue::from_str(&cookie.build().to_string()).ok()
}

impl<S> FromRequestParts<S> for Visit
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let app = AppState::from_ref(state);
        let instant = app.clock.now();
        let now = instant.unix_timestamp();
        let now_ms = (instant.unix_timestamp_nanos() / 1_000_000) as i64;
        let name = cookie_name(app.config.issuer_is_https());
        let presented = parts
            .headers
            .get_all(COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|header| Cookie::split_parse(header.to_owned()))
            .filter_map(|c| c.ok())
            .find(|c| c.name() == name)
            .and_then(|c| SessionId::parse(c.value()));
        let (id, session, version) = match presented {
            Some(id) => match app.sessions.load(&id, now).await? {
                Some(loaded) => (Some(id), Some(loaded.session), Some(loaded.version)),
                None => (None, None, None),
            },
            None => (None, None, None),
        };
        let again = if parts.method == Method::GET {
            parts.uri.path_and_query().map(|p| p.as_str())
        } else {
            Some(parts.uri.path())
        };
        // Only a path of this site: never `//host` or `/\host`, which browsers read as another.
        let again = again
            .filter(|p| p.starts_with('/') && !p[1..].starts_with(['/', '\\']))
            .unwrap_or("/")
            .to_owned();
        Ok(Visit {
            now,
            now_ms,
            id,
            session,
            version,
            dirty: false,
            new_cookie: false,
            ended: false,
            again,
        })
    }
}

impl Visit {
    pub fn session(&self) -> Option<&Session> {
        self.session.as_ref()
    }

    /// The session to change, starting one if there is none.
    pub fn session_mut(&mut self) -> &mut Session {
        self.dirty = true;
        if self.session.is_none() {
            self.id = Some(SessionId::generate());
            self.version = None;
            self.new_cookie = true;
            self.ended = false;
        }
        self.session.get_or_insert_with(|| Session::new(self.now))
    }

    /// The CSRF token for a form, starting a session if there is none.
    pub fn csrf_token(&mut self) -> String {
        if let Some(session) = &self.session {
            return session.csrf_token.clone();
        }
        self.session_mut().csrf_token.clone()
    }

    /// A form's token must match the live session's (RFC 6749 §10.12: login CSRF).
    pub fn check_csrf(&self, presented: &str) -> Result<()> {
        match &self.session {
            None => Err(Error::SessionExpired),
            Some(session) if session.csrf_matches(presented) => Ok(()),
            Some(_) => Err(Error::CsrfRejected),
        }
    }

    pub fn signed_in_at(&self, level: CredentialLevel) -> Option<&Authentication> {
        self.session.as_ref()?.authenticated_at(level)
    }

    /// The id of the session in the store, if it is there.
    pub fn session_id(&self) -> Option<&SessionId> {
        self.id.as_ref().filter(|_| self.version.is_some())
    }

    fn superseded(&self) -> Error {
        Error::SessionSuperseded {
            again: self.again.clone(),
        }
    }

    /// Gives the session a new id and CSRF token (ASVS 7.2.4), keeping its content, unless
    /// another request changed or ended it since it was read.
    pub async fn rotate(&mut self, app: &AppState) -> Result<()> {
        let now = self.now;
        let mut session = self.session.take().unwrap_or_else(|| Session::new(now));
        let old = match (&self.id, self.version) {
            (Some(id), Some(version)) => Some((id, version)),
            _ => None,
        };
        let (id, version, pushed_out) = app
            .sessions
            .rotate(old, &mut session, now)
            .await?
            .map_err(|_| self.superseded())?;
        for ended in pushed_out {
            app.oidc
                .notify_logout(&ended.auth, &ended.relying_parties, now);
        }
        self.id = Some(id);
        self.version = Some(version);
        self.session = Some(session);
        self.new_cookie = true;
        self.dirty = false;
        Ok(())
    }

    /// Ends the session: deleted from the store, cookie cleared.
    pub async fn end(&mut self, app: &AppState) -> Result<()> {
        if let (Some(id), Some(session)) = (self.id.take(), self.session.take())
            && self.version.is_some()
        {
            app.sessions.end(&id, &session).await?;
        }
        self.version = None;
        self.dirty = false;
        self.new_cookie = false;
        self.ended = true;
        Ok(())
    }

    /// Saves what changed and sets or clears the cookie on `response`. When another request
    /// changed or ended the session first, this request's change is dropped and the browser
    /// is sent to the page again to see the session as it is now.
    pub async fn finish(self, app: &AppState, response: impl IntoResponse) -> Result<Response> {
        let mut response = response.into_response();
        let https = app.config.issuer_is_https();
        if let (true, Some(id), Some(session)) = (self.dirty, &self.id, &self.session) {
            match self.version {
                None => {
                    app.sessions.create(id, session, self.now).await?;
                }
                Some(version) => {
                    let loaded = Loaded {
                        session: session.clone(),
                        version,
                    };
                    if app.sessions.save(id, &loaded, self.now).await?.is_err() {
                        return Err(self.superseded());
                    }
                }
            }
        }
        let header = if self.ended {
            session_cookie(https, String::new(), Some(time::Duration::ZERO))
        } else if self.new_cookie {
            self.id
                .as_ref()
                .and_then(|id| session_cookie(https, id.as_str().to_owned(), None))
        } else {
            None
        };
        if let Some(header) = header {
            response.headers_mut().append(SET_COOKIE, header);
        }
        Ok(response)
    }

    /// Finishes with a 303 See Other: after a POST, never 307 (RFC 9700 §4.12).
    pub async fn redirect(self, app: &AppState, to: &str) -> Result<Response> {
        self.finish(app, Redirect::to(to)).await
    }
}

/// `(status, html)` as a response.
pub fn html(status: StatusCode, body: String) -> Response {
    (status, axum::response::Html(body)).into_response()
}
