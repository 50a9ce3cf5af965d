//! The consent on record, cached in the short-lived store: single sign-on reads it on every
//! visit, so it stays off the database (design: no durable read on the hot path). The cache
//! also remembers that there is no consent. Giving or withdrawing consent forgets the entry.

use std::time::Duration;

use super::authorization_request::Consent;
use crate::error::{Error, Result};
use one_login_store::ephemeral::EphemeralStore;

/// How long a cached answer is believed: a replica that missed a change reads the database
/// again within this time.
const LIFETIME: Duration = Duration::from_secs(600);

/// What one citizen (by account) has agreed to share with one client, cached.
pub struct ConsentCache<'a> {
    store: &'a dyn EphemeralStore,
}

/// The encoding: `null` for no consent, else the scopes and claims as two lists.
type Cached = Option<(Vec<String>, Vec<String>)>;

impl<'a> ConsentCache<'a> {
    pub fn new(store: &'a dyn EphemeralStore) -> Self {
        ConsentCache { store }
    }

    fn key(account_id: &str, client_id: &str) -> String {
        format!("consent:{account_id}:{client_id}")
    }

    /// `None` when nothing is cached; `Some(None)` when it is cached that there is no consent.
    /// An entry that cannot be read counts as no consent: the citizen is asked again.
    pub async fn get(&self, account_id: &str, client_id: &str) -> Result<Option<Option<Consent>>> {
        let Some(bytes) = self.store.get(&Self::key(account_id, client_id)).await? else {
            return Ok(None);
        };
        let cached: Cached = serde_json::from_slice(&bytes).unwrap_or(None);
        Ok(Some(cached.map(|(scopes, claims)| Consent {
            scopes: scopes.into_iter().collect(),
            claims: claims.into_iter().collect(),
        })))
    }

    /// Caches the consent read from the database, or that there is none.
    pub async fn put(
        &self,
        account_id: &str,
        client_id: &str,
        consent: Option<&Consent>,
    ) -> Result<()> {
        let cached = consent.map(|c| {
            (
                c.scopes.iter().collect::<Vec<_>>(),
                c.claims.iter().collect::<Vec<_>>(),
            )
        });
        let bytes = serde_json::to_vec(&cached).map_err(|e| Error::Internal(e.to_string()))?;
        Ok(self
            .store
            .put(&Self::key(account_id, client_id), &bytes, LIFETIME)
            .await?)
    }

    /// Forgets the cached answer: the consent was given or withdrawn.
    pub async fn forget(&self, account_id: &str, client_id: &str) -> Result<()> {
        Ok(self.store.delete(&Self::key(account_id, client_id)).await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use one_login_store::ephemeral::MemoryStore;

    fn consent() -> Consent {
        Consent {
            scopes: ["openid", "email"].map(String::from).into(),
            claims: ["https://vocab.account.gov.uk/v1/coreIdentityJWT".to_owned()].into(),
        }
    }

    #[tokio::test]
    async fn caches_a_consent_and_its_absence_until_forgotten() {
        let store = MemoryStore::new(1 << 20);
        let cache = ConsentCache::new(&store);
        assert_eq!(cache.get("a1", "c1").await.unwrap(), None);
        cache.put("a1", "c1", Some(&consent())).await.unwrap();
        cache.put("a1", "c2", None).await.unwrap();
        assert_eq!(cache.get("a1", "c1").await.unwrap(), Some(Some(consent())));
        assert_eq!(cache.get("a1", "c2").await.unwrap(), Some(None));
        cache.forget("a1", "c1").await.unwrap();
        assert_eq!(cache.get("a1", "c1").await.unwrap(), None);
    }

    // Replicas of the previous version read and write the same entries.
    #[tokio::test]
    async fn key_and_encoding_are_those_replicas_share() {
        let store = MemoryStore::new(1 << 20);
        let cache = ConsentCache::new(&store);
        cache.put("a1", "c1", Some(&consent())).await.unwrap();
        cache.put("a1", "c2", None).await.unwrap();
        assert_eq!(
            store.get("consent:a1:c1").await.unwrap().as_deref(),
            Some(
                br#"[["email","openid"],["https://vocab.account.gov.uk/v1/coreIdentityJWT"]]"#
                    .as_slice()
            )
        );
        assert_eq!(
            store.get("consent:a1:c2").await.unwrap().as_deref(),
            Some(b"null".as_slice())
        );
        store
            .put("consent:a2:c1", b"not json", LIFETIME)
            .await
            .unwrap();
        assert_eq!(cache.get("a2", "c1").await.unwrap(), Some(None));
    }
}
