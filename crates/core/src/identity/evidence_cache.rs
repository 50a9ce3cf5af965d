//! Evidence already opened and verified. One reuse flow reads the citizen's evidence several
//! times (the authorization request, the reuse page, the consent, userinfo), and each read
//! opened every sealed credential (AES-GCM) and verified its ES256 signature again: the flow
//! now pays for that once (issue 13.3).
//!
//! Only the cryptography is skipped: the database is still read on every call, so a credential
//! added or removed, or a re-proving cutoff set by an operator, is seen at once. An entry is
//! found by the SHA-256 of what names the verification (the trusted keys, `KeySet::fingerprint`,
//! the account and the credential's id), so a key rotation misses; and it holds only for the
//! sealed bytes it was verified from, compared by a keyed 64-bit fingerprint (SipHash-1-3 under
//! a key drawn when the process starts), so a changed row verifies again. Hashing the whole
//! sealed value (five reads a flow) into the SHA-256 key was 31 % of a reuse flow's
//! instructions on a processor without SHA extensions (as callgrind runs it); with them the two
//! cost about the same (criterion, `identity/evidence_cache_*`). A row altered to collide with
//! the fingerprint, under a key nobody outside the process knows, still reads as the credential
//! that was verified, never as another.
//! Its dates: verified at `t` and unexpired then, it holds for any later `now` before its `exp`
//! (a credential valid at `t` was past its `nbf`); a clock stepped back verifies again.

use std::collections::HashMap;
use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;
use std::sync::Mutex;
use std::time::Duration;

use identity_proofing::VerifiedCredential;
use sha2::{Digest, Sha256};

/// What an entry is found by: the SHA-256 of [`EvidenceCache::key`]'s inputs.
pub type EvidenceKey = [u8; 32];

struct Entry {
    credential: VerifiedCredential,
    /// The keyed fingerprint of the sealed bytes it was opened from.
    sealed: u64,
    verified_at: i64,
}

/// A bounded map of verified credentials, each kept at most `ttl` (the length of a flow).
pub struct EvidenceCache {
    entries: Mutex<HashMap<EvidenceKey, Entry>>,
    capacity: usize,
    ttl: i64,
    /// SipHash-1-3 under a random key of this process's own.
    fingerprints: RandomState,
}

impl EvidenceCache {
    pub fn new(capacity: usize, ttl: Duration) -> Self {
        EvidenceCache {
            entries: Mutex::new(HashMap::new()),
            capacity,
            ttl: i64::try_from(ttl.as_secs()).unwrap_or(i64::MAX),
            fingerprints: RandomState::new(),
        }
    }

    /// The key of one stored credential as verified under the keys `trust` names.
    pub fn key(trust: &[u8; 32], account_id: &str, credential_id: &str) -> EvidenceKey {
        let mut hash = Sha256::new();
        hash.update(trust);
        // Lengths first: no two different pairs hash the same bytes.
        for part in [account_id, credential_id] {
            hash.update((part.len() as u64).to_be_bytes());
            hash.update(part.as_bytes());
        }
        hash.finalize().into()
    }

    fn usable(&self, entry: &Entry, now: i64) -> bool {
        entry.verified_at <= now
            && now < entry.verified_at.saturating_add(self.ttl)
            && now < entry.credential.expires_at.unix_timestamp()
    }

    /// The credential verified under `key` from these `sealed` bytes, if it still holds at
    /// `now`.
    pub fn get(&self, key: &EvidenceKey, sealed: &str, now: i64) -> Option<VerifiedCredential> {
        let fingerprint = self.fingerprints.hash_one(sealed);
        let entries = self.entries.lock().ok()?;
        let entry = entries.get(key)?;
        (entry.sealed == fingerprint && self.usable(entry, now)).then(|| entry.credential.clone())
    }

    /// Keeps a credential that verified at `now` from the `sealed` bytes. When full, entries
    /// past their time go, and if none did, all: a miss costs one verification, never a wrong
    /// answer.
    pub fn put(&self, key: EvidenceKey, sealed: &str, credential: &VerifiedCredential, now: i64) {
        let fingerprint = self.fingerprints.hash_one(sealed);
        let Ok(mut entries) = self.entries.lock() else {
            return;
        };
        if entries.len() >= self.capacity {
            entries.retain(|_, entry| self.usable(entry, now));
            if entries.len() >= self.capacity {
                entries.clear();
            }
        }
        entries.insert(
            key,
            Entry {
                credential: credential.clone(),
                sealed: fingerprint,
                verified_at: now,
            },
        );
    }

    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.entries.lock().map(|e| e.len()).unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use identity_proofing::CredentialSubject;
    use time::OffsetDateTime;

    fn credential(expires_at: i64) -> VerifiedCredential {
        VerifiedCredential {
            jti: "c1".into(),
            issuer: "https://issuer.example/".into(),
            subject: "account-1".into(),
            issued_at: OffsetDateTime::from_unix_timestamp(0).unwrap(),
            expires_at: OffsetDateTime::from_unix_timestamp(expires_at).unwrap(),
            credential_subject: CredentialSubject::default(),
            evidence: Vec::new(),
        }
    }

    #[test]
    fn any_change_to_what_was_verified_is_another_key() {
        let trust = [1u8; 32];
        let key = EvidenceCache::key(&trust, "account-1", "c1");
        assert_eq!(key, EvidenceCache::key(&trust, "account-1", "c1"));
        assert_ne!(key, EvidenceCache::key(&[2u8; 32], "account-1", "c1"));
        assert_ne!(key, EvidenceCache::key(&trust, "account-2", "c1"));
        assert_ne!(key, EvidenceCache::key(&trust, "account-1", "c2"));
        assert_ne!(
            EvidenceCache::key(&trust, "a", "bc"),
            EvidenceCache::key(&trust, "ab", "c")
        );
        // The same credential read back with other sealed bytes is verified again.
        let cache = EvidenceCache::new(10, Duration::from_secs(300));
        cache.put(key, "sealed", &credential(5_000), 1_000);
        assert!(cache.get(&key, "sealed", 1_001).is_some());
        assert!(cache.get(&key, "sealeD", 1_001).is_none());
        assert!(cache.get(&key, "sealed ", 1_001).is_none());
        assert!(cache.get(&key, "", 1_001).is_none());
    }

    #[test]
    fn an_entry_holds_from_its_verification_until_its_expiry_or_ttl() {
        let cache = EvidenceCache::new(10, Duration::from_secs(300));
        let key = EvidenceCache::key(&[0; 32], "account-1", "c1");
        let get = |now| cache.get(&key, "sealed", now);
        assert!(get(1_000).is_none());
        cache.put(key, "sealed", &credential(1_100), 1_000);
        assert_eq!(get(1_000).unwrap().jti, "c1");
        assert!(get(1_099).is_some());
        // Expired: verified again (and refused) by the caller.
        assert!(get(1_100).is_none());
        // A clock stepped back to before the verification verifies again.
        assert!(get(999).is_none());
        cache.put(key, "sealed", &credential(i64::from(i32::MAX)), 1_000);
        assert!(get(1_299).is_some());
        assert!(get(1_300).is_none());
    }

    #[test]
    fn a_full_cache_drops_what_is_past_its_time_first() {
        let cache = EvidenceCache::new(2, Duration::from_secs(300));
        let key = |id: &str| EvidenceCache::key(&[0; 32], "account-1", id);
        cache.put(key("old"), "s", &credential(1_050), 1_000);
        cache.put(key("live"), "s", &credential(5_000), 1_000);
        cache.put(key("new"), "s", &credential(5_000), 1_060);
        assert_eq!(cache.len(), 2);
        assert!(cache.get(&key("live"), "s", 1_060).is_some());
        assert!(cache.get(&key("new"), "s", 1_060).is_some());
        cache.put(key("newer"), "s", &credential(5_000), 1_061);
        assert_eq!(cache.len(), 1);
    }
}
