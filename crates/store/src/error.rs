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
            Error::Database(sqlx::Error::Database(e)) => {
                e.code().is_some_and(|code| server_unavailable(&code))
            }
            // A protocol error is a connection cut mid-conversation far more often than a
            // driver bug: a proxy (PgBouncer, a cloud endpoint) in front of a server that is
            // down accepts the connection, then closes it during the start-up exchange.
            Error::Database(e) => matches!(
                e,
                sqlx::Error::Io(_)
                    | sqlx::Error::Protocol(_)
                    | sqlx::Error::PoolTimedOut
                    | sqlx::Error::PoolClosed
                    | sqlx::Error::Tls(_)
                    | sqlx::Error::WorkerCrashed
            ),
            _ => false,
        }
    }
}

/// Whether a PostgreSQL error code (SQLSTATE, PostgreSQL manual appendix A) says the server
/// is going away, starting, or out of connections, rather than that the statement was wrong:
/// class 08 (connection exception), 57P01-57P03 (shut down by an operator or a crash, not yet
/// accepting connections: what a restart or failover shows), 53300 (too many connections).
pub fn server_unavailable(sqlstate: &str) -> bool {
    sqlstate.starts_with("08") || matches!(sqlstate, "57P01" | "57P02" | "57P03" | "53300")
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 12: `pg_ctl stop -m immediate` ends every connection with 57P01 or 57P02, and a
    /// starting server refuses with 57P03; each is an outage (503), not a bug (500).
    #[test]
    fn a_restarting_postgres_is_unavailable_not_a_bug() {
        for code in [
            "57P01", "57P02", "57P03", "53300", "08006", "08003", "08001",
        ] {
            assert!(server_unavailable(code), "{code}");
        }
        // A statement the server refused for what it says stays a bug to look at.
        for code in ["23505", "42P01", "22001", "40001", "57014"] {
            assert!(!server_unavailable(code), "{code}");
        }
        assert!(Error::Database(sqlx::Error::PoolTimedOut).is_unavailable());
        // What sqlx says when a proxy closes the connection during the TLS negotiation.
        let cut = sqlx::Error::Protocol("unexpected response from SSLRequest: 0x00".into());
        assert!(Error::Database(cut).is_unavailable());
        assert!(!Error::Corrupt("x".into()).is_unavailable());
    }
}
