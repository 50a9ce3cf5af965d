//! The in-process short-lived store: bounded by bytes, and it never evicts a live entry.
//!
//! A cache that evicts when full (moka, before) forgets sessions, replay marks, used-code marks
//! and rate-limit counters under load: a flood of anonymous requests could sign citizens out or
//! let a replayed code through (issue 12.2). Here an entry leaves only when it expires or is
//! deleted. When the budget is spent the store refuses writes instead, in two steps:
//!
//! - new records (`put` of a new key, `put_if_version(None)`, a new index): new anonymous work,
//!   refused once the budget less its reserve ([`RESERVE_PERCENT`]) is used;
//! - security state (`put_new` marks, `increment` counters, updates of existing records): may
//!   also use the reserve, and is refused (the request fails closed, 503) only when that is
//!   spent too. Deletes and takes always succeed.
//!
//! Expired entries are removed when met (lazily), by a sweep of one shard every
//! [`SWEEP_EVERY`] writes, and by a sweep of every shard before a write is refused.
//!
//! Marks are kept apart and small: a value of at most [`MARK_VALUE_MAX`] bytes written by
//! `put_new` (a client assertion's or request object's `jti`, a used email code) or left by
//! `swap` (a used authorization code) is kept under a 128-bit keyed digest of its key, not the
//! key, in [`MARK_SIZE`] bytes where an entry costs [`ENTRY_OVERHEAD`] and its key. Every flow
//! leaves two marks for minutes, so their size, not the CPU, set how many flows a second the
//! store could take (issue 13). The digest is keyed per process (SipHash with random keys), so
//! no one can choose keys that collide.

use std::collections::HashMap;
use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, BuildHasherDefault};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use async_trait::async_trait;

use super::{EphemeralStore, Usage, Versioned};
use crate::error::{Error, Result};

/// The share of the budget only security state may use.
pub const RESERVE_PERCENT: u64 = 15;

/// What an entry costs beyond its key and value bytes: the map's slot (an 88-byte key `String`
/// and entry, at a load of 1/2 to 7/8), the two heap allocations' headers and rounding. On the
/// high side, so the budget bounds the memory really used.
pub const ENTRY_OVERHEAD: usize = 192;

/// The longest value kept as a mark.
pub const MARK_VALUE_MAX: usize = 7;

/// What a mark costs: its 32-byte slot (digest and [`Mark`]) at the map's lowest load, 7/16,
/// and its control byte. On the high side, like [`ENTRY_OVERHEAD`].
pub const MARK_SIZE: usize = 80;

/// What an index member costs beyond its bytes: its `String` and deadline.
const MEMBER_OVERHEAD: usize = 48;

const SHARDS: usize = 16;

/// One shard's expired entries are swept every this many writes.
const SWEEP_EVERY: usize = 64;

/// Sweeps of every shard before a refusal are at most this frequent: a flood of refused
/// writes must not turn into a flood of full sweeps.
const FULL_SWEEP_SPACING: Duration = Duration::from_millis(50);

/// In-process store: sharded maps under `std` mutexes (never held across an `.await`).
pub struct MemoryStore {
    shards: Box<[Mutex<Shard>]>,
    hasher: RandomState,
    /// With `hasher`, the two halves of a mark's digest (independent keys).
    mark_hasher: RandomState,
    /// Bytes accounted to live (or not yet swept) entries.
    used: AtomicUsize,
    budget: usize,
    /// New anonymous work may use the budget up to here; security state up to `budget`.
    anonymous_limit: usize,
    writes: AtomicUsize,
    started: Instant,
    /// Milliseconds after `started` of the last sweep of every shard.
    last_full_sweep: AtomicU64,
}

struct Shard {
    entries: HashMap<String, Entry>,
    /// Marks by their key's digest; a key is in `entries` or here, never both.
    marks: HashMap<Digest, Mark, BuildHasherDefault<DigestHasher>>,
    /// No entry of this shard expires before this (it may be earlier than the true first
    /// deadline after a delete: the next sweep recomputes it).
    next_expiry: Option<Instant>,
    /// The store's start, from which marks count their deadlines.
    started: Instant,
}

struct Entry {
    payload: Payload,
    /// Counts the writes of a versioned record (compare-and-set); 0 for plain values.
    version: u64,
    expires_at: Instant,
    /// Bytes accounted for this entry.
    size: usize,
}

enum Payload {
    Bytes(Vec<u8>),
    /// An index's members with when each is forgotten, oldest first.
    Index(Vec<(String, Instant)>),
}

/// A 128-bit keyed digest of a key.
type Digest = (u64, u64);

/// A short value kept by its key's digest.
#[derive(Clone, Copy)]
struct Mark {
    /// Milliseconds after the store's start when it expires.
    expires_ms: u64,
    len: u8,
    value: [u8; MARK_VALUE_MAX],
}

impl Mark {
    fn new(value: &[u8], expires_ms: u64) -> Self {
        let mut bytes = [0; MARK_VALUE_MAX];
        bytes[..value.len()].copy_from_slice(value);
        Mark {
            expires_ms,
            len: value.len() as u8,
            value: bytes,
        }
    }

    fn value(&self) -> &[u8] {
        &self.value[..usize::from(self.len)]
    }
}

/// Digests are already keyed SipHash: the mark map hashes them no further.
#[derive(Default)]
struct DigestHasher(u64);

impl std::hash::Hasher for DigestHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for byte in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(*byte);
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = self.0.rotate_left(32) ^ n;
    }
}

/// Which part of the budget a write may use.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Claim {
    /// A new record: only up to the anonymous limit.
    NewRecord,
    /// Security state or an update of what is stored: the whole budget.
    Kept,
}

/// A write the budget cannot take.
struct Full;

impl Entry {
    fn bytes(key: &str, value: Vec<u8>, ttl: Duration, version: u64) -> Self {
        Entry {
            size: ENTRY_OVERHEAD + key.len() + value.len(),
            payload: Payload::Bytes(value),
            version,
            expires_at: Instant::now() + ttl,
        }
    }

    fn index(key: &str, members: Vec<(String, Instant)>, expires_at: Instant) -> Self {
        let size = ENTRY_OVERHEAD
            + key.len()
            + members
                .iter()
                .map(|(m, _)| m.len() + MEMBER_OVERHEAD)
                .sum::<usize>();
        Entry {
            payload: Payload::Index(members),
            version: 0,
            expires_at,
            size,
        }
    }

    fn is_live(&self, now: Instant) -> bool {
        self.expires_at > now
    }

    fn value(&self) -> Option<&[u8]> {
        match &self.payload {
            Payload::Bytes(bytes) => Some(bytes),
            Payload::Index(_) => None,
        }
    }
}

impl Shard {
    /// The live entry at `key`; an expired one is removed (and its bytes returned in `freed`).
    fn live(&mut self, key: &str, now: Instant, freed: &mut usize) -> Option<&mut Entry> {
        if self.entries.get(key).is_some_and(|e| !e.is_live(now))
            && let Some(gone) = self.entries.remove(key)
        {
            *freed += gone.size;
        }
        self.entries.get_mut(key)
    }

    fn remove(&mut self, key: &str, freed: &mut usize) -> Option<Entry> {
        let gone = self.entries.remove(key)?;
        *freed += gone.size;
        Some(gone)
    }

    fn new(started: Instant) -> Self {
        Shard {
            entries: HashMap::new(),
            marks: HashMap::default(),
            next_expiry: None,
            started,
        }
    }

    /// A deadline in milliseconds after the store's start, rounded up (a mark never ends early).
    fn deadline_ms(&self, at: Instant) -> u64 {
        let since = at.saturating_duration_since(self.started);
        since.as_millis() as u64 + u64::from(!since.subsec_nanos().is_multiple_of(1_000_000))
    }

    /// Now in milliseconds after the store's start, rounded down.
    fn now_ms(&self, now: Instant) -> u64 {
        now.saturating_duration_since(self.started).as_millis() as u64
    }

    fn instant(&self, ms: u64) -> Instant {
        self.started + Duration::from_millis(ms)
    }

    /// The live mark at `digest`; an expired one is removed (and its bytes returned in `freed`).
    fn live_mark(&mut self, digest: Digest, now: Instant, freed: &mut usize) -> Option<&mut Mark> {
        if self.marks.is_empty() {
            return None;
        }
        let now_ms = self.now_ms(now);
        if self
            .marks
            .get(&digest)
            .is_some_and(|m| m.expires_ms <= now_ms)
        {
            self.marks.remove(&digest);
            *freed += MARK_SIZE;
        }
        self.marks.get_mut(&digest)
    }

    fn remove_mark(&mut self, digest: Digest, freed: &mut usize) -> Option<Mark> {
        if self.marks.is_empty() {
            return None;
        }
        let gone = self.marks.remove(&digest)?;
        *freed += MARK_SIZE;
        Some(gone)
    }

    fn note_deadline(&mut self, at: Instant) {
        self.next_expiry = Some(self.next_expiry.map_or(at, |n| n.min(at)));
    }

    /// Removes every expired entry, if any may have expired; returns the bytes freed.
    fn sweep(&mut self, now: Instant) -> usize {
        if self.next_expiry.is_none_or(|at| at > now) {
            return 0;
        }
        let mut freed = 0;
        let mut next: Option<Instant> = None;
        self.entries.retain(|_, entry| {
            if entry.is_live(now) {
                next = Some(next.map_or(entry.expires_at, |n| n.min(entry.expires_at)));
                true
            } else {
                freed += entry.size;
                false
            }
        });
        let now_ms = self.now_ms(now);
        let mut next_mark: Option<u64> = None;
        self.marks.retain(|_, mark| {
            if mark.expires_ms > now_ms {
                next_mark = Some(next_mark.map_or(mark.expires_ms, |n| n.min(mark.expires_ms)));
                true
            } else {
                freed += MARK_SIZE;
                false
            }
        });
        if let Some(ms) = next_mark {
            let at = self.instant(ms);
            next = Some(next.map_or(at, |n| n.min(at)));
        }
        self.next_expiry = next;
        freed
    }
}

impl MemoryStore {
    /// A store that keeps at most `max_bytes` (keys, values and [`ENTRY_OVERHEAD`] each).
    pub fn new(max_bytes: u64) -> Self {
        let budget = usize::try_from(max_bytes).unwrap_or(usize::MAX);
        let reserve = usize::try_from(max_bytes / 100 * RESERVE_PERCENT).unwrap_or(0);
        let started = Instant::now();
        MemoryStore {
            shards: (0..SHARDS)
                .map(|_| Mutex::new(Shard::new(started)))
                .collect(),
            hasher: RandomState::new(),
            mark_hasher: RandomState::new(),
            used: AtomicUsize::new(0),
            budget,
            anonymous_limit: budget.saturating_sub(reserve),
            writes: AtomicUsize::new(0),
            started,
            last_full_sweep: AtomicU64::new(0),
        }
    }

    /// The digest a mark of `key` is kept by.
    fn digest(&self, key: &str) -> Digest {
        (self.hasher.hash_one(key), self.mark_hasher.hash_one(key))
    }

    /// Bytes accounted to the entries kept now.
    pub fn used_bytes(&self) -> usize {
        self.used.load(Ordering::Relaxed)
    }

    /// The budget this store was made with.
    pub fn budget_bytes(&self) -> usize {
        self.budget
    }

    fn shard(&self, digest: Digest) -> MutexGuard<'_, Shard> {
        lock(&self.shards[(digest.0 as usize) % SHARDS])
    }

    /// Takes `grow` more bytes of the budget for a write of kind `claim`, or refuses.
    fn claim(&self, grow: usize, claim: Claim) -> Result<(), Full> {
        let limit = match claim {
            Claim::NewRecord => self.anonymous_limit,
            Claim::Kept => self.budget,
        };
        self.used
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |used| {
                used.checked_add(grow).filter(|total| *total <= limit)
            })
            .map(|_| ())
            .map_err(|_| Full)
    }

    fn release(&self, bytes: usize) {
        if bytes > 0 {
            self.used.fetch_sub(bytes, Ordering::AcqRel);
        }
    }

    /// Replaces `old`'s size with `new`'s in the accounting (an update: [`Claim::Kept`]).
    fn resize(&self, old: usize, new: usize) -> Result<(), Full> {
        if new > old {
            self.claim(new - old, Claim::Kept)
        } else {
            self.release(old - new);
            Ok(())
        }
    }

    /// Runs `write` on `key`'s shard; when the budget refuses it, sweeps what has expired and
    /// tries once more, then answers with [`Error::Full`].
    fn write<T>(
        &self,
        key: &str,
        mut write: impl FnMut(&Self, &mut Shard, Instant, &mut usize, Digest) -> Result<T, Full>,
    ) -> Result<T> {
        self.sweep_now_and_then();
        let digest = self.digest(key);
        for attempt in 0..2 {
            let (outcome, freed) = {
                let mut shard = self.shard(digest);
                let mut freed = 0;
                let outcome = write(self, &mut shard, Instant::now(), &mut freed, digest);
                (outcome, freed)
            };
            self.release(freed);
            match outcome {
                Ok(value) => return Ok(value),
                Err(Full) if attempt == 0 && self.sweep_all() => {}
                Err(Full) => break,
            }
        }
        Err(Error::Full(format!(
            "memory budget of {} bytes spent ({} in use): refused rather than forget a live entry",
            self.budget,
            self.used_bytes()
        )))
    }

    /// Reads (or removes) under `key`'s shard lock; an expired entry met is removed.
    fn read<T>(
        &self,
        key: &str,
        read: impl FnOnce(&mut Shard, Instant, &mut usize, Digest) -> T,
    ) -> T {
        let digest = self.digest(key);
        let (value, freed) = {
            let mut shard = self.shard(digest);
            let mut freed = 0;
            (read(&mut shard, Instant::now(), &mut freed, digest), freed)
        };
        self.release(freed);
        value
    }

    /// The amortised sweep: one shard every [`SWEEP_EVERY`] writes, round robin.
    fn sweep_now_and_then(&self) {
        let n = self.writes.fetch_add(1, Ordering::Relaxed);
        if n.is_multiple_of(SWEEP_EVERY) {
            let index = (n / SWEEP_EVERY) % SHARDS;
            let freed = lock(&self.shards[index]).sweep(Instant::now());
            self.release(freed);
        }
    }

    /// Sweeps every shard, unless that was done very recently; whether it did.
    fn sweep_all(&self) -> bool {
        let now = Instant::now();
        let now_ms = now.duration_since(self.started).as_millis() as u64;
        let last = self.last_full_sweep.load(Ordering::Acquire);
        let spacing = FULL_SWEEP_SPACING.as_millis() as u64;
        if last != 0 && now_ms < last + spacing {
            return false;
        }
        if self
            .last_full_sweep
            .compare_exchange(last, now_ms.max(1), Ordering::AcqRel, Ordering::Acquire)
            .is_err()
        {
            return false;
        }
        for shard in self.shards.iter() {
            let freed = lock(shard).sweep(now);
            self.release(freed);
        }
        true
    }
}

/// A poisoned shard is still consistent: every write completes its map change before any
/// code that could panic, so the lock is taken over.
fn lock(shard: &Mutex<Shard>) -> MutexGuard<'_, Shard> {
    shard
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Stores `entry` at `key` in `shard`, accounted as `claim`, replacing whatever expired there.
fn insert(
    store: &MemoryStore,
    shard: &mut Shard,
    key: &str,
    entry: Entry,
    claim: Claim,
) -> Result<(), Full> {
    store.claim(entry.size, claim)?;
    shard.note_deadline(entry.expires_at);
    shard.entries.insert(key.to_owned(), entry);
    Ok(())
}

/// Replaces the live `slot` with `entry`, accounting the difference as an update.
fn replace(
    store: &MemoryStore,
    shard_deadline: &mut Option<Instant>,
    slot: &mut Entry,
    entry: Entry,
) -> Result<(), Full> {
    store.resize(slot.size, entry.size)?;
    *shard_deadline = Some(shard_deadline.map_or(entry.expires_at, |n| n.min(entry.expires_at)));
    *slot = entry;
    Ok(())
}

/// Turns a live mark at `key` back into an entry, for the writes that keep values only as
/// entries (counters, versioned records, indexes): rare, as no caller mixes them on one key.
fn unmark(
    store: &MemoryStore,
    shard: &mut Shard,
    key: &str,
    digest: Digest,
    now: Instant,
    freed: &mut usize,
) -> Result<(), Full> {
    let Some(mark) = shard.live_mark(digest, now, freed).copied() else {
        return Ok(());
    };
    let expires_at = shard.instant(mark.expires_ms);
    let entry = Entry {
        size: ENTRY_OVERHEAD + key.len() + usize::from(mark.len),
        payload: Payload::Bytes(mark.value().to_vec()),
        version: 0,
        expires_at,
    };
    insert(store, shard, key, entry, Claim::Kept)?;
    shard.remove_mark(digest, freed);
    Ok(())
}

/// Keeps `value` as a mark at `digest` until `expires_at`.
fn insert_mark(
    store: &MemoryStore,
    shard: &mut Shard,
    digest: Digest,
    value: &[u8],
    expires_at: Instant,
) -> Result<(), Full> {
    store.claim(MARK_SIZE, Claim::Kept)?;
    shard.note_deadline(expires_at);
    let expires_ms = shard.deadline_ms(expires_at);
    shard.marks.insert(digest, Mark::new(value, expires_ms));
    Ok(())
}

#[async_trait]
impl EphemeralStore for MemoryStore {
    async fn put(&self, key: &str, value: &[u8], ttl: Duration) -> Result<()> {
        self.write(key, |store, shard, now, freed, digest| {
            unmark(store, shard, key, digest, now, freed)?;
            let entry = Entry::bytes(key, value.to_vec(), ttl, 0);
            let Shard {
                entries,
                next_expiry,
                ..
            } = shard;
            match entries.get_mut(key) {
                Some(slot) if slot.is_live(now) => replace(store, next_expiry, slot, entry),
                _ => {
                    shard.remove(key, freed);
                    insert(store, shard, key, entry, Claim::NewRecord)
                }
            }
        })
    }

    async fn put_new(&self, key: &str, value: &[u8], ttl: Duration) -> Result<bool> {
        self.write(key, |store, shard, now, freed, digest| {
            if shard.live(key, now, freed).is_some()
                || shard.live_mark(digest, now, freed).is_some()
            {
                return Ok(false);
            }
            if value.len() <= MARK_VALUE_MAX {
                return insert_mark(store, shard, digest, value, now + ttl).map(|()| true);
            }
            let entry = Entry::bytes(key, value.to_vec(), ttl, 0);
            insert(store, shard, key, entry, Claim::Kept).map(|()| true)
        })
    }

    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>> {
        Ok(self.read(key, |shard, now, freed, digest| {
            if let Some(entry) = shard.live(key, now, freed) {
                return entry.value().map(<[u8]>::to_vec);
            }
            shard
                .live_mark(digest, now, freed)
                .map(|mark| mark.value().to_vec())
        }))
    }

    async fn swap(&self, key: &str, value: &[u8]) -> Result<Option<Vec<u8>>> {
        self.write(key, |store, shard, now, freed, digest| {
            if value.len() > MARK_VALUE_MAX {
                unmark(store, shard, key, digest, now, freed)?;
            } else if let Some(mark) = shard.live_mark(digest, now, freed) {
                let before = mark.value().to_vec();
                *mark = Mark::new(value, mark.expires_ms);
                return Ok(Some(before));
            }
            let Some(slot) = shard.live(key, now, freed) else {
                return Ok(None);
            };
            if !matches!(slot.payload, Payload::Bytes(_)) {
                return Ok(None);
            }
            // A short value left in a record's place (a used code's mark) becomes a mark, when
            // the budget has room for both a moment; else the entry is rewritten in place.
            let expires_at = slot.expires_at;
            if value.len() <= MARK_VALUE_MAX
                && insert_mark(store, shard, digest, value, expires_at).is_ok()
            {
                return Ok(shard
                    .remove(key, freed)
                    .and_then(|gone| match gone.payload {
                        Payload::Bytes(bytes) => Some(bytes),
                        Payload::Index(_) => None,
                    }));
            }
            let Some(slot) = shard.entries.get_mut(key) else {
                return Ok(None);
            };
            let next = Entry {
                size: ENTRY_OVERHEAD + key.len() + value.len(),
                payload: Payload::Bytes(value.to_vec()),
                version: 0,
                expires_at: slot.expires_at,
            };
            // An update, within the whole budget; the deadline is the entry's own.
            store.resize(slot.size, next.size)?;
            Ok(match std::mem::replace(slot, next).payload {
                Payload::Bytes(bytes) => Some(bytes),
                Payload::Index(_) => None,
            })
        })
    }

    async fn increment(&self, key: &str, ttl: Duration) -> Result<u64> {
        self.write(key, |store, shard, now, freed, digest| {
            unmark(store, shard, key, digest, now, freed)?;
            let Some(slot) = shard.live(key, now, freed) else {
                insert(
                    store,
                    shard,
                    key,
                    Entry::bytes(key, b"1".to_vec(), ttl, 0),
                    Claim::Kept,
                )?;
                return Ok(1);
            };
            let count = slot.value().map(parse_count).unwrap_or(0) + 1;
            let next = count.to_string().into_bytes();
            let size = ENTRY_OVERHEAD + key.len() + next.len();
            store.resize(slot.size, size)?;
            // Fixed windows: the deadline stays.
            slot.payload = Payload::Bytes(next);
            slot.size = size;
            Ok(count)
        })
    }

    async fn delete(&self, key: &str) -> Result<()> {
        self.read(key, |shard, _, freed, digest| {
            shard.remove(key, freed);
            shard.remove_mark(digest, freed);
        });
        Ok(())
    }

    async fn get_many(&self, keys: &[&str]) -> Result<Vec<Option<Vec<u8>>>> {
        let mut values = Vec::with_capacity(keys.len());
        for key in keys {
            values.push(self.get(key).await?);
        }
        Ok(values)
    }

    async fn get_versioned(&self, key: &str) -> Result<Option<Versioned>> {
        Ok(self.read(key, |shard, now, freed, digest| {
            if let Some(e) = shard.live(key, now, freed) {
                return e.value().map(|value| Versioned {
                    version: e.version,
                    value: value.to_vec(),
                });
            }
            // A mark is a plain value: version 0, like an entry never written by version.
            shard.live_mark(digest, now, freed).map(|mark| Versioned {
                version: 0,
                value: mark.value().to_vec(),
            })
        }))
    }

    async fn put_if_version(
        &self,
        key: &str,
        expected: Option<u64>,
        value: &[u8],
        ttl: Duration,
    ) -> Result<Option<u64>> {
        self.write(key, |store, shard, now, freed, digest| {
            unmark(store, shard, key, digest, now, freed)?;
            let current = shard.live(key, now, freed).map(|e| e.version);
            if current != expected {
                return Ok(None);
            }
            let version = current.unwrap_or(0) + 1;
            let entry = Entry::bytes(key, value.to_vec(), ttl, version);
            let Shard {
                entries,
                next_expiry,
                ..
            } = shard;
            match entries.get_mut(key) {
                Some(slot) => replace(store, next_expiry, slot, entry)?,
                None => insert(store, shard, key, entry, Claim::NewRecord)?,
            }
            Ok(Some(version))
        })
    }

    async fn delete_if_version(&self, key: &str, expected: u64) -> Result<bool> {
        Ok(self.read(key, |shard, now, freed, digest| {
            let matches = shard
                .live(key, now, freed)
                .is_some_and(|e| e.version == expected);
            if matches {
                shard.remove(key, freed);
            } else if expected == 0 && shard.live_mark(digest, now, freed).is_some() {
                shard.remove_mark(digest, freed);
                return true;
            }
            matches
        }))
    }

    async fn index_add(
        &self,
        key: &str,
        member: &str,
        ttl: Duration,
        capacity: usize,
    ) -> Result<Vec<String>> {
        self.write(key, |store, shard, now, freed, digest| {
            unmark(store, shard, key, digest, now, freed)?;
            let existing = shard.live(key, now, freed);
            let claim = if existing.is_some() {
                Claim::Kept
            } else {
                Claim::NewRecord
            };
            let mut members = match existing.map(|e| &e.payload) {
                Some(Payload::Index(members)) => members.clone(),
                _ => Vec::new(),
            };
            members.retain(|(m, deadline)| m != member && *deadline > now);
            members.push((member.to_owned(), now + ttl));
            let excess = members.len().saturating_sub(capacity.max(1));
            let pushed_out: Vec<String> = members.drain(..excess).map(|(m, _)| m).collect();
            let expires_at = members.iter().map(|(_, d)| *d).max().unwrap_or(now + ttl);
            let entry = Entry::index(key, members, expires_at);
            let Shard {
                entries,
                next_expiry,
                ..
            } = shard;
            match (entries.get_mut(key), claim) {
                (Some(slot), Claim::Kept) => replace(store, next_expiry, slot, entry)?,
                _ => {
                    shard.remove(key, freed);
                    insert(store, shard, key, entry, claim)?
                }
            }
            Ok(pushed_out)
        })
    }

    async fn index_members(&self, key: &str) -> Result<Vec<String>> {
        // A mark is never an index: nothing to read or remove there.
        Ok(self.read(key, |shard, now, freed, _| {
            match shard.live(key, now, freed).map(|e| &e.payload) {
                Some(Payload::Index(members)) => members
                    .iter()
                    .filter(|(_, deadline)| *deadline > now)
                    .map(|(m, _)| m.clone())
                    .collect(),
                _ => Vec::new(),
            }
        }))
    }

    async fn index_remove(&self, key: &str, member: &str) -> Result<()> {
        self.read(key, |shard, now, freed, _| {
            let Some(entry) = shard.live(key, now, freed) else {
                return;
            };
            let Payload::Index(members) = &mut entry.payload else {
                return;
            };
            members.retain(|(m, _)| m != member);
            if members.is_empty() {
                shard.remove(key, freed);
            } else {
                let members = std::mem::take(members);
                let expires_at = entry.expires_at;
                let shrunk = Entry::index(key, members, expires_at);
                *freed += entry.size - shrunk.size;
                *entry = shrunk;
            }
        });
        Ok(())
    }

    async fn ping(&self) -> Result<()> {
        Ok(())
    }

    fn describe(&self) -> &'static str {
        "memory"
    }

    fn usage(&self) -> Option<Usage> {
        Some(Usage {
            entries: self
                .shards
                .iter()
                .map(|s| {
                    let shard = lock(s);
                    shard.entries.len() + shard.marks.len()
                })
                .sum(),
            bytes: self.used_bytes(),
            budget: self.budget,
        })
    }
}

fn parse_count(bytes: &[u8]) -> u64 {
    std::str::from_utf8(bytes)
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINUTE: Duration = Duration::from_secs(60);

    /// The bytes one entry of `key` and a value of `len` bytes costs.
    fn cost(key: &str, len: usize) -> usize {
        ENTRY_OVERHEAD + key.len() + len
    }

    #[tokio::test]
    async fn accounts_every_write_and_frees_on_delete() {
        let store = MemoryStore::new(1 << 20);
        store.put("a", b"12345", MINUTE).await.unwrap();
        assert_eq!(store.used_bytes(), cost("a", 5));
        store.put("a", b"1", MINUTE).await.unwrap();
        assert_eq!(store.used_bytes(), cost("a", 1));
        assert_eq!(store.increment("n", MINUTE).await.unwrap(), 1);
        for _ in 0..9 {
            store.increment("n", MINUTE).await.unwrap();
        }
        assert_eq!(store.used_bytes(), cost("a", 1) + cost("n", 2));
        store.index_add("i", "m1", MINUTE, 5).await.unwrap();
        store.index_add("i", "m2", MINUTE, 5).await.unwrap();
        store.index_remove("i", "m1").await.unwrap();
        assert_eq!(
            store.used_bytes(),
            cost("a", 1) + cost("n", 2) + cost("i", 0) + 2 + MEMBER_OVERHEAD
        );
        // A short value swapped in becomes a mark.
        store.swap("a", b"1234").await.unwrap();
        assert_eq!(
            store.used_bytes(),
            MARK_SIZE + cost("n", 2) + cost("i", 0) + 2 + MEMBER_OVERHEAD
        );
        store.delete("a").await.unwrap();
        store.delete("n").await.unwrap();
        store.index_remove("i", "m2").await.unwrap();
        assert_eq!(store.used_bytes(), 0);
    }

    #[tokio::test]
    async fn an_expired_entry_met_is_removed() {
        let store = MemoryStore::new(1 << 20);
        store
            .put("a", b"x", Duration::from_millis(20))
            .await
            .unwrap();
        tokio::time::sleep(Duration::from_millis(40)).await;
        assert_eq!(store.get("a").await.unwrap(), None);
        assert_eq!(store.used_bytes(), 0);
    }

    #[tokio::test]
    async fn the_amortised_sweep_bounds_expired_entries() {
        let store = MemoryStore::new(1 << 20);
        for i in 0..200 {
            store
                .put(&format!("old{i}"), b"x", Duration::from_millis(10))
                .await
                .unwrap();
        }
        tokio::time::sleep(Duration::from_millis(30)).await;
        // Writes elsewhere, never reading the old keys: every shard gets swept.
        for i in 0..(SWEEP_EVERY * SHARDS) {
            store.put("other", &[0; 8], MINUTE).await.unwrap();
            let _ = i;
        }
        assert_eq!(store.used_bytes(), cost("other", 8));
    }

    #[tokio::test]
    async fn new_records_stop_at_the_reserve_security_state_uses_it() {
        let budget = 100 * cost("k000", 10);
        let store = MemoryStore::new(budget as u64);
        let mut stored = 0;
        while store
            .put(&format!("k{stored:03}"), &[0; 10], MINUTE)
            .await
            .is_ok()
        {
            stored += 1;
        }
        let limit = budget - budget * RESERVE_PERCENT as usize / 100;
        assert!(store.used_bytes() <= limit, "{}", store.used_bytes());
        assert!(store.used_bytes() + cost("k000", 10) > limit);
        // An existing record may still be rewritten; a mark and a counter use the reserve.
        store.put("k000", &[1; 10], MINUTE).await.unwrap();
        assert!(store.put_new("m000", &[0; 10], MINUTE).await.unwrap());
        assert_eq!(store.increment("c000", MINUTE).await.unwrap(), 1);
        // Until the reserve is spent: then refused, never forgotten.
        let mut marks = 1;
        loop {
            match store
                .put_new(&format!("m{marks:03}"), &[0; 10], MINUTE)
                .await
            {
                Ok(true) => marks += 1,
                Ok(false) => panic!("a fresh key was taken"),
                Err(e) => {
                    assert!(matches!(e, Error::Full(_)), "{e}");
                    assert!(e.is_unavailable());
                    break;
                }
            }
        }
        assert!(store.used_bytes() <= budget);
        for i in 0..stored {
            assert!(store.get(&format!("k{i:03}")).await.unwrap().is_some());
        }
        for i in 0..marks {
            assert!(
                !store
                    .put_new(&format!("m{i:03}"), b"", MINUTE)
                    .await
                    .unwrap()
            );
        }
    }

    #[tokio::test]
    async fn a_mark_costs_its_fixed_size_and_answers_like_an_entry() {
        let store = MemoryStore::new(1 << 20);
        let key = "jti:client:ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0";
        assert!(store.put_new(key, b"1", MINUTE).await.unwrap());
        assert_eq!(store.used_bytes(), MARK_SIZE);
        assert!(MARK_SIZE < cost(key, 1) / 3, "a mark is the point of it");
        assert!(!store.put_new(key, b"1", MINUTE).await.unwrap());
        assert!(!store.put_new(key, &[0; 100], MINUTE).await.unwrap());
        assert_eq!(store.get(key).await.unwrap().as_deref(), Some(&b"1"[..]));
        assert_eq!(
            store.get_many(&[key, "other"]).await.unwrap(),
            vec![Some(b"1".to_vec()), None]
        );
        assert_eq!(store.usage().unwrap().entries, 1);
        store.delete(key).await.unwrap();
        assert_eq!(store.used_bytes(), 0);
        assert_eq!(store.get(key).await.unwrap(), None);
        assert!(store.put_new(key, b"1", MINUTE).await.unwrap());
    }

    #[tokio::test]
    async fn a_record_swapped_for_a_short_value_leaves_a_mark_with_its_deadline() {
        let store = MemoryStore::new(1 << 20);
        let record = [b'{'; 300];
        store
            .put("code:abc", &record, Duration::from_millis(40))
            .await
            .unwrap();
        assert_eq!(
            store.swap("code:abc", b"used").await.unwrap().as_deref(),
            Some(&record[..])
        );
        assert_eq!(store.used_bytes(), MARK_SIZE);
        assert_eq!(
            store.swap("code:abc", b"used").await.unwrap().as_deref(),
            Some(&b"used"[..])
        );
        // The record's deadline, not a new one.
        tokio::time::sleep(Duration::from_millis(60)).await;
        assert_eq!(store.swap("code:abc", b"used").await.unwrap(), None);
        assert_eq!(store.get("code:abc").await.unwrap(), None);
        assert_eq!(store.used_bytes(), 0);
    }

    #[tokio::test]
    async fn expired_marks_are_swept_and_their_keys_free_again() {
        let store = MemoryStore::new(1 << 20);
        for i in 0..200 {
            assert!(
                store
                    .put_new(&format!("m{i}"), b"1", Duration::from_millis(10))
                    .await
                    .unwrap()
            );
        }
        assert_eq!(store.used_bytes(), 200 * MARK_SIZE);
        tokio::time::sleep(Duration::from_millis(30)).await;
        for _ in 0..(SWEEP_EVERY * SHARDS) {
            store.put("other", &[0; 8], MINUTE).await.unwrap();
        }
        assert_eq!(store.used_bytes(), cost("other", 8));
        assert!(store.put_new("m0", b"1", MINUTE).await.unwrap());
    }

    #[tokio::test]
    async fn writes_that_keep_entries_take_a_mark_over() {
        let store = MemoryStore::new(1 << 20);
        assert!(store.put_new("n", b"4", MINUTE).await.unwrap());
        assert_eq!(store.increment("n", MINUTE).await.unwrap(), 5);
        assert_eq!(store.used_bytes(), cost("n", 1));
        assert!(store.put_new("p", b"x", MINUTE).await.unwrap());
        store.put("p", b"a longer value", MINUTE).await.unwrap();
        assert_eq!(
            store.get("p").await.unwrap().as_deref(),
            Some(&b"a longer value"[..])
        );
        assert!(store.put_new("v", b"x", MINUTE).await.unwrap());
        assert_eq!(
            store.get_versioned("v").await.unwrap(),
            Some(Versioned {
                version: 0,
                value: b"x".to_vec()
            })
        );
        assert_eq!(
            store
                .put_if_version("v", Some(0), b"y", MINUTE)
                .await
                .unwrap(),
            Some(1)
        );
        assert_eq!(
            store.used_bytes(),
            cost("n", 1) + cost("p", 14) + cost("v", 1)
        );
        assert!(store.put_new("d", b"x", MINUTE).await.unwrap());
        assert!(store.delete_if_version("d", 0).await.unwrap());
        assert_eq!(store.get("d").await.unwrap(), None);
    }

    #[test]
    fn a_deadline_rounds_up_and_now_rounds_down() {
        let shard = Shard::new(Instant::now());
        let at = shard.started + Duration::from_micros(1_500);
        assert_eq!(shard.deadline_ms(at), 2);
        assert_eq!(shard.now_ms(at), 1);
        assert_eq!(shard.deadline_ms(shard.started + MINUTE), 60_000);
    }
}
