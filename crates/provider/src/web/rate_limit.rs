//! Every POST is rate-limited per client address, by kind of route (`limits::rate`), before
//! its handler reads the body: one counter round trip. A new route needs nothing here: it is
//! counted under its path's prefix, or as a form. Pages (GET) are not counted, so single sign-on
//! at `/authorize` costs nothing and many citizens behind one address are not refused a page.

use axum::extract::{MatchedPath, Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::extract::client_ip;
use super::oidc::for_client;
use crate::app::AppState;
use crate::web::error::Error;
use one_login_core::limits::{RouteKind, counted_as_text};

pub async fn limit_posts(State(app): State<AppState>, request: Request, next: Next) -> Response {
    if request.method() != Method::POST {
        return next.run(request).await;
    }
    // Only routes that exist: a POST to an unknown path costs a 404 and nothing more.
    let Some(path) = request.extensions().get::<MatchedPath>() else {
        return next.run(request).await;
    };
    let kind = RouteKind::of_path(path.as_str());
    let ip = client_ip(request.headers(), request.extensions(), &app.config);
    let admitted = app
        .rate_limiter
        .admit(
            app.ephemeral.as_ref(),
            kind,
            &counted_as_text(&ip),
            app.clock.unix(),
        )
        .await;
    match admitted {
        Ok(()) => next.run(request).await,
        Err(error) => {
            tracing::warn!(client = %ip, route = path.as_str(), "rate limit reached");
            let error = Error::from(error);
            if kind.is_client_api() {
                for_client(error).into_response()
            } else {
                error.into_response()
            }
        }
    }
}
