//! # Add GOV.UK One Login to an axum service
//!
//! The relying-party kit: a government service ("department") signs citizens in with One Login
//! and receives their proven identity with this crate alone. It is built on the `openidconnect`
//! crate and does what the One Login contract asks of a relying party:
//!
//! - **configuration** ([`Config`]): the issuer (discovery is read from it), the client id, the
//!   service's own signing keys ([`KeyRing`], published at `/.well-known/jwks.json` for
//!   `private_key_jwt`, with rotation: current and next key), the redirect address, the `vtr`
//!   and the claims asked for;
//! - **routes** ([`OneLogin::routes`]): start sign-in (PKCE, `nonce`, `state`, `vtr`, the
//!   `claims` request, and optionally a signed request object), the callback (every ID token
//!   check of OpenID Connect Core §3.1.3.7), an identity step-up, refresh, sign-out
//!   (RP-Initiated Logout) and the back-channel logout receiver (Back-Channel Logout 1.0 §2.6;
//!   the sessions it names end);
//! - **extractors**: [`SignedIn`] (the citizen's pairwise `sub` and `vot`), [`ProvenIdentity`]
//!   (the core identity JWT verified against the provider's `did.json`: signature, issuer,
//!   audience, `sub`, `vot`, expiry; names, birth date, address and documents as types) and
//!   [`ReturnCode`];
//! - **sessions** in memory ([`MemorySessions`]) or Redis (`RedisSessions`, feature `redis`).
//!
//! The service registers with the provider (a client file: its redirect, signed-out and
//! back-channel logout addresses and its `jwks_uri`), then:
//!
//! ```no_run
//! use axum::{Router, extract::FromRef, response::Html, routing::get};
//! use one_login_rp::{Config, KeyRing, OneLogin, ProvenIdentity, SignedIn, CORE_IDENTITY_CLAIM};
//!
//! #[derive(Clone, FromRef)]
//! struct App {
//!     one_login: OneLogin,
//! }
//!
//! async fn start() -> Html<&'static str> {
//!     Html(r#"<a href="/sign-in">Sign in with GOV.UK One Login</a>"#)
//! }
//!
//! async fn account(citizen: SignedIn, identity: ProvenIdentity) -> Html<String> {
//!     Html(format!(
//!         "{} (you are {} here, signed in with {}), born {}",
//!         identity.core.full_name(),
//!         citizen.sub,
//!         citizen.vot.unwrap_or_default(),
//!         identity.core.birth_date,
//!     ))
//! }
//!
//! async fn signed_out() -> Html<&'static str> {
//!     Html("You have signed out.")
//! }
//!
//! #[tokio::main]
//! async fn main() -> Result<(), Box<dyn std::error::Error>> {
//!     let mut config = Config::new(
//!         "https://oidc.account.gov.uk/",   // the provider
//!         "my-service",                     // our client id
//!         "https://my-service.gov.uk/",     // our public address
//!         "Cl.Cm.P2",                       // a proven identity, medium confidence
//!     );
//!     config.sign_in.claims = vec![CORE_IDENTITY_CLAIM.into()];
//!     config.after_sign_in = "/account".into();
//!     let keys = KeyRing::load_or_create(std::path::Path::new("data"))?;
//!     let app = App { one_login: OneLogin::new(config, keys)? };
//!     let router = Router::new()
//!         .route("/", get(start))
//!         .route("/account", get(account))
//!         .route("/signed-out", get(signed_out))
//!         .merge(OneLogin::routes())
//!         .with_state(app);
//!     let listener = tokio::net::TcpListener::bind("127.0.0.1:3000").await?;
//!     axum::serve(listener, router)
//!         .with_graceful_shutdown(one_login_rp::shutdown_signal())
//!         .await?;
//!     Ok(())
//! }
//! ```
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

pub mod config;
pub mod error;
mod extract;
pub mod identity;
pub mod keys;
pub mod logout_token;
pub mod provider;
#[cfg(feature = "redis")]
pub mod redis_sessions;
pub mod routes;
pub mod sessions;
pub mod wallet;

use std::sync::Arc;

use axum::Router;
use axum::extract::FromRef;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::routing::{get, post};
use cookie::{Cookie, SameSite};
use subtle::ConstantTimeEq;

pub use config::{
    ADDRESS_CLAIM, CORE_IDENTITY_CLAIM, Config, DRIVING_PERMIT_CLAIM, PASSPORT_CLAIM,
    ProviderConfig, RETURN_CODE_CLAIM, RequestConfig,
};
pub use error::{Error, Result};
pub use extract::{ProvenIdentity, ReturnCode};
pub use keys::{ClientKey, KeyRing};
pub use one_login_shutdown::shutdown_signal;
#[cfg(feature = "redis")]
pub use redis_sessions::RedisSessions;
pub use routes::UiLocales;
pub use sessions::{IdentityCheck, MemorySessions, Session, SessionStore, SignedIn};

use provider::Provider;
use sessions::IDLE_SECONDS;

/// The time, from one place, so tests can set it.
pub trait Clock: Send + Sync + 'static {
    fn unix(&self) -> i64;
}

pub struct SystemClock;

impl Clock for SystemClock {
    fn unix(&self) -> i64 {
        time::OffsetDateTime::now_utc().unix_timestamp()
    }
}

/// One Login for one service: its configuration, the provider as it sees it, its sessions.
/// Cheap to clone; put it in the service's state and let [`FromRef`] find it.
#[derive(Clone)]
pub struct OneLogin {
    config: Arc<Config>,
    provider: Arc<Provider>,
    sessions: Arc<dyn SessionStore>,
    clock: Arc<dyn Clock>,
}

impl OneLogin {
    /// Checks `config`; sessions in memory until [`OneLogin::with_sessions`]. The provider is
    /// contacted only when needed, so the service starts (and says so clearly) while the
    /// provider is down.
    pub fn new(config: Config, keys: KeyRing) -> Result<OneLogin> {
        config.check()?;
        let config = Arc::new(config);
        Ok(OneLogin {
            provider: Arc::new(Provider::new(config.clone(), keys)?),
            config,
            sessions: Arc::new(MemorySessions::default()),
            clock: Arc::new(SystemClock),
        })
    }

    /// Keeps sessions in `store` (Redis, for more than one replica).
    pub fn with_sessions(mut self, store: impl SessionStore) -> OneLogin {
        self.sessions = Arc::new(store);
        self
    }

    pub fn with_clock(mut self, clock: impl Clock) -> OneLogin {
        self.clock = Arc::new(clock);
        self
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    pub fn keys(&self) -> &KeyRing {
        self.provider.keys()
    }

    pub fn sessions(&self) -> &Arc<dyn SessionStore> {
        &self.sessions
    }

    pub fn now(&self) -> i64 {
        self.clock.unix()
    }

    /// The kit's routes, for the service's router to merge (paths in [`routes`]).
    pub fn routes<S>() -> Router<S>
    where
        OneLogin: FromRef<S>,
        S: Clone + Send + Sync + 'static,
    {
        Router::new()
            .route(routes::SIGN_IN, get(routes::sign_in))
            .route(routes::CALLBACK, get(routes::callback))
            .route(routes::CHECK_IDENTITY, post(routes::check_identity))
            .route(routes::CHECK_AGE, post(routes::check_age))
            .route(routes::REFRESH, post(routes::refresh))
            .route(routes::SIGN_OUT, post(routes::sign_out))
            .route(routes::BACKCHANNEL_LOGOUT, post(routes::backchannel_logout))
            .route(routes::JWKS, get(routes::jwks))
    }

    /// The live session the request's cookie names, with its id.
    pub async fn session(
        &self,
        headers: &HeaderMap,
        now: i64,
    ) -> Result<Option<(String, Session)>> {
        let name = self.config.cookie_name();
        let ids: Vec<String> = headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .flat_map(Cookie::split_parse)
            .filter_map(std::result::Result::ok)
            .filter(|cookie| cookie.name() == name)
            .map(|cookie| cookie.value().to_owned())
            .collect();
        for id in ids {
            if let Some(session) = self.sessions.get(&id, now).await? {
                return Ok(Some((id, session)));
            }
        }
        Ok(None)
    }

    /// The session of a signed-in citizen, if the request has one.
    pub async fn signed_in(
        &self,
        headers: &HeaderMap,
        now: i64,
    ) -> Result<Option<(String, Session)>> {
        Ok(self
            .session(headers, now)
            .await?
            .filter(|(_, s)| s.user.is_some()))
    }

    /// The signed-in session a form was posted from, with the form's CSRF token checked.
    pub async fn posted_from(
        &self,
        headers: &HeaderMap,
        csrf_token: &str,
    ) -> Result<(String, Session)> {
        let (id, session) = self
            .signed_in(headers, self.now())
            .await?
            .ok_or(Error::SessionMismatch("not signed in"))?;
        check_csrf(&session, csrf_token)?;
        Ok((id, session))
    }

    /// The current session, or a new one (whose cookie the response must set).
    async fn session_or_new(
        &self,
        headers: &HeaderMap,
        now: i64,
    ) -> Result<(String, Session, bool)> {
        match self.session(headers, now).await? {
            Some((id, session)) => Ok((id, session, false)),
            None => {
                let (id, session) = self.sessions.create(now).await?;
                Ok((id, session, true))
            }
        }
    }

    /// The session cookie: a random id, HttpOnly, SameSite=Lax (the provider's redirect back
    /// is a top-level GET, which Lax lets through), Secure and `__Host-` on https.
    fn set_cookie(&self, id: &str) -> HeaderValue {
        self.cookie(id, cookie::time::Duration::seconds(IDLE_SECONDS))
    }

    fn clear_cookie(&self) -> HeaderValue {
        self.cookie("", cookie::time::Duration::ZERO)
    }

    fn cookie(&self, value: &str, max_age: cookie::time::Duration) -> HeaderValue {
        let cookie = Cookie::build((self.config.cookie_name(), value.to_owned()))
            .path("/")
            .http_only(true)
            .secure(self.config.is_https())
            .same_site(SameSite::Lax)
            .max_age(max_age)
            .build();
        HeaderValue::from_str(&cookie.to_string()).unwrap_or(HeaderValue::from_static(""))
    }
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
