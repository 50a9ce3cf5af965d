//! The crate's one error type: the kit's, or a page that could not be drawn. `web::error` turns
//! both into pages in one place.

/// Everything that can go wrong in a department service.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Signing in or out, the configuration, the keys (the kit's errors).
    #[error(transparent)]
    Kit(#[from] one_login_rp::Error),

    /// An application sent before the proven identity the service needs (issue 15): the page
    /// does not offer it, so only a stale page or a hand-made request gets here.
    #[error("an application was sent without the proven identity the service needs")]
    IdentityNeeded,

    #[error("rendering a page: {0}")]
    Template(#[from] askama::Error),
}

impl Error {
    pub fn config(key: impl Into<String>, reason: impl Into<String>) -> Self {
        Error::Kit(one_login_rp::Error::config(key, reason))
    }

    /// A configuration error: the binary exits 2 for these.
    pub fn is_config(&self) -> bool {
        matches!(self, Error::Kit(one_login_rp::Error::Config { .. }))
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
