//! `one-login-bench`: drives real HTTP at a running One Login provider with many virtual
//! citizens and reports throughput, latency, memory and CPU against the targets of issue 7.
//!
//! The measured provider is always the real `one-login` binary in a child process; this crate
//! links the provider library only to read the same configuration and to time argon2. With
//! `--anchor`, the same generator also drives panva oidc-provider (`tests/perf/anchor`), the
//! anchor issue 13 compares CPU per operation with.
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

pub mod anchor;
pub mod citizen;
pub mod error;
pub mod measure;
pub mod pool;
pub mod provider;
pub mod report;
pub mod rp;
pub mod run;
pub mod scenario;
pub mod soak;

pub use error::{Error, Result};
