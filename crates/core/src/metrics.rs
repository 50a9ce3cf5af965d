//! Every metric the provider exports, by name, with what it counts. Recorded through the
//! `metrics` facade; the provider installs the Prometheus recorder and serves `/metrics`.
//! Labels are fixed words from the code (route templates, results, grant types), never personal
//! data, client input or raw paths.

/// Counter: HTTP requests answered, by `route` (the router's template, e.g. `/sign-in`, or
/// `unmatched`) and `status` (`2xx` ... `5xx`).
pub const HTTP_REQUESTS: &str = "one_login_http_requests_total";
/// Histogram (seconds): time from request to response headers, by `route`.
pub const HTTP_REQUEST_DURATION: &str = "one_login_http_request_duration_seconds";
/// Counter: sign-ins completed (password and authenticator code right).
pub const SIGN_INS: &str = "one_login_sign_ins_total";
/// Counter: wrong answers at sign-in, by `factor` (`password`, `authenticator_code`).
pub const SIGN_IN_FAILURES: &str = "one_login_sign_in_failures_total";
/// Counter: wrong answers after which the email address and client address must wait (the
/// throttle's "lockout": a wait, never a lock).
pub const LOCKOUTS: &str = "one_login_sign_in_lockouts_total";
/// Counter: identity checks, by `result` (`matched`, `not_matched`, `limited`: not matched and
/// the attempts limit now holds).
pub const PROVING_CHECKS: &str = "one_login_identity_checks_total";
/// Counter: identities proven, by `level` (`P1` ... `P3`).
pub const IDENTITIES_PROVEN: &str = "one_login_identities_proven_total";
/// Counter: token responses issued, by `grant_type` (`authorization_code`, `refresh_token`).
pub const TOKENS_ISSUED: &str = "one_login_tokens_issued_total";
/// Counter: requests failed by a store, by `backend` (`database`, `short_lived`).
pub const STORE_ERRORS: &str = "one_login_store_errors_total";
/// Gauge: password hashes waiting for a turn (argon2 runs a bounded number at once).
pub const PASSWORD_HASH_QUEUE: &str = "one_login_password_hash_queue_depth";
/// Histogram (seconds): how long a password hash waited for its turn.
pub const PASSWORD_HASH_WAIT: &str = "one_login_password_hash_wait_seconds";
/// Counter: back-channel logout tokens, by `result` (`delivered`, `failed`: refused or
/// unreachable after every retry).
pub const BACKCHANNEL_LOGOUTS: &str = "one_login_backchannel_logouts_total";

/// Every name above, for tests that check what a dashboard or alert refers to.
pub const ALL: &[&str] = &[
    HTTP_REQUESTS,
    HTTP_REQUEST_DURATION,
    SIGN_INS,
    SIGN_IN_FAILURES,
    LOCKOUTS,
    PROVING_CHECKS,
    IDENTITIES_PROVEN,
    TOKENS_ISSUED,
    STORE_ERRORS,
    PASSWORD_HASH_QUEUE,
    PASSWORD_HASH_WAIT,
    BACKCHANNEL_LOGOUTS,
];

/// The store behind an error, for [`STORE_ERRORS`]; `None` when it is not a store failure.
pub fn store_backend(error: &crate::Error) -> Option<&'static str> {
    use one_login_store::error::Error as StoreError;
    match error {
        crate::Error::Store(StoreError::Database(_) | StoreError::Migration(_)) => Some("database"),
        crate::Error::Store(StoreError::Ephemeral(_) | StoreError::Full(_)) => Some("short_lived"),
        _ => None,
    }
}
