//! The 6-digit codes emailed to a citizen to prove an address is theirs (creating an account,
//! resetting a password, changing the address). Only a hash is kept, in the session, with an
//! expiry; wrong guesses are counted in the short-lived store, atomically and before the guess
//! is checked ("reserve, then verify"), so parallel guesses get no more tries than the limit.

use std::time::Duration;

use rand::Rng;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::error::Result;
use crate::random::random_token;
use one_login_store::ephemeral::EphemeralStore;

/// Guesses allowed before the code is void and a new one must be sent.
pub const MAX_ATTEMPTS: u32 = 5;

/// What the session keeps of a code it sent: never the code itself (RFC 6819 §5.1.4.1.3).
#[derive(Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct PendingCode {
    /// Names this code's attempt counter and its used mark.
    id: String,
    hash: String,
    pub expires_at: i64,
}

impl std::fmt::Debug for PendingCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PendingCode")
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeCheck {
    Correct,
    Wrong {
        tries_left: u32,
    },
    Expired,
    /// Too many guesses, or used already: the code is void.
    Exhausted,
}

/// A new random code (shown once, in the email) and what is kept of it.
pub fn issue(now: i64, ttl_seconds: i64) -> (String, PendingCode) {
    let code = format!("{:06}", rand::rng().random_range(0..1_000_000));
    let pending = PendingCode {
        id: random_token(),
        hash: digest(&code),
        expires_at: now + ttl_seconds,
    };
    (code, pending)
}

/// A pending code no one can guess: kept when the address cannot be sent a real one (it already
/// has an account, or has none), so the journey looks the same either way and reveals nothing
/// about who has an account (ASVS 6.3.8).
pub fn unguessable(now: i64, ttl_seconds: i64) -> PendingCode {
    PendingCode {
        id: random_token(),
        hash: digest(&random_token()),
        expires_at: now + ttl_seconds,
    }
}

fn digest(code: &str) -> String {
    hex(&Sha256::digest(code.as_bytes()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

impl PendingCode {
    fn attempts_key(&self) -> String {
        format!("email-code-attempts:{}", self.id)
    }

    fn used_key(&self) -> String {
        format!("email-code-used:{}", self.id)
    }

    /// How long the code's marks must be kept: until it expires, plus a little for clock steps.
    fn marks_ttl(&self, now: i64) -> Duration {
        Duration::from_secs((self.expires_at - now).max(0) as u64 + 60)
    }

    /// Checks a guess. The guess is counted first; a correct code is taken once, atomically,
    /// so of two parallel correct guesses one is `Correct` (single use).
    pub async fn check(
        &self,
        store: &dyn EphemeralStore,
        guess: &str,
        now: i64,
    ) -> Result<CodeCheck> {
        if now >= self.expires_at {
            return Ok(CodeCheck::Expired);
        }
        let attempt = store
            .increment(&self.attempts_key(), self.marks_ttl(now))
            .await?;
        if attempt > u64::from(MAX_ATTEMPTS) {
            return Ok(CodeCheck::Exhausted);
        }
        if !self.matches(guess) {
            let tries_left = MAX_ATTEMPTS - attempt as u32;
            return Ok(if tries_left == 0 {
                CodeCheck::Exhausted
            } else {
                CodeCheck::Wrong { tries_left }
            });
        }
        if store
            .put_new(&self.used_key(), b"1", self.marks_ttl(now))
            .await?
        {
            Ok(CodeCheck::Correct)
        } else {
            Ok(CodeCheck::Exhausted)
        }
    }

    /// Constant-time comparison of the hashes.
    fn matches(&self, guess: &str) -> bool {
        digest(guess).as_bytes().ct_eq(self.hash.as_bytes()).into()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use one_login_store::ephemeral::MemoryStore;

    fn wrong(code: &str) -> &'static str {
        if code == "000000" { "111111" } else { "000000" }
    }

    #[tokio::test]
    async fn right_code_within_time_once() {
        let store = MemoryStore::new(1 << 20);
        let (code, pending) = issue(1000, 900);
        assert_eq!(code.len(), 6);
        assert_eq!(
            pending.check(&store, &code, 1899).await.unwrap(),
            CodeCheck::Correct
        );
        assert_eq!(
            pending.check(&store, &code, 1899).await.unwrap(),
            CodeCheck::Exhausted,
            "single use"
        );
    }

    #[tokio::test]
    async fn expired_code_is_refused_even_if_right() {
        let store = MemoryStore::new(1 << 20);
        let (code, pending) = issue(1000, 900);
        assert_eq!(
            pending.check(&store, &code, 1900).await.unwrap(),
            CodeCheck::Expired
        );
    }

    #[tokio::test]
    async fn five_wrong_guesses_void_the_code() {
        let store = MemoryStore::new(1 << 20);
        let (code, pending) = issue(1000, 900);
        for left in (1..MAX_ATTEMPTS).rev() {
            assert_eq!(
                pending.check(&store, wrong(&code), 1001).await.unwrap(),
                CodeCheck::Wrong { tries_left: left }
            );
        }
        assert_eq!(
            pending.check(&store, wrong(&code), 1001).await.unwrap(),
            CodeCheck::Exhausted
        );
        assert_eq!(
            pending.check(&store, &code, 1001).await.unwrap(),
            CodeCheck::Exhausted
        );
    }

    // Issue 11.3 ("reserve, then verify"): fifty guesses at once get no more than five checks.
    #[tokio::test]
    async fn parallel_guesses_get_no_more_tries_than_the_limit() {
        let store: Arc<dyn EphemeralStore> = Arc::new(MemoryStore::new(1 << 20));
        let (code, pending) = issue(1000, 900);
        let guesses: Vec<_> = (0..50)
            .map(|i| {
                let store = store.clone();
                let pending = pending.clone();
                let guess = if i == 49 {
                    code.clone()
                } else {
                    wrong(&code).to_owned()
                };
                tokio::spawn(
                    async move { pending.check(store.as_ref(), &guess, 1001).await.unwrap() },
                )
            })
            .collect();
        let mut checked = 0;
        for guess in guesses {
            if !matches!(guess.await.unwrap(), CodeCheck::Exhausted) {
                checked += 1;
            }
        }
        assert!(checked < MAX_ATTEMPTS, "{checked} guesses were checked");
    }

    #[tokio::test]
    async fn unguessable_code_matches_no_six_digits() {
        let store = MemoryStore::new(1 << 20);
        let pending = unguessable(1000, 900);
        assert_eq!(
            pending.check(&store, "123456", 1001).await.unwrap(),
            CodeCheck::Wrong {
                tries_left: MAX_ATTEMPTS - 1
            }
        );
    }

    // Replicas of the previous version count and mark under the same keys.
    #[tokio::test]
    async fn counts_and_marks_under_the_keys_replicas_share() {
        let store = MemoryStore::new(1 << 20);
        let (code, pending) = issue(1000, 900);
        pending.check(&store, wrong(&code), 1001).await.unwrap();
        let attempts = format!("email-code-attempts:{}", pending.id);
        assert_eq!(
            store
                .increment(&attempts, Duration::from_secs(60))
                .await
                .unwrap(),
            2
        );
        store
            .put(
                &format!("email-code-used:{}", pending.id),
                b"1",
                Duration::from_secs(60),
            )
            .await
            .unwrap();
        assert_eq!(
            pending.check(&store, &code, 1001).await.unwrap(),
            CodeCheck::Exhausted,
            "used on another replica"
        );
    }

    #[test]
    fn debug_shows_no_hash() {
        let (_, pending) = issue(0, 900);
        assert!(!format!("{pending:?}").contains(&pending.hash));
    }
}
