use std::time::{Duration, Instant};

use async_trait::async_trait;
use moka::Expiry;
use moka::future::Cache;
use moka::ops::compute::{CompResult, Op};

use super::{EphemeralStore, Versioned};
use crate::error::Result;

/// In-process store over moka: bounded, with per-entry expiry and atomic per-key operations.
pub struct MemoryStore {
    cache: Cache<String, Entry>,
}

#[derive(Clone)]
struct Entry {
    payload: Payload,
    /// Counts the writes of a versioned record (compare-and-set); 0 for plain values.
    version: u64,
    expires_at: Instant,
}

#[derive(Clone)]
enum Payload {
    Bytes(Vec<u8>),
    /// An index's members with when each is forgotten, oldest first.
    Index(Vec<(String, Instant)>),
}

impl Entry {
    fn new(value: Vec<u8>, ttl: Duration) -> Self {
        Entry {
            payload: Payload::Bytes(value),
            version: 0,
            expires_at: Instant::now() + ttl,
        }
    }

    fn is_live(&self) -> bool {
        self.expires_at > Instant::now()
    }

    fn bytes(&self) -> Option<&[u8]> {
        match &self.payload {
            Payload::Bytes(bytes) => Some(bytes),
            Payload::Index(_) => None,
        }
    }

    fn into_bytes(self) -> Option<Vec<u8>> {
        match self.payload {
            Payload::Bytes(bytes) => Some(bytes),
            Payload::Index(_) => None,
        }
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

    async fn live(&self, key: &str) -> Option<Entry> {
        self.cache.get(key).await.filter(Entry::is_live)
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
            CompResult::Inserted(_) | CompResult::ReplacedWith(_)
        ))
    }

    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>> {
        Ok(self.live(key).await.and_then(Entry::into_bytes))
    }

    async fn take(&self, key: &str) -> Result<Option<Vec<u8>>> {
        Ok(self
            .cache
            .remove(key)
            .await
            .filter(Entry::is_live)
            .and_then(Entry::into_bytes))
    }

    async fn increment(&self, key: &str, ttl: Duration) -> Result<u64> {
        let outcome = self
            .cache
            .entry(key.to_owned())
            .and_compute_with(|existing| {
                let next = match existing {
                    Some(entry) if entry.value().is_live() => {
                        let entry = entry.into_value();
                        let count = entry.bytes().map(parse_count).unwrap_or(0) + 1;
                        Entry {
                            payload: Payload::Bytes(count.to_string().into_bytes()),
                            ..entry
                        }
                    }
                    _ => Entry::new(b"1".to_vec(), ttl),
                };
                std::future::ready(Op::Put(next))
            })
            .await;
        Ok(outcome
            .into_entry()
            .and_then(|e| e.into_value().bytes().map(parse_count))
            .unwrap_or(1))
    }

    async fn delete(&self, key: &str) -> Result<()> {
        self.cache.invalidate(key).await;
        Ok(())
    }

    async fn get_many(&self, keys: &[&str]) -> Result<Vec<Option<Vec<u8>>>> {
        let mut values = Vec::with_capacity(keys.len());
        for key in keys {
            values.push(self.live(key).await.and_then(Entry::into_bytes));
        }
        Ok(values)
    }

    async fn get_versioned(&self, key: &str) -> Result<Option<Versioned>> {
        Ok(self.live(key).await.and_then(|entry| {
            let version = entry.version;
            entry.into_bytes().map(|value| Versioned { version, value })
        }))
    }

    async fn put_if_version(
        &self,
        key: &str,
        expected: Option<u64>,
        value: &[u8],
        ttl: Duration,
    ) -> Result<Option<u64>> {
        let outcome = self
            .cache
            .entry(key.to_owned())
            .and_compute_with(|existing| {
                let current = existing
                    .map(|e| e.into_value())
                    .filter(Entry::is_live)
                    .map(|e| e.version);
                let op = if current == expected {
                    Op::Put(Entry {
                        version: current.unwrap_or(0) + 1,
                        ..Entry::new(value.to_vec(), ttl)
                    })
                } else {
                    Op::Nop
                };
                std::future::ready(op)
            })
            .await;
        Ok(match outcome {
            CompResult::Inserted(entry) | CompResult::ReplacedWith(entry) => {
                Some(entry.into_value().version)
            }
            _ => None,
        })
    }

    async fn delete_if_version(&self, key: &str, expected: u64) -> Result<bool> {
        let outcome = self
            .cache
            .entry(key.to_owned())
            .and_compute_with(|existing| {
                let op = match existing.map(|e| e.into_value()) {
                    Some(entry) if entry.is_live() && entry.version == expected => Op::Remove,
                    _ => Op::Nop,
                };
                std::future::ready(op)
            })
            .await;
        Ok(matches!(outcome, CompResult::Removed(_)))
    }

    async fn index_add(
        &self,
        key: &str,
        member: &str,
        ttl: Duration,
        capacity: usize,
    ) -> Result<Vec<String>> {
        let mut pushed_out = Vec::new();
        self.cache
            .entry(key.to_owned())
            .and_compute_with(|existing| {
                let now = Instant::now();
                let mut members = match existing.map(|e| e.into_value()) {
                    Some(Entry {
                        payload: Payload::Index(members),
                        ..
                    }) => members,
                    _ => Vec::new(),
                };
                members.retain(|(m, deadline)| m != member && *deadline > now);
                members.push((member.to_owned(), now + ttl));
                let excess = members.len().saturating_sub(capacity.max(1));
                pushed_out.extend(members.drain(..excess).map(|(m, _)| m));
                let expires_at = members.iter().map(|(_, d)| *d).max().unwrap_or(now + ttl);
                std::future::ready(Op::Put(Entry {
                    payload: Payload::Index(members),
                    version: 0,
                    expires_at,
                }))
            })
            .await;
        Ok(pushed_out)
    }

    async fn index_members(&self, key: &str) -> Result<Vec<String>> {
        let now = Instant::now();
        Ok(match self.live(key).await.map(|e| e.payload) {
            Some(Payload::Index(members)) => members
                .into_iter()
                .filter(|(_, deadline)| *deadline > now)
                .map(|(m, _)| m)
                .collect(),
            _ => Vec::new(),
        })
    }

    async fn index_remove(&self, key: &str, member: &str) -> Result<()> {
        self.cache
            .entry(key.to_owned())
            .and_compute_with(|existing| {
                let op = match existing.map(|e| e.into_value()) {
                    Some(Entry {
                        payload: Payload::Index(mut members),
                        version,
                        expires_at,
                    }) => {
                        members.retain(|(m, _)| m != member);
                        if members.is_empty() {
                            Op::Remove
                        } else {
                            Op::Put(Entry {
                                payload: Payload::Index(members),
                                version,
                                expires_at,
                            })
                        }
                    }
                    _ => Op::Nop,
                };
                std::future::ready(op)
            })
            .await;
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
