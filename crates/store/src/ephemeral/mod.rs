//! The short-lived store: journey state, sessions, one-time codes, rate-limit and lockout
//! counters. Everything in it expires; nothing in it must survive the loss of the store.
//!
//! One interface, two implementations: [`MemoryStore`] (the default, one process) and
//! [`RedisStore`] (shared by several provider replicas). Both are tested by the same contract
//! suite (`tests/storage_contract.rs`).

mod memory;
mod redis_store;

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;

pub use memory::MemoryStore;
pub use redis_store::RedisStore;

use crate::config::EphemeralConfig;
use crate::error::Result;

#[async_trait]
pub trait EphemeralStore: Send + Sync + 'static {
    /// Stores `value` under `key` for `ttl`, replacing what was there.
    async fn put(&self, key: &str, value: &[u8], ttl: Duration) -> Result<()>;

    /// Stores `value` only if `key` holds nothing; returns whether it was stored. Atomic: of two
    /// racing callers exactly one gets `true` (replay detection of `jti`s and TOTP steps).
    async fn put_new(&self, key: &str, value: &[u8], ttl: Duration) -> Result<bool>;

    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>>;

    /// Replaces the value of the live `key` with `value`, its expiry unchanged, and returns
    /// the value it replaced; `None`, writing nothing, when `key` holds nothing. Atomic: of two
    /// racing callers at most one gets the first value. Single-use codes: taken in one round
    /// trip, with the mark of their use left in their place for as long as they would have lived.
    async fn swap(&self, key: &str, value: &[u8]) -> Result<Option<Vec<u8>>>;

    /// Adds one to the counter at `key` and returns the new value. A new counter expires after
    /// `ttl`; incrementing does not extend it (fixed windows).
    async fn increment(&self, key: &str, ttl: Duration) -> Result<u64>;

    async fn delete(&self, key: &str) -> Result<()>;

    /// Reads several keys at once (one round trip): a value and the marks that may void it.
    async fn get_many(&self, keys: &[&str]) -> Result<Vec<Option<Vec<u8>>>>;

    /// A versioned record: its value and the version to present when writing it back.
    async fn get_versioned(&self, key: &str) -> Result<Option<Versioned>>;

    /// Writes a versioned record only if it is still at `expected` (`None`: only if there is no
    /// record), and returns the new version; `None` when someone else wrote or deleted it first.
    /// The write that loses a race never overwrites the winner's (issue: lost session writes).
    async fn put_if_version(
        &self,
        key: &str,
        expected: Option<u64>,
        value: &[u8],
        ttl: Duration,
    ) -> Result<Option<u64>>;

    /// Deletes a versioned record only if it is still at `expected`; returns whether it did.
    async fn delete_if_version(&self, key: &str, expected: u64) -> Result<bool>;

    /// Adds `member` (again) to the index at `key`, newest last, to be forgotten `ttl` from now.
    /// When that leaves more than `capacity` members, the oldest are removed and returned, so
    /// the caller can end what they stood for: an index never silently drops a live member.
    async fn index_add(
        &self,
        key: &str,
        member: &str,
        ttl: Duration,
        capacity: usize,
    ) -> Result<Vec<String>>;

    /// The index's members not yet forgotten, oldest first.
    async fn index_members(&self, key: &str) -> Result<Vec<String>>;

    async fn index_remove(&self, key: &str, member: &str) -> Result<()>;

    /// Answers when the store is reachable: for `/healthz`.
    async fn ping(&self) -> Result<()>;

    /// What this store is, for logs and test output ("memory", "redis").
    fn describe(&self) -> &'static str;

    /// What the store holds, where it can tell cheaply (in memory): for tests and logs.
    fn usage(&self) -> Option<Usage> {
        None
    }
}

/// What an in-memory store holds: entries (expired ones not yet swept included) and bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Usage {
    pub entries: usize,
    pub bytes: usize,
    pub budget: usize,
}

/// Writes work done for someone already admitted (a signed-in citizen's code, an authenticated
/// client's grant) or security state (a used-code or revocation mark, a lockout): as a new entry
/// ([`EphemeralStore::put_new`]), else over the live one. Either way a full in-memory store
/// takes it from the reserve it keeps for such writes, where a plain `put` of a new key counts
/// as new anonymous work and is refused first (issue 12.2). Ends as `put` would.
pub async fn put_kept(
    store: &dyn EphemeralStore,
    key: &str,
    value: &[u8],
    ttl: Duration,
) -> Result<()> {
    if !store.put_new(key, value, ttl).await? {
        store.put(key, value, ttl).await?;
    }
    Ok(())
}

/// A record read with its version (see [`EphemeralStore::put_if_version`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Versioned {
    pub version: u64,
    pub value: Vec<u8>,
}

/// Opens the store the configuration names.
pub async fn open(config: &EphemeralConfig) -> Result<Arc<dyn EphemeralStore>> {
    if config.url.is_empty() {
        Ok(Arc::new(MemoryStore::new(config.memory_max_bytes)))
    } else {
        let ca = match &config.tls_ca_file {
            Some(path) => Some(std::fs::read(path).map_err(|e| {
                crate::error::Error::config(
                    "ephemeral.tls_ca_file",
                    format!("{}: {e}", path.display()),
                )
            })?),
            None => None,
        };
        Ok(Arc::new(
            RedisStore::connect_with_ca(&config.url, &config.key_prefix, ca).await?,
        ))
    }
}
