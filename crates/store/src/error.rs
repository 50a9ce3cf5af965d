//! The storage layer's one error type: the durable database, the short-lived store and the
//! sealing of secrets. The domain wraps it (`crate::error::Error::Store`).

use std::fmt;

/// What can go wrong reading or writing stored data.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A storage setting is missing or wrong; `key` is written as in the TOML file.
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

    /// The in-memory short-lived store's byte budget is spent: the write is refused rather
    /// than forget a live entry (issue 12.2). Answered like an outage: 503, try again.
    #[error("short-lived store full: {0}")]
    Full(String),

    /// A stored value could not be read back (corrupt row, unknown enum value).
    #[error("stored data is invalid: {0}")]
    Corrupt(String),

    /// A write the stored data refuses (an email address another account has).
    #[error("{0}")]
    Refused(Refusal),

    #[error("internal: {0}")]
    Internal(String),
}

/// Writes refused by a uniqueness rule of the stored data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    EmailTaken,
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::EmailTaken => f.write_str("an account with this email address already exists"),
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

    /// Whether the in-memory short-lived store refused a write for want of room.
    pub fn is_full(&self) -> bool {
        matches!(self, Error::Full(_))
    }

    /// Whether the database or the short-lived store is down rather than a bug.
    pub fn is_unavailable(&self) -> bool {
        match self {
            Error::Ephemeral(_) | Error::Full(_) => true,
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
