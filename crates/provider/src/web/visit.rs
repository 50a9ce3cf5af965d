//! One request's view of the citizen's session: loaded from the cookie, changed by the
//! handler, then saved and the cookie set in one place, [`save_sessions`], a layer around every
//! route that uses sessions: no handler can forget to save what it changed.

use std::sync::{Arc, Mutex};

use axum::extract::{FromRef, FromRequestParts, Request, State};
use axum::http::header::{COOKIE, SET_COOKIE};
use axum::http::request::Parts;
use axum::http::{HeaderValue, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::cookie::{Cookie, SameSite};

use crate::app::AppState;
use crate::web::error::{Error, FailedRequest, Result};
use one_login_core::sessions::form_token::{self, FormTokens};
use one_login_core::sessions::{Authentication, CredentialLevel, Loaded, Session, SessionId};

pub struct Visit {
    pub now: i64,
    /// The same instant in milliseconds: `max_age` and sign-in times compare at this precision.
    pub now_ms: i64,
    record: SessionRecord,
    /// Where the record goes when the handler is done with the visit, for [`save_sessions`].
    slot: SessionSlot,
    /// Makes and checks the tokens of forms shown without a session.
    form_tokens: Arc<FormTokens>,
}

/// The session as this request holds it, and what must happen to it when the request ends.
#[derive(Default)]
struct SessionRecord {
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
    /// When the request started (Unix seconds): the session's expiry counts from it.
    now: i64,
    /// The form cookie's value, presented or made by this request: the anonymous forms' CSRF
    /// token is derived from it (signed double-submit, [`form_token`]).
    form_cookie: Option<String>,
    /// The form cookie was made by this request and must be set.
    new_form_cookie: bool,
}

/// Hands a request's [`SessionRecord`] from its [`Visit`] (when the handler drops it) to
/// [`save_sessions`] (once the handler has answered).
#[derive(Clone, Default)]
struct SessionSlot(Arc<Mutex<Option<SessionRecord>>>);

impl SessionSlot {
    fn put(&self, record: SessionRecord) {
        if let Ok(mut slot) = self.0.lock() {
            *slot = Some(record);
        }
    }

    fn take(&self) -> Option<SessionRecord> {
        self.0.lock().ok()?.take()
    }
}

impl Drop for Visit {
    fn drop(&mut self) {
        self.slot.put(std::mem::take(&mut self.record));
    }
}

/// The layer that saves each request's session change and sets or clears its cookie, after the
/// handler answered and unless it failed. When another request changed or ended the session
/// first, this request's change is dropped and the browser is sent to the page again to see the
/// session as it is now.
pub async fn save_sessions(
    State(app): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let slot = SessionSlot::default();
    request.extensions_mut().insert(slot.clone());
    let response = next.run(request).await;
    match slot.take() {
        Some(record) if response.extensions().get::<FailedRequest>().is_none() => record
            .save(&app, response)
            .await
            .unwrap_or_else(|e| e.into_response()),
        _ => response,
    }
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

/// The form cookie's name (see [`form_token`]): `__Host-` whenever https, like the session's.
pub fn form_cookie_name(https: bool) -> &'static str {
    if https {
        "__Host-one-login-form"
    } else {
        "one-login-form"
    }
}

fn session_cookie(
    https: bool,
    value: String,
    max_age: Option<time::Duration>,
) -> Option<HeaderValue> {
    browser_cookie(cookie_name(https), https, value, max_age)
}

/// A cookie for this site only: `HttpOnly`, `SameSite=Lax`, `Secure` under https, `Path=/`.
pub(crate) fn browser_cookie(
    name: &'static str,
    https: bool,
    value: String,
    max_age: Option<time::Duration>,
) -> Option<HeaderValue> {
    let mut cookie = Cookie::build((name, value))
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
        let https = app.config.issuer_is_https();
        let cookie = |name: &str| {
            parts
                .headers
                .get_all(COOKIE)
                .iter()
                .filter_map(|v| v.to_str().ok())
                .flat_map(|header| Cookie::split_parse(header.to_owned()))
                .filter_map(|c| c.ok())
                .find(|c| c.name() == name)
                .map(|c| c.value().to_owned())
        };
        let presented = cookie(cookie_name(https)).and_then(|c| SessionId::parse(&c));
        let form_cookie = cookie(form_cookie_name(https)).filter(|c| SessionId::parse(c).is_some());
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
        let slot = parts
            .extensions
            .get::<SessionSlot>()
            .cloned()
            .ok_or_else(|| {
                Error::from(one_login_core::error::Error::Internal(
                    "a route that uses sessions lacks save_sessions".into(),
                ))
            })?;
        Ok(Visit {
            now,
            now_ms,
            record: SessionRecord {
                id,
                session,
                version,
                dirty: false,
                new_cookie: false,
                ended: false,
                again,
                now,
                form_cookie,
                new_form_cookie: false,
            },
            slot,
            form_tokens: app.form_tokens.clone(),
        })
    }
}

impl Visit {
    pub fn session(&self) -> Option<&Session> {
        self.record.session.as_ref()
    }

    /// The session to change, starting one if there is none.
    pub fn session_mut(&mut self) -> &mut Session {
        let now = self.now;
        let record = &mut self.record;
        record.dirty = true;
        if record.session.is_none() {
            record.id = Some(SessionId::generate());
            record.version = None;
            record.new_cookie = true;
            record.ended = false;
        }
        record.session.get_or_insert_with(|| Session::new(now))
    }

    /// The CSRF token for a form: the session's, or without a session one derived from the
    /// form cookie (set if the browser has none), so showing a form stores nothing.
    pub fn csrf_token(&mut self) -> String {
        if let Some(session) = &self.record.session {
            return session.csrf_token.clone();
        }
        let record = &mut self.record;
        let cookie = record.form_cookie.get_or_insert_with(|| {
            record.new_form_cookie = true;
            form_token::new_cookie_value()
        });
        self.form_tokens.token_for(cookie)
    }

    /// A form's token must match the live session's (RFC 6749 §10.12: login CSRF) or, until
    /// the citizen has signed in, the form cookie's (a form shown before the session began).
    pub fn check_csrf(&self, presented: &str) -> Result<()> {
        let record = &self.record;
        let by_cookie = || {
            record
                .form_cookie
                .as_deref()
                .is_some_and(|cookie| self.form_tokens.matches(cookie, presented))
        };
        match &record.session {
            Some(session) if session.csrf_matches(presented) => Ok(()),
            Some(session) if session.auth.is_none() && by_cookie() => Ok(()),
            Some(_) => Err(Error::CsrfRejected),
            None if by_cookie() => Ok(()),
            None if record.form_cookie.is_some() => Err(Error::CsrfRejected),
            None => Err(Error::SessionExpired),
        }
    }

    pub fn signed_in_at(&self, level: CredentialLevel) -> Option<&Authentication> {
        self.record.session.as_ref()?.authenticated_at(level)
    }

    /// The id of the session in the store, if it is there.
    pub fn session_id(&self) -> Option<&SessionId> {
        let record = &self.record;
        record.id.as_ref().filter(|_| record.version.is_some())
    }

    /// Gives the session a new id and CSRF token (ASVS 7.2.4), keeping its content, unless
    /// another request changed or ended it since it was read.
    pub async fn rotate(&mut self, app: &AppState) -> Result<()> {
        let now = self.now;
        let record = &mut self.record;
        let mut session = record.session.take().unwrap_or_else(|| Session::new(now));
        let old = match (&record.id, record.version) {
            (Some(id), Some(version)) => Some((id, version)),
            _ => None,
        };
        let (id, version, pushed_out) = app
            .sessions
            .rotate(old, &mut session, now)
            .await?
            .map_err(|_| record.superseded())?;
        for ended in pushed_out {
            app.oidc
                .notify_logout(&ended.auth, &ended.relying_parties, now);
        }
        record.id = Some(id);
        record.version = Some(version);
        record.session = Some(session);
        record.new_cookie = true;
        record.dirty = false;
        Ok(())
    }

    /// Ends the session: deleted from the store, cookie cleared.
    pub async fn end(&mut self, app: &AppState) -> Result<()> {
        let record = &mut self.record;
        if let (Some(id), Some(session)) = (record.id.take(), record.session.take())
            && record.version.is_some()
        {
            app.sessions.end(&id, &session).await?;
        }
        record.version = None;
        record.dirty = false;
        record.new_cookie = false;
        record.ended = true;
        Ok(())
    }
}

impl SessionRecord {
    fn superseded(&self) -> Error {
        Error::SessionSuperseded {
            again: self.again.clone(),
        }
    }

    /// Saves what changed and sets or clears the cookie on `response`.
    async fn save(self, app: &AppState, mut response: Response) -> Result<Response> {
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
        if let (true, Some(value)) = (self.new_form_cookie, self.form_cookie)
            && let Some(header) = browser_cookie(form_cookie_name(https), https, value, None)
        {
            response.headers_mut().append(SET_COOKIE, header);
        }
        Ok(response)
    }
}
