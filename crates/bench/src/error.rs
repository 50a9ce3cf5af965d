//! The load tool's one error type. Every failure says what the tool was doing, so an operator
//! can tell a misconfigured run from a provider that misbehaved.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A bad command line: exit status 2, like the provider's configuration errors.
    #[error("{0}")]
    Usage(String),
    #[error("{context}: {source}")]
    Io {
        context: String,
        #[source]
        source: std::io::Error,
    },
    #[error("provider binary {path}: {why}")]
    ProviderBinary { path: PathBuf, why: String },
    /// The provider process failed to start, answer, or run a command.
    #[error("provider: {0}")]
    Provider(String),
    /// A step of a citizen's journey answered something other than what the protocol says.
    #[error("{step}: {why}")]
    Flow { step: &'static str, why: String },
    /// Setting up or tearing down PostgreSQL or Redis.
    #[error("stores: {0}")]
    Stores(String),
    #[error("signing a client assertion: {0}")]
    Signing(String),
}

impl Error {
    pub fn io(context: impl Into<String>, source: std::io::Error) -> Self {
        Error::Io {
            context: context.into(),
            source,
        }
    }

    pub fn flow(step: &'static str, why: impl Into<String>) -> Self {
        Error::Flow {
            step,
            why: why.into(),
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
