//! The crate's one error type. `web::error` turns it into pages in one place.

/// Everything that can go wrong in a department service.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A configuration value is missing or wrong; `key` is written as in the TOML file.
    #[error("configuration error at `{key}`: {reason}")]
    Config { key: String, reason: String },

    /// The provider could not be reached, or did not answer in time.
    #[error("GOV.UK One Login cannot be reached: {0}")]
    ProviderUnreachable(String),

    /// The provider answered, but not as the protocol says (bad token, bad signature, bad
    /// document).
    #[error("GOV.UK One Login's answer was not valid: {0}")]
    ProviderAnswer(String),

    /// The provider sent the citizen back with an error (`access_denied`, `login_required`...);
    /// `identity` tells whether the request asked for a proven identity.
    #[error("GOV.UK One Login refused the request: {error} ({description})")]
    Refused {
        error: String,
        description: String,
        identity: bool,
    },

    /// The identity could not be proven to the level asked: the provider's return codes.
    #[error("the identity could not be proven (return codes {0:?})")]
    IdentityNotProven(Vec<String>),

    /// The core identity JWT failed a check.
    #[error("core identity JWT rejected: {0}")]
    IdentityRejected(String),

    /// A back-channel logout token failed a check.
    #[error("logout token rejected: {0}")]
    LogoutTokenRejected(String),

    /// A callback or form without the session that started it: expired, another browser, or
    /// forged.
    #[error("no matching session: {0}")]
    SessionMismatch(&'static str),

    /// A form's CSRF token did not match its session's.
    #[error("CSRF token missing or wrong")]
    CsrfRejected,

    #[error("not found")]
    NotFound,

    #[error("rendering a page: {0}")]
    Template(#[from] askama::Error),

    /// Reading or writing the key file.
    #[error("{0}")]
    Io(String),

    #[error("internal: {0}")]
    Internal(String),
}

impl Error {
    pub fn config(key: impl Into<String>, reason: impl Into<String>) -> Self {
        Error::Config {
            key: key.into(),
            reason: reason.into(),
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
