//! One Login's domain: the OpenID Connect protocol (`oidc`), citizens' accounts and sign-in
//! rules, sessions, identity proving, limits, mail and the provider's outbound requests. No web
//! framework here: `one_login_provider` parses requests, calls this crate and renders; storage
//! is `one_login_store`'s.
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

pub mod accounts;
pub mod authentication;
pub mod clock;
pub mod config;
pub mod error;
pub mod feedback;
pub mod i18n;
pub mod identity;
pub mod limits;
pub mod logging;
pub mod mail;
pub mod metrics;
pub mod oidc;
pub mod outbound;
pub mod random;
pub mod sessions;
pub mod wallet;

pub use error::{Error, Result};
