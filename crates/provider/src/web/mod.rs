//! The web edge: extractors, the session cookie, pages and the mapping of errors to responses.
//! Handlers here parse, call the rules in `accounts`/`sessions`, and render.

pub mod assets;
#[cfg(test)]
mod catalogue_check;
pub mod deadline;
pub mod error;
pub mod extract;
pub mod headers;
pub mod language;
pub mod message_page;
pub mod oidc;
pub mod pages;
pub mod rate_limit;
pub mod request_id;
pub mod templates;
pub mod visit;

pub use extract::{ClientIp, PageForm};
pub use visit::Visit;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::middleware;
use axum::routing::get;
use tower::ServiceBuilder;

use crate::app::AppState;
use one_login_core::config::MetricsListen;

/// Form bodies are small: the largest is a password and its confirmation.
const MAX_BODY_BYTES: usize = 16 * 1024;

/// The provider's routes: each feature's router, merged here and nowhere else. Only the
/// routes a browser walks get the session layer; the client endpoints (token, userinfo,
/// discovery) never touch a session, so they do not pay for one.
pub fn router(state: AppState) -> Router {
    let https = state.config.issuer_is_https();
    // Installed before the first request, so what happens before the first scrape counts.
    crate::metrics::handle();
    let metrics_here = state.config.server.metrics == MetricsListen::Main;
    // Each group answers its own deadline the way it answers an outage (deadline.rs).
    // Each group of layers is one `Router::layer` call (a `ServiceBuilder`, outermost first):
    // every call wraps each route in another boxed service, and a request clones the whole
    // nest of boxes at each level (issue 13: 109 of a discovery request's 164 allocations).
    let browser = Router::new()
        .merge(oidc::browser_routes())
        .merge(pages::routes())
        .layer(
            ServiceBuilder::new()
                // Each page's phase banner links to the feedback form saying which page it was.
                .layer(middleware::from_fn(pages::feedback::note_page))
                .layer(middleware::from_fn_with_state(
                    state.clone(),
                    visit::save_sessions,
                )),
        )
        .route("/healthz", get(pages::health::check))
        .route("/assets/{*path}", get(assets::serve))
        .layer(middleware::from_fn(deadline::for_people));
    let clients = oidc::client_routes().layer(middleware::from_fn(deadline::for_clients));
    let mut routes = Router::new()
        .merge(browser)
        .merge(clients)
        .merge(oidc::documents());
    if metrics_here {
        routes = routes.route("/metrics", get(crate::metrics::render));
    }
    let routes = routes
        .fallback(pages::info::not_found)
        .method_not_allowed_fallback(pages::info::method_not_allowed)
        .layer(
            ServiceBuilder::new()
                // Outside everything else, so every log line of the request carries its id.
                .layer(middleware::from_fn(request_id::assign))
                // Outermost of the per-route layers (Router::layer wraps each route and the
                // fallback), so it sees the route's template and every answer, refusals
                // included.
                .layer(middleware::from_fn(crate::metrics::record_request))
                // Around the routes and the rate limit, so every page, a refusal included, is
                // in the citizen's language.
                .layer(middleware::from_fn_with_state(
                    state.clone(),
                    language::choose_language,
                ))
                .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
                // Every POST, and any added, is rate-limited per client address (checklist 80).
                .layer(middleware::from_fn_with_state(
                    state.clone(),
                    rate_limit::limit_posts,
                )),
        )
        .with_state(state);
    headers::apply(routes, https)
}
