//! One Login's OpenID Connect provider: citizens' accounts, sign-in pages and sessions.
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

pub mod accounts;
pub mod app;
pub mod clock;
pub mod config;
pub mod data_dir;
pub mod ephemeral;
pub mod error;
pub mod identity;
pub mod limits;
pub mod logging;
pub mod mail;
pub mod oidc;
pub mod outbound;
pub mod sealing;
pub mod sessions;
pub mod store;
pub mod web;

pub use app::AppState;
pub use error::{Error, Result};
pub use web::router;
