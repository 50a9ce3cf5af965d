//! One Login's OpenID Connect provider on the web: the citizen's pages, the protocol's
//! endpoints, the application state and routers. The rules are `one_login_core`'s, the storage
//! `one_login_store`'s.
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

pub mod app;
pub mod metrics;
pub mod web;

pub use app::AppState;
pub use web::error::{Error, Result};
pub use web::router;
