//! Evidence already opened and verified. One reuse flow reads the citizen's evidence several
//! times (the authorization request, the reuse page, the consent, userinfo), and each read
//! opened every sealed credential (AES-GCM) and verified its ES256 signature again: the flow
//! now pays for that once (issue 13.3).
//!
//! Only the cryptography is skipped: the database is still read on every call, so a credential
//! added or removed, or a re-proving cutoff set by an operator, is seen at once. An entry is
//! found by the SHA-256 of everything its verification depended on: the account, the
//! credential's id, its sealed bytes and the trusted keys (`KeySet::fingerprint`), so a key
//! rotation or a changed row misses. Its dates: verified at `t` and unexpired then, it holds
//! for any later `now` before its `exp` (a credential valid at `t` was past its `nbf`); a clock
//! stepped back verifies again.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use identity_proofing::VerifiedCredential;
use sha2::{Digest, Sha256};

/// What an entry is found by: the SHA-256 of [`EvidenceCache::key`]'s inputs.
pub type EvidenceKey = [u8; 32];

struct Entry {
    credential: VerifiedCredential,
    verified_at: i64,
}

/// A bounded map of verified credentials, each kept at most `ttl` (the length of a flow).
pub struct EvidenceCache {
    entries: Mutex<HashMap<EvidenceKey, Entry>>,
    capacity: usize,
    ttl: i64,
}

impl EvidenceCache {
    pub fn new(capacity: usize, ttl: Duration) -> Self {
        EvidenceCache {
            entries: Mutex::new(HashMap::new()),
            capacity,
            ttl: i64::try_from(ttl.as_secs()).unwrap_or(i64::MAX),
        }
    }

    /// The key of one stored credential as verified under the keys `trust` names.
    pub fn key(
        trust: &[u8; 32],
        account_id: &str,
        credential_id: &str,
        sealed: &str,
    ) -> EvidenceKey {
        let mut hash = Sha256::new();
        hash.update(trust);
        // Lengths first: no two different triples hash the same bytes.
        for part in [account_id, credential_id, sealed] {
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

    /// The credential verified under `key`, if it still holds at `now`.
    pub fn get(&self, key: &EvidenceKey, now: i64) -> Option<VerifiedCredential> {
        let entries = self.entries.lock().ok()?;
        let entry = entries.get(key)?;
        self.usable(entry, now).then(|| entry.credential.clone())
    }

    /// Keeps a credential that verified at `now`. When full, entries past their time go, and
    /// if none did, all: a miss costs one verification, never a wrong answer.
    pub fn put(&self, key: EvidenceKey, credential: &VerifiedCredential, now: i64) {
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
        let key = EvidenceCache::key(&trust, "account-1", "c1", "sealed");
        assert_eq!(key, EvidenceCache::key(&trust, "account-1", "c1", "sealed"));
        assert_ne!(
            key,
            EvidenceCache::key(&[2u8; 32], "account-1", "c1", "sealed")
        );
        assert_ne!(key, EvidenceCache::key(&trust, "account-2", "c1", "sealed"));
        assert_ne!(key, EvidenceCache::key(&trust, "account-1", "c2", "sealed"));
        assert_ne!(key, EvidenceCache::key(&trust, "account-1", "c1", "sealeD"));
        assert_ne!(
            EvidenceCache::key(&trust, "a", "bc", "d"),
            EvidenceCache::key(&trust, "ab", "c", "d")
        );
    }

    #[test]
    fn an_entry_holds_from_its_verification_until_its_expiry_or_ttl() {
        let cache = EvidenceCache::new(10, Duration::from_secs(300));
        let key = EvidenceCache::key(&[0; 32], "account-1", "c1", "sealed");
        assert!(cache.get(&key, 1_000).is_none());
        cache.put(key, &credential(1_100), 1_000);
        assert_eq!(cache.get(&key, 1_000).unwrap().jti, "c1");
        assert!(cache.get(&key, 1_099).is_some());
        // Expired: verified again (and refused) by the caller.
        assert!(cache.get(&key, 1_100).is_none());
        // A clock stepped back to before the verification verifies again.
        assert!(cache.get(&key, 999).is_none());
        cache.put(key, &credential(i64::from(i32::MAX)), 1_000);
        assert!(cache.get(&key, 1_299).is_some());
        assert!(cache.get(&key, 1_300).is_none());
    }

    #[test]
    fn a_full_cache_drops_what_is_past_its_time_first() {
        let cache = EvidenceCache::new(2, Duration::from_secs(300));
        let key = |id: &str| EvidenceCache::key(&[0; 32], "account-1", id, "sealed");
        cache.put(key("old"), &credential(1_050), 1_000);
        cache.put(key("live"), &credential(5_000), 1_000);
        cache.put(key("new"), &credential(5_000), 1_060);
        assert_eq!(cache.len(), 2);
        assert!(cache.get(&key("live"), 1_060).is_some());
        assert!(cache.get(&key("new"), 1_060).is_some());
        cache.put(key("newer"), &credential(5_000), 1_061);
        assert_eq!(cache.len(), 1);
    }
}
