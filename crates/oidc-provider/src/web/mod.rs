//! The web edge: extractors, the session cookie, pages and the mapping of errors to responses.
//! Handlers here parse, call the rules in `accounts`/`sessions`, and render.

pub mod assets;
pub mod error;
pub mod extract;
pub mod headers;
pub mod oidc;
pub mod pages;
pub mod rate_limit;
pub mod templates;
pub mod visit;

pub use extract::{ClientIp, PageForm};
pub use visit::Visit;
