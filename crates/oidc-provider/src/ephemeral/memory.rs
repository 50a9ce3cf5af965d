use std::time::{Duration, Instant};

use async_trait::async_trait;
use moka::Expiry;
use moka::future::Cache;
use moka::ops::compute::Op;

use super::EphemeralStore;
use crate::error::Result;

/// In-process store over moka: bounded, with per-entry expiry and atomic per-key operations.
pub struct MemoryStore {
    cache: Cache<String, Entry>,
}

#[derive(Clone)]
struct Entry {
    value: Vec<u8>,
    expires_at: Instant,
}

impl Entry {
    fn new(value: Vec<u8>, ttl: Duration) -> Self {
        Entry {
            value,
            expires_at: Instant::now() + ttl,
        }
    }

    fn is_live(&self) -> bool {
        self.expires_at > Instant::now()
    }
}

struct ByDeadline;

impl Expiry<String, Entry> for ByDeadline {
    fn expire_after_create(&self, _: &String, entry: &Entry, now: Instant) -> Option<Duration> {
        Some(entry.expires_at.saturating_duration_since(now))
    }

    fn expire_after_update(
        &self,
        _: &String,
        entry: &Entry,
        now: Instant,
        _: Option<Duration>,
    ) -> Option<Duration> {
        Some(entry.expires_at.saturating_duration_since(now))
    }
}

impl MemoryStore {
    pub fn new(max_entries: u64) -> Self {
        MemoryStore {
            cache: Cache::builder()
                .max_capacity(max_entries)
                .expire_after(ByDeadline)
                .build(),
        }
    }
}

#[async_trait]
impl EphemeralStore for MemoryStore {
    async fn put(&self, key: &str, value: &[u8], ttl: Duration) -> Result<()> {
        self.cache
            .insert(key.to_owned(), Entry::new(value.to_vec(), ttl))
            .await;
        Ok(())
    }

    async fn put_new(&self, key: &str, value: &[u8], ttl: Duration) -> Result<bool> {
        let outcome = self
            .cache
            .entry(key.to_owned())
            .and_compute_with(|existing| {
                let op = match existing {
                    Some(entry) if entry.value().is_live() => Op::Nop,
                    _ => Op::Put(Entry::new(value.to_vec(), ttl)),
                };
                std::future::ready(op)
            })
            .await;
        Ok(matches!(
            outcome,
            moka::ops::compute::CompResult::Inserted(_)
                | moka::ops::compute::CompResult::ReplacedWith(_)
        ))
    }

    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>> {
        Ok(self
            .cache
            .get(key)
            .await
            .filter(Entry::is_live)
            .map(|e| e.value))
    }

    async fn take(&self, key: &str) -> Result<Option<Vec<u8>>> {
        Ok(self
            .cache
            .remove(key)
            .await
            .filter(Entry::is_live)
            .map(|e| e.value))
    }

    async fn increment(&self, key: &str, ttl: Duration) -> Result<u64> {
        let outcome = self
            .cache
            .entry(key.to_owned())
            .and_compute_with(|existing| {
                let next = match existing {
                    Some(entry) if entry.value().is_live() => {
                        let entry = entry.into_value();
                        let count = parse_count(&entry.value) + 1;
                        Entry {
                            value: count.to_string().into_bytes(),
                            expires_at: entry.expires_at,
                        }
                    }
                    _ => Entry::new(b"1".to_vec(), ttl),
                };
                std::future::ready(Op::Put(next))
            })
            .await;
        Ok(outcome
            .into_entry()
            .map(|e| parse_count(&e.into_value().value))
            .unwrap_or(1))
    }

    async fn delete(&self, key: &str) -> Result<()> {
        self.cache.invalidate(key).await;
        Ok(())
    }

    async fn ping(&self) -> Result<()> {
        Ok(())
    }

    fn describe(&self) -> &'static str {
        "memory"
    }
}

fn parse_count(bytes: &[u8]) -> u64 {
    std::str::from_utf8(bytes)
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0)
}
