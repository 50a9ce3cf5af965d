//! The crate's one error type. `web::error` maps it to responses in one place.

use std::fmt;

/// Everything that can go wrong below the web edge.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A configuration value is missing or wrong; `key` is written as in the TOML file.
    #[error("configuration error at `{key}`: {reason}")]
    Config { key: String, reason: String },

    /// The durable database did not answer or refused a statement.
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),

    #[error("database migration: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),

    /// The short-lived store (memory or Redis) did not answer.
    #[error("short-lived store: {0}")]
    Ephemeral(String),

    #[error("sending mail: {0}")]
    Mail(String),

    /// A request the provider made (a client's JWKS, a logout notice) failed or was refused.
    #[error("outbound request: {0}")]
    Outbound(String),

    #[error("rendering a page: {0}")]
    Template(#[from] askama::Error),

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

    /// A form or query that cannot be read: wrong encoding, duplicated or over-long fields.
    #[error("bad request: {0}")]
    BadRequest(String),

    /// A form arrived without a live session: expired, cookies off, or sent from elsewhere.
    #[error("no live session for this form")]
    SessionExpired,

    /// Another request changed or ended the session while this one was in flight; this one's
    /// change was dropped (issue 11.3). The browser is sent to `again` to see where it stands.
    #[error("the session changed while this request was in flight")]
    SessionSuperseded { again: String },

    /// A form's CSRF token did not match its session's (RFC 6749 §10.12).
    #[error("CSRF token missing or wrong")]
    CsrfRejected,

    /// Too many requests from one client address: a page for a person.
    #[error("rate limit reached")]
    RateLimited { retry_after_seconds: u64 },

    /// Too many requests from one client or client address at an endpoint for relying
    /// parties' servers: OAuth JSON, 429 (RFC 6585 §4).
    #[error("client rate limit reached")]
    ClientRateLimited { retry_after_seconds: u64 },

    #[error("not found")]
    NotFound,

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
    EmailTaken,
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
            Refusal::EmailTaken => f.write_str("an account with this email address already exists"),
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

    pub fn ephemeral(e: impl fmt::Display) -> Self {
        Error::Ephemeral(e.to_string())
    }

    /// Whether a dependency (database, short-lived store) is down rather than a bug: decides
    /// between "service unavailable" (503) and "something went wrong" (500).
    pub fn is_unavailable(&self) -> bool {
        match self {
            Error::Ephemeral(_) | Error::Contended(_) => true,
            Error::Database(e) => matches!(
                e,
                sqlx::Error::Io(_)
                    | sqlx::Error::PoolTimedOut
                    | sqlx::Error::PoolClosed
                    | sqlx::Error::Tls(_)
                    | sqlx::Error::WorkerCrashed
            ),
            _ => false,
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
