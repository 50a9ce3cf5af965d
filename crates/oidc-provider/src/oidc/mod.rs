//! OpenID Connect: the protocol rules, kept free of the web framework. The endpoints in
//! `web::oidc` parse requests, call these, and render.

pub mod authorize;
pub mod clients;
pub mod keys;
pub mod pairwise;
pub mod vtr;
