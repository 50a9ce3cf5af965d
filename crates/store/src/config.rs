//! The storage layer's sections of the configuration: plain serde structs that the provider's
//! `Config` embeds and checks (`database`, `ephemeral`, `secrets`).

use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::error::{Error, Result};

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatabaseConfig {
    /// `sqlite://…` or `postgres://…`. Empty: `sqlite://<data_dir>/one-login.sqlite`.
    #[serde(default)]
    pub url: String,
    pub max_connections: u32,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EphemeralConfig {
    /// `redis://…` (or `rediss://…`). Empty: in this process's memory.
    #[serde(default)]
    pub url: String,
    /// Bytes the in-memory store may keep (keys, values and a fixed overhead an entry). It
    /// never evicts a live entry: when full it refuses new records, then security state.
    #[serde(default = "default_memory_max_bytes")]
    pub memory_max_bytes: u64,
    /// Replaced by `memory_max_bytes`; read only to name the new key in the error.
    #[serde(default)]
    pub memory_max_entries: Option<u64>,
    /// Put before every Redis key, so several deployments can share one server.
    pub key_prefix: String,
    /// PEM of the certificate authority that signed the Redis server's certificate, for
    /// `rediss://` to a server the system's roots do not know.
    #[serde(default)]
    pub tls_ca_file: Option<PathBuf>,
}

/// 32 MiB: some 70,000 sign-in journeys, far more than 128 concurrent flows keep.
pub const DEFAULT_MEMORY_MAX_BYTES: u64 = 32 << 20;

fn default_memory_max_bytes() -> u64 {
    DEFAULT_MEMORY_MAX_BYTES
}

/// The key-encryption key: AES-256-GCM, it seals the signing keys, the authenticator secrets
/// and the pairwise-subject salt in the database (issue 11.7; checklist 38 and 56).
#[derive(Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SecretsConfig {
    /// Base64 of 32 bytes. Empty: read from `key_encryption_key_file`.
    #[serde(default)]
    pub key_encryption_key: String,
    /// A file holding the key (a mounted secret). Empty: `<data_dir>/key-encryption.key`, made
    /// on first start.
    #[serde(default)]
    pub key_encryption_key_file: Option<PathBuf>,
    /// Earlier keys, still used to open what they sealed until it is sealed again under the
    /// current key (which every start does).
    #[serde(default)]
    pub previous_key_encryption_keys: Vec<String>,
}

impl std::fmt::Debug for SecretsConfig {
    // Checklist 38: keys stay out of logs and panics.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SecretsConfig")
            .field(
                "key_encryption_key",
                &(!self.key_encryption_key.is_empty()).then_some("(set)"),
            )
            .field("key_encryption_key_file", &self.key_encryption_key_file)
            .field(
                "previous_key_encryption_keys",
                &self.previous_key_encryption_keys.len(),
            )
            .finish()
    }
}

/// Which durable database a URL names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DatabaseKind {
    Sqlite,
    Postgres,
}

impl DatabaseConfig {
    /// Which database `url` names.
    pub fn kind(&self) -> Result<DatabaseKind> {
        let url = &self.url;
        if url.starts_with("sqlite:") {
            Ok(DatabaseKind::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(DatabaseKind::Postgres)
        } else {
            Err(Error::config(
                "database.url",
                "must start with sqlite: or postgres://, or be empty for the SQLite default",
            ))
        }
    }
}

/// What [`Database::connect`](super::Database::connect) reads of the configuration.
#[derive(Debug, Clone, Copy)]
pub struct DatabaseSettings<'a> {
    /// Holds the SQLite file and the key-encryption key unless configured otherwise.
    pub data_dir: &'a Path,
    pub database: &'a DatabaseConfig,
    pub secrets: &'a SecretsConfig,
}
