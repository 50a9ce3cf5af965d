//! A demo department service (relying party) for One Login: one binary, configured per
//! department (`config/departments/*.toml`), built on the relying-party kit (`one-login-rp`),
//! which does all of the signing in; this crate has the department's pages.
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

pub mod application;
pub mod config;
pub mod error;
pub mod web;

pub use error::{Error, Result};

/// Serves `state` on its configured address until `shutdown` completes.
pub async fn serve(
    state: web::AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<()> {
    let listen = state.config.listen;
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .map_err(|e| Error::config("listen", format!("cannot listen on {listen}: {e}")))?;
    tracing::info!(%listen, url = %state.config.public_url, service = %state.config.service_name, "department service is listening");
    axum::serve(listener, web::router(state))
        .with_graceful_shutdown(shutdown)
        .await
        .map_err(|e| Error::Kit(one_login_rp::Error::Internal(format!("serving: {e}"))))
}
