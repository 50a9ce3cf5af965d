//! Lockout after repeated wrong passwords or codes, and per-address rate limits.
//!
//! Counted per email address (hashed), whether or not an account has it: a run of failures
//! for an address with no account locks exactly as for one with an account, so the lock itself
//! reveals nothing (ASVS 6.3.8). Locks expire (SP 800-63B §5.2.2: no permanent lockout).

use std::time::Duration;

use sha2::{Digest, Sha256};

use crate::config::SignInConfig;
use crate::ephemeral::EphemeralStore;
use crate::error::Result;
use crate::store::normalise_email;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureOutcome {
    /// Wrong, with this many tries left before the lock.
    TriesLeft(u32),
    /// This failure locked the address.
    NowLocked,
}

/// The rule: after `max` failures in a row, lock.
pub fn outcome_of_failure(failures_in_a_row: u64, max: u32) -> FailureOutcome {
    if failures_in_a_row >= u64::from(max) {
        FailureOutcome::NowLocked
    } else {
        FailureOutcome::TriesLeft(max - failures_in_a_row as u32)
    }
}

pub struct Lockout<'a> {
    store: &'a dyn EphemeralStore,
    config: &'a SignInConfig,
}

fn subject(email: &str) -> String {
    let digest = Sha256::digest(normalise_email(email).as_bytes());
    digest.iter().take(16).map(|b| format!("{b:02x}")).collect()
}

impl<'a> Lockout<'a> {
    pub fn new(store: &'a dyn EphemeralStore, config: &'a SignInConfig) -> Self {
        Lockout { store, config }
    }

    fn failures_key(email: &str) -> String {
        format!("lockout:failures:{}", subject(email))
    }

    fn lock_key(email: &str) -> String {
        format!("lockout:locked:{}", subject(email))
    }

    pub async fn is_locked(&self, email: &str) -> Result<bool> {
        Ok(self.store.get(&Self::lock_key(email)).await?.is_some())
    }

    /// Counts a wrong password or code; locks when it is one too many.
    pub async fn record_failure(&self, email: &str) -> Result<FailureOutcome> {
        // The count lives as long as a lock would: failures spread over longer are forgiven.
        let failures = self
            .store
            .increment(&Self::failures_key(email), self.config.lockout_duration)
            .await?;
        let outcome = outcome_of_failure(failures, self.config.max_failed_attempts);
        if outcome == FailureOutcome::NowLocked {
            self.store
                .put(&Self::lock_key(email), b"1", self.config.lockout_duration)
                .await?;
            self.store.delete(&Self::failures_key(email)).await?;
        }
        Ok(outcome)
    }

    /// A success ends the run of failures.
    pub async fn clear(&self, email: &str) -> Result<()> {
        self.store.delete(&Self::failures_key(email)).await
    }
}

/// Which group of routes a rate limit counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LimitedRoute {
    SignIn,
    CreateAccount,
}

impl LimitedRoute {
    fn as_str(self) -> &'static str {
        match self {
            LimitedRoute::SignIn => "sign-in",
            LimitedRoute::CreateAccount => "create-account",
        }
    }
}

/// Fixed-window rate limit per client address: `true` while under the limit (ASVS 2.4.1).
pub async fn within_rate_limit(
    store: &dyn EphemeralStore,
    config: &SignInConfig,
    route: LimitedRoute,
    client: &str,
    now: i64,
) -> Result<bool> {
    let window = config.rate_limit_window.as_secs().max(1) as i64;
    let key = format!(
        "ratelimit:{}:{client}:{}",
        route.as_str(),
        now.div_euclid(window)
    );
    let count = store
        .increment(&key, Duration::from_secs(window as u64 + 1))
        .await?;
    Ok(count <= u64::from(config.rate_limit_per_ip))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ephemeral::MemoryStore;

    fn config() -> SignInConfig {
        SignInConfig {
            max_failed_attempts: 5,
            lockout_duration: Duration::from_secs(900),
            rate_limit_per_ip: 3,
            rate_limit_window: Duration::from_secs(60),
            email_code_ttl: Duration::from_secs(900),
        }
    }

    #[test]
    fn the_fifth_failure_locks() {
        assert_eq!(outcome_of_failure(1, 5), FailureOutcome::TriesLeft(4));
        assert_eq!(outcome_of_failure(4, 5), FailureOutcome::TriesLeft(1));
        assert_eq!(outcome_of_failure(5, 5), FailureOutcome::NowLocked);
    }

    #[tokio::test]
    async fn lock_counts_per_address_whatever_its_case() {
        let store = MemoryStore::new(100);
        let config = config();
        let lockout = Lockout::new(&store, &config);
        for _ in 0..4 {
            assert!(matches!(
                lockout.record_failure("Ada@Example.com").await.unwrap(),
                FailureOutcome::TriesLeft(_)
            ));
        }
        assert!(!lockout.is_locked("ada@example.com").await.unwrap());
        assert_eq!(
            lockout.record_failure(" ada@example.COM").await.unwrap(),
            FailureOutcome::NowLocked
        );
        assert!(lockout.is_locked("ada@example.com").await.unwrap());
        assert!(!lockout.is_locked("bob@example.com").await.unwrap());
    }

    #[tokio::test]
    async fn success_resets_the_run() {
        let store = MemoryStore::new(100);
        let config = config();
        let lockout = Lockout::new(&store, &config);
        for _ in 0..4 {
            lockout.record_failure("ada@example.com").await.unwrap();
        }
        lockout.clear("ada@example.com").await.unwrap();
        assert_eq!(
            lockout.record_failure("ada@example.com").await.unwrap(),
            FailureOutcome::TriesLeft(4)
        );
    }

    #[tokio::test]
    async fn rate_limit_per_client_and_window() {
        let store = MemoryStore::new(100);
        let config = config();
        for _ in 0..3 {
            assert!(
                within_rate_limit(&store, &config, LimitedRoute::SignIn, "10.0.0.1", 120)
                    .await
                    .unwrap()
            );
        }
        assert!(
            !within_rate_limit(&store, &config, LimitedRoute::SignIn, "10.0.0.1", 121)
                .await
                .unwrap()
        );
        assert!(
            within_rate_limit(&store, &config, LimitedRoute::SignIn, "10.0.0.2", 121)
                .await
                .unwrap()
        );
        assert!(
            within_rate_limit(
                &store,
                &config,
                LimitedRoute::CreateAccount,
                "10.0.0.1",
                121
            )
            .await
            .unwrap()
        );
        assert!(
            within_rate_limit(&store, &config, LimitedRoute::SignIn, "10.0.0.1", 180)
                .await
                .unwrap()
        );
    }
}
