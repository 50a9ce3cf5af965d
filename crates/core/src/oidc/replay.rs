//! Single-use proofs a client presents, marked used in the short-lived store until they
//! expire, so that no replica accepts one twice: client assertions (Core §9, RFC 7523 §3) and
//! request objects (issue 11.14), each by its `jti`. Only a hash of the `jti` is a key.

use std::time::Duration;

use super::grants::hash_token;
use crate::error::Result;
use one_login_store::ephemeral::EphemeralStore;

/// A proof a client may present once.
#[derive(Debug, Clone, Copy)]
pub enum SingleUse<'a> {
    ClientAssertion { client_id: &'a str, jti: &'a str },
    RequestObject { client_id: &'a str, jti: &'a str },
}

impl SingleUse<'_> {
    fn key(self) -> String {
        let (kind, client_id, jti) = match self {
            SingleUse::ClientAssertion { client_id, jti } => ("jti", client_id, jti),
            SingleUse::RequestObject { client_id, jti } => ("request-object", client_id, jti),
        };
        format!("{kind}:{client_id}:{}", hash_token(jti))
    }
}

/// The marks of proofs used.
pub struct UsedProofs<'a> {
    store: &'a dyn EphemeralStore,
}

impl<'a> UsedProofs<'a> {
    pub fn new(store: &'a dyn EphemeralStore) -> Self {
        UsedProofs { store }
    }

    /// Marks `proof` used until `expires_at` (Unix seconds; at least a second from `now`);
    /// `false` when it was used before. Atomic: of two racing uses exactly one is first.
    pub async fn first_use(&self, proof: SingleUse<'_>, expires_at: i64, now: i64) -> Result<bool> {
        let ttl = Duration::from_secs((expires_at - now).max(1) as u64);
        Ok(self.store.put_new(&proof.key(), b"1", ttl).await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use one_login_store::ephemeral::MemoryStore;

    #[tokio::test]
    async fn a_proof_is_used_once_per_client_and_kind() {
        let store = MemoryStore::new(1 << 20);
        let used = UsedProofs::new(&store);
        let assertion = SingleUse::ClientAssertion {
            client_id: "c1",
            jti: "abc",
        };
        assert!(used.first_use(assertion, 1_060, 1_000).await.unwrap());
        assert!(!used.first_use(assertion, 1_060, 1_000).await.unwrap());
        let elsewhere = [
            SingleUse::ClientAssertion {
                client_id: "c2",
                jti: "abc",
            },
            SingleUse::RequestObject {
                client_id: "c1",
                jti: "abc",
            },
        ];
        for proof in elsewhere {
            assert!(used.first_use(proof, 1_060, 1_000).await.unwrap());
        }
    }

    // Replicas of the previous version read and write the same marks.
    #[tokio::test]
    async fn keys_are_those_replicas_share() {
        let store = MemoryStore::new(1 << 20);
        for key in [
            "jti:c1:ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0",
            "request-object:c1:ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0",
        ] {
            assert!(
                store
                    .put_new(key, b"1", Duration::from_secs(60))
                    .await
                    .unwrap()
            );
        }
        let used = UsedProofs::new(&store);
        for proof in [
            SingleUse::ClientAssertion {
                client_id: "c1",
                jti: "abc",
            },
            SingleUse::RequestObject {
                client_id: "c1",
                jti: "abc",
            },
        ] {
            assert!(
                !used.first_use(proof, 1_060, 1_000).await.unwrap(),
                "{proof:?}"
            );
        }
    }
}
