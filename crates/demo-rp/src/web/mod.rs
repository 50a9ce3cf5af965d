//! The department's web edge: the one router (the kit's routes merged in), and the pages.

pub mod error;
pub mod language;
pub mod pages;
pub mod templates;

use std::sync::Arc;

use axum::Router;
use axum::extract::FromRef;
use axum::http::{HeaderName, HeaderValue, header};
use axum::routing::get;
use one_login_rp::{KeyRing, OneLogin};
use tower_http::set_header::SetResponseHeaderLayer;

use crate::config::Config;
use crate::error::Result;

/// Everything a handler may need: the department's settings and One Login.
#[derive(Clone, FromRef)]
pub struct AppState {
    pub config: Arc<Config>,
    pub one_login: OneLogin,
}

impl AppState {
    /// The service's name in the request's language (`service_name_cy` on Welsh pages).
    pub fn service_name(&self) -> String {
        match (language::current(), &self.config.service_name_cy) {
            (language::Language::Cy, Some(welsh)) => welsh.clone(),
            _ => self.config.service_name.clone(),
        }
    }

    /// Loads (or makes) the signing keys; the provider is contacted only when needed, so the
    /// department starts, and says so clearly, while the provider is down.
    pub fn new(config: Config) -> Result<AppState> {
        let keys = KeyRing::load_or_create(&config.data_dir)?;
        let one_login = OneLogin::new(config.one_login(), keys)?;
        Ok(AppState {
            config: Arc::new(config),
            one_login,
        })
    }
}

/// No inline script or style, no framing (as the provider's pages).
const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
     img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; \
     form-action 'self' http: https:";

pub fn router(state: AppState) -> Router {
    let mut routes = Router::new()
        .route("/", get(pages::start))
        .route(
            "/application",
            get(pages::application).post(pages::submit_application),
        )
        .route("/signed-out", get(pages::signed_out))
        .route("/accessibility", get(pages::accessibility))
        .route("/cookies", get(pages::cookies))
        .route("/privacy", get(pages::privacy))
        .route("/feedback", get(pages::feedback))
        .route("/healthz", get(pages::health))
        .route("/assets/{*path}", get(pages::asset))
        .merge(OneLogin::routes())
        .fallback(pages::not_found)
        .layer(axum::middleware::map_response_with_state(
            state.clone(),
            error::render_error_pages,
        ))
        // Outside the error pages' layer, so they are drawn in the request's language too.
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            language::choose_language,
        ));
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
