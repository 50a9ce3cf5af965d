//! Limits on what one client address or client may send: who a request comes from (behind
//! trusted proxies only) and request rates per kind of route. The wrong-password and wrong-code
//! throttle, which needs the account rules, is `accounts::throttle`.

pub mod client_address;
pub mod rate;

pub use client_address::{TrustedProxies, client_address, counted_as, counted_as_text};
pub use rate::{RateLimiter, RouteKind};
