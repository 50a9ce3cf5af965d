//! The department's web edge: the one router, the session cookie, and the pages.

pub mod error;
pub mod pages;
pub mod session;
pub mod templates;

use std::sync::Arc;

use axum::Router;
use axum::http::{HeaderName, HeaderValue, header};
use axum::routing::{get, post};
use tower_http::set_header::SetResponseHeaderLayer;

use crate::config::Config;
use crate::error::Result;
use crate::keys::ClientKey;
use crate::oidc::Provider;
use crate::sessions::Sessions;

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

/// Everything a handler may need.
#[derive(Clone)]
pub struct AppState {
    pub config: Arc<Config>,
    pub provider: Arc<Provider>,
    pub sessions: Arc<Sessions>,
    pub clock: Arc<dyn Clock>,
}

impl AppState {
    /// Loads (or makes) the signing key; the provider is contacted only when needed, so the
    /// department starts, and says so clearly, while the provider is down.
    pub fn new(config: Config) -> Result<AppState> {
        let config = Arc::new(config);
        let key = ClientKey::load_or_create(&config.data_dir)?;
        Ok(AppState {
            provider: Arc::new(Provider::new(config.clone(), key)?),
            config,
            sessions: Arc::new(Sessions::default()),
            clock: Arc::new(SystemClock),
        })
    }
}

/// No inline script or style, no framing (as the provider's pages).
const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
     img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; \
     form-action 'self' http: https:";

pub fn router(state: AppState) -> Router {
    let routes = Router::new()
        .route("/", get(pages::start))
        .route("/sign-in", get(pages::sign_in))
        .route("/callback", get(pages::callback))
        .route(
            "/application",
            get(pages::application).post(pages::submit_application),
        )
        .route("/check-identity", post(pages::check_identity))
        .route("/refresh", post(pages::refresh))
        .route("/sign-out", post(pages::sign_out))
        .route("/signed-out", get(pages::signed_out))
        .route("/backchannel-logout", post(pages::backchannel_logout))
        .route("/accessibility", get(pages::accessibility))
        .route("/cookies", get(pages::cookies))
        .route("/privacy", get(pages::privacy))
        .route("/feedback", get(pages::feedback))
        .route("/.well-known/jwks.json", get(pages::jwks))
        .route("/healthz", get(pages::health))
        .route("/assets/{*path}", get(pages::asset))
        .fallback(pages::not_found)
        .layer(axum::middleware::map_response_with_state(
            state.clone(),
            error::render_error_pages,
        ));
    let mut routes = routes;
    for (name, value) in [
        (header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "no-referrer"),
        (
            HeaderName::from_static("cross-origin-opener-policy"),
            "same-origin",
        ),
        // Pages show personal data: never cached unless a handler says otherwise.
        (header::CACHE_CONTROL, "no-store"),
    ] {
        routes = routes.layer(SetResponseHeaderLayer::if_not_present(
            name,
            HeaderValue::from_static(value),
        ));
    }
    routes.with_state(state)
}
