//! Our own extractors, so that even a rejected request gets our error page (style: wrap
//! `Form` so its rejection is ours).

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRef, FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{Extensions, HeaderMap};
use serde::de::DeserializeOwned;

use crate::app::AppState;
use crate::web::error::Error;
use one_login_core::config::Config;
use one_login_core::limits::client_address;

/// A form body; anything unreadable becomes [`Error::BadRequest`].
pub struct PageForm<T>(pub T);

impl<S, T> FromRequest<S> for PageForm<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = Error;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Form::<T>::from_request(req, state).await {
            Ok(axum::Form(value)) => Ok(PageForm(value)),
            Err(rejection) => Err(Error::BadRequest(rejection.body_text())),
        }
    }
}

/// The client's address: the socket peer, or behind a configured proxy the address it saw
/// (`limits::client_address`; RFC 9700 §4.13).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientIp(pub String);

impl<S> FromRequestParts<S> for ClientIp
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let app = AppState::from_ref(state);
        Ok(ClientIp(client_ip(
            &parts.headers,
            &parts.extensions,
            &app.config,
        )))
    }
}

/// The client address of a request, as text; "unknown" when served without connection info.
pub fn client_ip(headers: &HeaderMap, extensions: &Extensions, config: &Config) -> String {
    let Some(ConnectInfo(peer)) = extensions.get::<ConnectInfo<SocketAddr>>() else {
        return "unknown".to_owned();
    };
    let forwarded_for: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect();
    client_address(
        peer.ip(),
        &forwarded_for,
        &config.server.trusted_proxy_ranges,
    )
    .to_string()
}
