//! Test support shared by the workspace's tests: the provider in process on a real port (for
//! relying parties that talk to it over HTTP, as departments do), a cookie-keeping browser,
//! and the citizen's steps on the provider's pages; and for fault tests, private PostgreSQL and
//! Redis servers, a proxy that slows or cuts their connections, and a round-robin balancer; and
//! the scan for words a template writes outside the message catalogues.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

pub mod balancer;
mod browser;
pub mod catalogue;
mod client;
pub mod fault_proxy;
mod provider;
pub mod servers;

pub use browser::{
    Browser, PASSWORD, Page, TOTP_SECRET, agree_if_asked, prove_as_kenneth, reuse_if_asked,
    sign_in_at_provider,
};
pub use client::{pkce, toml_inline};
pub use provider::{RunningProvider, free_port, repo_root};
