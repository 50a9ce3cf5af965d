//! The domain's one error type: refusals of the protocol and account rules, and the storage
//! layer's error wrapped. `web::error` adds the web's own cases and maps them all to responses.

use std::fmt;

/// Everything that can go wrong in the domain and below it.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A configuration value is missing or wrong; `key` is written as in the TOML file.
    #[error("configuration error at `{key}`: {reason}")]
    Config { key: String, reason: String },

    /// The storage layer failed: database, short-lived store, sealed secrets.
    #[error(transparent)]
    Store(#[from] one_login_store::error::Error),

    #[error("sending mail: {0}")]
    Mail(String),

    /// A request the provider made (a client's JWKS, a logout notice) failed or was refused.
    #[error("outbound request: {0}")]
    Outbound(String),

    /// A stored value could not be read back (corrupt row, unknown enum value).
    #[error("stored data is invalid: {0}")]
    Corrupt(String),

    /// A rule of the domain refused the operation (e.g. an email that is already registered).
    #[error("{0}")]
    Refused(Refusal),

    #[error("internal: {0}")]
    Internal(String),

    /// Too much of one thing at once: other requests held it past a short wait (proving
    /// checks of one document, say). Nothing was done; trying again shortly works.
    #[error("contended: {0}")]
    Contended(String),

    /// Too many requests from one client address: a page for a person.
    #[error("rate limit reached")]
    RateLimited { retry_after_seconds: u64 },

    /// An OAuth 2.0 / OpenID Connect error for a client: JSON per RFC 6749 §5.2 (token,
    /// revocation) or RFC 6750 §3 (userinfo).
    #[error("{0}")]
    OAuth(OAuthError),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OAuthError {
    pub status: u16,
    pub error: &'static str,
    pub description: String,
    /// `WWW-Authenticate` value, for 401 answers (RFC 6749 §5.2, RFC 6750 §3).
    pub www_authenticate: Option<String>,
}

impl fmt::Display for OAuthError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({}): {}", self.error, self.status, self.description)
    }
}

impl OAuthError {
    pub fn new(status: u16, error: &'static str, description: impl Into<String>) -> Self {
        OAuthError {
            status,
            error,
            description: description.into(),
            www_authenticate: None,
        }
    }

    pub fn invalid_request(description: impl Into<String>) -> Self {
        Self::new(400, "invalid_request", description)
    }

    pub fn invalid_grant(description: impl Into<String>) -> Self {
        Self::new(400, "invalid_grant", description)
    }

    /// One uniform answer for every client authentication failure (RFC 6749 §5.2; checklist 17):
    /// 401 with a `Basic` challenge that names the error too, since some client libraries read
    /// it only from that header (issue 11.15).
    pub fn invalid_client() -> Self {
        OAuthError {
            status: 401,
            error: "invalid_client",
            description: "client authentication failed".to_owned(),
            www_authenticate: Some(
                "Basic realm=\"One Login\", error=\"invalid_client\"".to_owned(),
            ),
        }
    }

    /// RFC 6750 §3.1: a bearer token that is missing, expired, revoked or malformed.
    pub fn invalid_token(description: impl Into<String>) -> Self {
        let description = description.into();
        OAuthError {
            status: 401,
            error: "invalid_token",
            www_authenticate: Some(format!(
                "Bearer error=\"invalid_token\", error_description=\"{description}\""
            )),
            description,
        }
    }
}

impl From<OAuthError> for Error {
    fn from(e: OAuthError) -> Self {
        Error::OAuth(e)
    }
}

/// Domain refusals that callers (CLI, pages) turn into messages for people.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    InvalidEmail(&'static str),
    WeakPassword(String),
    InvalidTotpSecret,
    /// No account has this email address (an operator's command).
    UnknownAccount(String),
    /// An account intervention that does not apply to the account as it stands.
    InterventionRefused(&'static str),
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::InvalidEmail(why) => write!(f, "email address refused: {why}"),
            Refusal::WeakPassword(why) => write!(f, "password refused: {why}"),
            Refusal::InvalidTotpSecret => {
                f.write_str("the authenticator secret must be base32 and at least 128 bits")
            }
            Refusal::UnknownAccount(email) => write!(f, "no account has the email address {email}"),
            Refusal::InterventionRefused(why) => write!(f, "nothing done: {why}"),
        }
    }
}

impl Error {
    pub fn config(key: impl Into<String>, reason: impl Into<String>) -> Self {
        Error::Config {
            key: key.into(),
            reason: reason.into(),
        }
    }

    /// Whether a dependency (database, short-lived store) is down rather than a bug: decides
    /// between "service unavailable" (503) and "something went wrong" (500).
    pub fn is_unavailable(&self) -> bool {
        match self {
            Error::Contended(_) => true,
            Error::Store(e) => e.is_unavailable(),
            _ => false,
        }
    }

    /// Whether a setting is wrong, here or in the storage layer: the binary exits with 2.
    pub fn is_config(&self) -> bool {
        matches!(
            self,
            Error::Config { .. } | Error::Store(one_login_store::error::Error::Config { .. })
        )
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
