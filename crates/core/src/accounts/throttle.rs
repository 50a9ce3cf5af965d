//! Slowing down wrong passwords and security codes, without letting anyone lock a citizen out
//! (checklist 52, NIST SP 800-63B §5.2.2: waits that grow, never a permanent lock).
//!
//! Four counts, in the short-lived store so that every replica shares them:
//! - per email address and client address (the "pair"): `max_failed_attempts` tries, then one
//!   try per wait, the wait doubling from `first_wait` up to `max_wait`. Guessing from
//!   elsewhere never makes the citizen at their own address wait.
//! - per email address across all client addresses: the same after
//!   `account_max_failed_attempts` (at most 100, SP 800-63B §5.2.2), except at addresses the
//!   account signed in from lately, so a guesser spread over many addresses cannot keep the
//!   owner out either.
//! - per client address across all email addresses: `address_max_failures` per
//!   `address_window`, then a wait to the window's end (credential stuffing from one place).
//! - across everything, the breaker: a spike of failures (stuffing from many places) tightens
//!   the per-address limit for `breaker_cooldown` and logs an error.
//!
//! Everything is counted per email address (hashed), whether or not an account has it, so the
//! answers and waits are the same for both (ASVS 6.3.8, checklist 51).
//!
//! Reserve, then verify: a try is counted before the password or code is checked, and a try
//! beyond what the count allows is refused unchecked, so a burst of parallel guesses is checked
//! no more often than the allowance (issue 11.3). After a wait the allowance is one try, counted
//! under that wait's own key, so refused tries never eat into a later allowance.

use std::time::Duration;

use sha2::{Digest, Sha256};

use crate::config::SignInConfig;
use crate::error::Result;
use crate::limits::counted_as_text;
use one_login_store::ephemeral::{EphemeralStore, put_kept};
use one_login_store::normalise_email;

/// What is being guessed: each has its own counts, so that a right password does not reset
/// the count of wrong codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Factor {
    Password,
    AuthenticatorCode,
}

impl Factor {
    fn key(self) -> &'static str {
        match self {
            Factor::Password => "pwd",
            Factor::AuthenticatorCode => "otp",
        }
    }
}

/// One try: what, for which email address, from which client address.
#[derive(Debug, Clone)]
pub struct SignInAttempt {
    factor: Factor,
    /// A hash of the normalised email address: no addresses in the store's keys.
    subject: String,
    /// The client address as the limits count it (IPv6 per /64).
    address: String,
}

impl SignInAttempt {
    pub fn new(factor: Factor, email: &str, client_ip: &str) -> Self {
        SignInAttempt {
            factor,
            subject: subject(email),
            address: counted_as_text(client_ip),
        }
    }

    pub fn factor(&self) -> Factor {
        self.factor
    }

    fn pair_key(&self) -> ScopeKey {
        ScopeKey(format!(
            "throttle:{}:pair:{}:{}",
            self.factor.key(),
            self.subject,
            self.address
        ))
    }

    /// At the password step, the wait that wrong codes from this address led to: so a citizen
    /// is told to wait before giving their password again, not after. Only this address's, so
    /// it tells nobody elsewhere that the account exists.
    fn code_pair_key(&self) -> Option<ScopeKey> {
        (self.factor == Factor::Password).then(|| {
            SignInAttempt {
                factor: Factor::AuthenticatorCode,
                ..self.clone()
            }
            .pair_key()
        })
    }

    fn account_key(&self) -> ScopeKey {
        ScopeKey(format!(
            "throttle:{}:account:{}",
            self.factor.key(),
            self.subject
        ))
    }

    fn known_address_key(&self) -> String {
        format!("throttle:known:{}:{}", self.subject, self.address)
    }

    fn address_key(&self) -> ScopeKey {
        ScopeKey(format!("throttle:address:{}", self.address))
    }
}

/// Where one scope's counts live in the short-lived store: under its key, the wait in force
/// (`:wait`, see [`Wait::encode`]), the tries counted before a wait or after one
/// (`:tries:0`, `:tries:after-{until}`), and a client address's failures per window
/// (`:failures:{index}`).
#[derive(Debug, Clone, PartialEq, Eq)]
struct ScopeKey(String);

impl ScopeKey {
    fn wait(&self) -> String {
        format!("{}:wait", self.0)
    }

    fn tries(&self, after: Option<&Wait>) -> String {
        match after {
            None => format!("{}:tries:0", self.0),
            Some(wait) => format!("{}:tries:after-{}", self.0, wait.until),
        }
    }

    fn failures(&self, window_index: i64) -> String {
        format!("{}:failures:{window_index}", self.0)
    }
}

/// Failures across everything in one breaker window.
fn breaker_failures_key(window_index: i64) -> String {
    format!("throttle:global:{window_index}")
}

/// The breaker, while tripped: until when (Unix seconds, as text).
const BREAKER_KEY: &str = "throttle:breaker";

fn subject(email: &str) -> String {
    let digest = Sha256::digest(normalise_email(email).as_bytes());
    digest.iter().take(16).map(|b| format!("{b:02x}")).collect()
}

/// Whether a try may be checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Admission {
    /// Check the answer; what a wrong one costs is held in the reservation.
    Check(Reservation),
    /// Refused unchecked, until this time (unix seconds).
    Wait { until: i64 },
}

/// A counted try.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reservation {
    pair: Reserved,
    /// `None` at an address the account signed in from lately.
    account: Option<Reserved>,
}

/// A try counted in one scope: its number among the tries allowed there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Reserved {
    number: u64,
    allowed: u64,
    /// Set when this was the last try allowed: the wait that follows it if it is wrong.
    then_wait_until: Option<i64>,
}

impl Reserved {
    fn tries_left(&self) -> u64 {
        self.allowed.saturating_sub(self.number)
    }
}

/// What a wrong answer led to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureOutcome {
    /// Wrong, with this many tries left before a wait.
    TriesLeft(u32),
    /// Wrong, and no more tries until this time (unix seconds).
    MustWait { until: i64 },
}

/// A wait in force in one scope: the `epoch`th since the failures began, ending at `until`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Wait {
    epoch: u32,
    until: i64,
}

impl Wait {
    fn encode(self) -> Vec<u8> {
        format!("{}:{}", self.epoch, self.until).into_bytes()
    }

    fn decode(bytes: &[u8]) -> Option<Wait> {
        let text = std::str::from_utf8(bytes).ok()?;
        let (epoch, until) = text.split_once(':')?;
        Some(Wait {
            epoch: epoch.parse().ok()?,
            until: until.parse().ok()?,
        })
    }
}

/// The wait after the `epoch`th run of tries: `first`, doubling each time, at most `max`.
pub fn wait_after(epoch: u32, first: Duration, max: Duration) -> Duration {
    let doublings = epoch.saturating_sub(1).min(30);
    first.saturating_mul(1 << doublings).min(max)
}

fn seconds(d: Duration) -> i64 {
    i64::try_from(d.as_secs()).unwrap_or(i64::MAX)
}

/// A store entry that must outlive `until` (clock time) by `then`.
fn ttl_until(until: i64, now: i64, then: Duration) -> Duration {
    Duration::from_secs(until.saturating_sub(now).max(0) as u64) + then
}

pub struct Throttle<'a> {
    store: &'a dyn EphemeralStore,
    config: &'a SignInConfig,
}

impl<'a> Throttle<'a> {
    pub fn new(store: &'a dyn EphemeralStore, config: &'a SignInConfig) -> Self {
        Throttle { store, config }
    }

    async fn wait_at(&self, key: &ScopeKey) -> Result<Option<Wait>> {
        Ok(self
            .store
            .get(&key.wait())
            .await?
            .as_deref()
            .and_then(Wait::decode))
    }

    /// Counts a try, before its answer is checked. Refuses it while a wait is in force in any
    /// scope, or when parallel tries have already taken what is allowed.
    pub async fn admit(&self, attempt: &SignInAttempt, now: i64) -> Result<Admission> {
        let pair_key = attempt.pair_key();
        let account_key = attempt.account_key();
        let address_key = attempt.address_key();
        let known_key = attempt.known_address_key();
        let code_pair_key = attempt.code_pair_key();
        let (pair_wait, account_wait, known, address_wait, code_wait) = tokio::try_join!(
            self.wait_at(&pair_key),
            self.wait_at(&account_key),
            async { Ok(self.store.get(&known_key).await?) },
            self.wait_at(&address_key),
            async {
                match &code_pair_key {
                    Some(key) => self.wait_at(key).await,
                    None => Ok(None),
                }
            },
        )?;
        let account_applies = known.is_none();
        let waiting_until = [
            pair_wait,
            account_wait.filter(|_| account_applies),
            address_wait,
            code_wait,
        ]
        .into_iter()
        .flatten()
        .map(|w| w.until)
        .filter(|until| *until > now)
        .max();
        if let Some(until) = waiting_until {
            return Ok(Admission::Wait { until });
        }
        let pair = match self
            .reserve(&pair_key, pair_wait, self.config.max_failed_attempts, now)
            .await?
        {
            Ok(reserved) => reserved,
            Err(until) => return Ok(Admission::Wait { until }),
        };
        let account = if account_applies {
            match self
                .reserve(
                    &account_key,
                    account_wait,
                    self.config.account_max_failed_attempts,
                    now,
                )
                .await?
            {
                Ok(reserved) => Some(reserved),
                Err(until) => return Ok(Admission::Wait { until }),
            }
        } else {
            None
        };
        Ok(Admission::Check(Reservation { pair, account }))
    }

    /// Takes one of the tries a scope allows now: `free` before any wait, one after each. The
    /// last one books the next wait at once, so that it holds even if this request never
    /// finishes; a right answer cancels it. `Err(until)` when none is left.
    async fn reserve(
        &self,
        key: &ScopeKey,
        wait: Option<Wait>,
        free: u32,
        now: i64,
    ) -> Result<std::result::Result<Reserved, i64>> {
        let (epoch, allowed) = match wait {
            None => (0, u64::from(free)),
            Some(w) => (w.epoch, 1),
        };
        let forget = self.config.forget_failures_after;
        let number = self
            .store
            .increment(&key.tries(wait.as_ref()), forget)
            .await?;
        let next = epoch.saturating_add(1);
        let next_until = now
            + seconds(wait_after(
                next,
                self.config.first_wait,
                self.config.max_wait,
            ));
        if number > allowed {
            return Ok(Err(next_until));
        }
        let then_wait_until = if number == allowed {
            let booked = Wait {
                epoch: next,
                until: next_until,
            };
            // A lockout is security state: kept even when a flood fills the store.
            put_kept(
                self.store,
                &key.wait(),
                &booked.encode(),
                ttl_until(next_until, now, forget),
            )
            .await?;
            Some(next_until)
        } else {
            None
        };
        Ok(Ok(Reserved {
            number,
            allowed,
            then_wait_until,
        }))
    }

    /// The answer was wrong: counts it against the client address and across all accounts,
    /// and says what follows.
    pub async fn failed(
        &self,
        attempt: &SignInAttempt,
        reservation: &Reservation,
        now: i64,
    ) -> Result<FailureOutcome> {
        let under_attack = self.count_for_breaker(now).await?;
        let address_wait = self.count_for_address(attempt, under_attack, now).await?;
        let scopes = std::iter::once(&reservation.pair).chain(reservation.account.as_ref());
        let wait = scopes
            .clone()
            .filter_map(|r| r.then_wait_until)
            .chain(address_wait)
            .max();
        Ok(match wait {
            Some(until) => FailureOutcome::MustWait { until },
            None => {
                let left = scopes.map(Reserved::tries_left).min().unwrap_or(0);
                FailureOutcome::TriesLeft(u32::try_from(left).unwrap_or(u32::MAX))
            }
        })
    }

    /// One more failure across all accounts; whether the breaker is tripped. The first failure
    /// over the threshold trips it, and says so loudly, once per cooldown across replicas.
    async fn count_for_breaker(&self, now: i64) -> Result<bool> {
        let window = seconds(self.config.breaker_window).max(1);
        let index = now.div_euclid(window);
        let failures = self
            .store
            .increment(
                &breaker_failures_key(index),
                self.config.breaker_window + Duration::from_secs(1),
            )
            .await?;
        if failures >= u64::from(self.config.breaker_failures) {
            let until = now + seconds(self.config.breaker_cooldown);
            let tripped = self
                .store
                .put_new(
                    BREAKER_KEY,
                    until.to_string().as_bytes(),
                    self.config.breaker_cooldown,
                )
                .await?;
            if tripped {
                tracing::error!(
                    failures,
                    window_seconds = window,
                    cooldown_seconds = seconds(self.config.breaker_cooldown),
                    "sign-in breaker tripped: wrong passwords and codes across all accounts spiked \
                     (credential stuffing?); per-address limits tightened"
                );
            }
            return Ok(true);
        }
        self.breaker_tripped(now).await
    }

    /// Whether the breaker is tripped at `now`.
    pub async fn breaker_tripped(&self, now: i64) -> Result<bool> {
        Ok(self
            .store
            .get(BREAKER_KEY)
            .await?
            .and_then(|v| std::str::from_utf8(&v).ok()?.parse::<i64>().ok())
            .is_some_and(|until| until > now))
    }

    /// One more failure from this client address; the wait it leads to, if any.
    async fn count_for_address(
        &self,
        attempt: &SignInAttempt,
        under_attack: bool,
        now: i64,
    ) -> Result<Option<i64>> {
        let window = seconds(self.config.address_window).max(1);
        let index = now.div_euclid(window);
        let key = attempt.address_key();
        let failures = self
            .store
            .increment(
                &key.failures(index),
                self.config.address_window + Duration::from_secs(1),
            )
            .await?;
        let limit = if under_attack {
            self.config.address_max_failures_under_attack
        } else {
            self.config.address_max_failures
        };
        if failures < u64::from(limit) {
            return Ok(None);
        }
        let until = (index + 1) * window;
        if failures == u64::from(limit) {
            tracing::warn!(client = %attempt.address, failures, under_attack, "too many wrong sign-in answers from one address: it waits");
        }
        let wait = Wait { epoch: 0, until };
        put_kept(
            self.store,
            &key.wait(),
            &wait.encode(),
            ttl_until(until, now, Duration::from_secs(60)),
        )
        .await?;
        Ok(Some(until))
    }

    /// The answer was right: the counts of this factor for this email address start again,
    /// here and at every other address.
    pub async fn succeeded(&self, attempt: &SignInAttempt) -> Result<()> {
        let (pair, account) = (attempt.pair_key(), attempt.account_key());
        let keys = [
            pair.wait(),
            pair.tries(None),
            account.wait(),
            account.tries(None),
        ];
        let [a, b, c, d] = &keys;
        tokio::try_join!(
            self.store.delete(a),
            self.store.delete(b),
            self.store.delete(c),
            self.store.delete(d),
        )?;
        Ok(())
    }

    /// The citizen signed in from this address: for a while, the account-wide wait does not
    /// apply here.
    pub async fn remember_address(&self, email: &str, client_ip: &str) -> Result<()> {
        let attempt = SignInAttempt::new(Factor::Password, email, client_ip);
        self.store
            .put(
                &attempt.known_address_key(),
                b"1",
                self.config.remember_sign_in_address,
            )
            .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use one_login_store::ephemeral::MemoryStore;

    fn config() -> SignInConfig {
        SignInConfig {
            max_failed_attempts: 5,
            first_wait: Duration::from_secs(300),
            max_wait: Duration::from_secs(3600),
            forget_failures_after: Duration::from_secs(86_400),
            account_max_failed_attempts: 8,
            remember_sign_in_address: Duration::from_secs(86_400),
            address_max_failures: 20,
            address_window: Duration::from_secs(900),
            breaker_failures: 30,
            breaker_window: Duration::from_secs(60),
            breaker_cooldown: Duration::from_secs(900),
            address_max_failures_under_attack: 2,
            email_code_ttl: Duration::from_secs(900),
        }
    }

    const NOW: i64 = 1_800_000_000;

    async fn wrong(throttle: &Throttle<'_>, attempt: &SignInAttempt, now: i64) -> Admission {
        let admission = throttle.admit(attempt, now).await.unwrap();
        if let Admission::Check(reservation) = &admission {
            throttle.failed(attempt, reservation, now).await.unwrap();
        }
        admission
    }

    // Replicas of the previous version count, wait and remember under the same keys, with
    // the same values.
    #[tokio::test]
    async fn counts_and_waits_under_the_keys_replicas_share() {
        let store = MemoryStore::new(1 << 20);
        let config = config();
        let throttle = Throttle::new(&store, &config);
        let attempt = SignInAttempt::new(Factor::Password, " Ada@example.com", "203.0.113.7");
        for _ in 0..5 {
            wrong(&throttle, &attempt, NOW).await;
        }
        let pair = "throttle:pwd:pair:b5fc85e55755f9e0d030a10ab4429b6b:203.0.113.7";
        let account = "throttle:pwd:account:b5fc85e55755f9e0d030a10ab4429b6b";
        let day = Duration::from_secs(86_400);
        assert_eq!(
            store
                .increment(&format!("{pair}:tries:0"), day)
                .await
                .unwrap(),
            6
        );
        assert_eq!(
            store
                .increment(&format!("{account}:tries:0"), day)
                .await
                .unwrap(),
            6
        );
        let booked = format!("1:{}", NOW + 300);
        assert_eq!(
            store.get(&format!("{pair}:wait")).await.unwrap(),
            Some(booked.into_bytes())
        );
        let after = format!("{pair}:tries:after-{}", NOW + 300);
        assert_eq!(store.increment(&after, day).await.unwrap(), 1);
        let Admission::Wait { until } = throttle.admit(&attempt, NOW + 300).await.unwrap() else {
            panic!("the try after the wait was not counted where replicas count it");
        };
        assert_eq!(until, NOW + 300 + 600);
        let window = NOW.div_euclid(900);
        assert_eq!(
            store
                .increment(
                    &format!("throttle:address:203.0.113.7:failures:{window}"),
                    day
                )
                .await
                .unwrap(),
            6
        );
        assert_eq!(
            store
                .increment(&format!("throttle:global:{}", NOW.div_euclid(60)), day)
                .await
                .unwrap(),
            6
        );
        throttle
            .remember_address("ada@example.com", "203.0.113.7")
            .await
            .unwrap();
        assert!(
            store
                .get("throttle:known:b5fc85e55755f9e0d030a10ab4429b6b:203.0.113.7")
                .await
                .unwrap()
                .is_some()
        );
        store
            .put(BREAKER_KEY, (NOW + 10).to_string().as_bytes(), day)
            .await
            .unwrap();
        assert_eq!(BREAKER_KEY, "throttle:breaker");
        assert!(throttle.breaker_tripped(NOW).await.unwrap());
    }

    #[test]
    fn waits_double_up_to_the_most() {
        let (first, max) = (Duration::from_secs(300), Duration::from_secs(3600));
        assert_eq!(wait_after(1, first, max).as_secs(), 300);
        assert_eq!(wait_after(2, first, max).as_secs(), 600);
        assert_eq!(wait_after(4, first, max).as_secs(), 2400);
        assert_eq!(wait_after(5, first, max).as_secs(), 3600);
        assert_eq!(wait_after(500, first, max).as_secs(), 3600);
    }

    // Checklist 52: waits that grow with each wrong try, and end.
    #[tokio::test]
    async fn five_tries_then_one_per_growing_wait() {
        let store = MemoryStore::new(1 << 20);
        let config = config();
        let throttle = Throttle::new(&store, &config);
        let attempt = SignInAttempt::new(Factor::Password, "ada@example.com", "203.0.113.7");
        for left in [4, 3, 2, 1] {
            let Admission::Check(r) = throttle.admit(&attempt, NOW).await.unwrap() else {
                panic!("refused early");
            };
            assert_eq!(
                throttle.failed(&attempt, &r, NOW).await.unwrap(),
                FailureOutcome::TriesLeft(left)
            );
        }
        let Admission::Check(r) = throttle.admit(&attempt, NOW).await.unwrap() else {
            panic!("refused early");
        };
        assert_eq!(
            throttle.failed(&attempt, &r, NOW).await.unwrap(),
            FailureOutcome::MustWait { until: NOW + 300 }
        );
        assert_eq!(
            throttle.admit(&attempt, NOW + 299).await.unwrap(),
            Admission::Wait { until: NOW + 300 }
        );
        // After the wait, one try; wrong, and the next wait is twice as long.
        let Admission::Check(r) = throttle.admit(&attempt, NOW + 300).await.unwrap() else {
            panic!("the wait did not end");
        };
        assert_eq!(
            throttle.failed(&attempt, &r, NOW + 300).await.unwrap(),
            FailureOutcome::MustWait {
                until: NOW + 300 + 600
            }
        );
        // Elsewhere, the same email address has all its tries.
        let elsewhere = SignInAttempt::new(Factor::Password, "ada@example.com", "198.51.100.1");
        assert!(matches!(
            throttle.admit(&elsewhere, NOW + 301).await.unwrap(),
            Admission::Check(_)
        ));
    }

    // Issue 11.3: reserve, then verify. Fifty tries at once, every one admitted before any
    // answer is found wrong (the worst case for check-then-count): five checks.
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn parallel_tries_get_no_more_checks_than_allowed() {
        let store = std::sync::Arc::new(MemoryStore::new(1 << 20));
        let config = std::sync::Arc::new(config());
        let attempt = SignInAttempt::new(Factor::AuthenticatorCode, "ada@example.com", "::1");
        assert_eq!(
            checks_of_fifty_at_once(&store, &config, &attempt, NOW).await,
            5
        );
        // After the wait, one more, however many ask at once.
        assert_eq!(
            checks_of_fifty_at_once(&store, &config, &attempt, NOW + 300).await,
            1
        );
    }

    async fn checks_of_fifty_at_once(
        store: &std::sync::Arc<MemoryStore>,
        config: &std::sync::Arc<SignInConfig>,
        attempt: &SignInAttempt,
        now: i64,
    ) -> usize {
        let start = std::sync::Arc::new(tokio::sync::Barrier::new(50));
        let mut tasks = tokio::task::JoinSet::new();
        for _ in 0..50 {
            let (store, config, attempt, start) = (
                store.clone(),
                config.clone(),
                attempt.clone(),
                start.clone(),
            );
            tasks.spawn(async move {
                start.wait().await;
                Throttle::new(store.as_ref(), &config)
                    .admit(&attempt, now)
                    .await
                    .unwrap()
            });
        }
        let admitted: Vec<Reservation> = tasks
            .join_all()
            .await
            .into_iter()
            .filter_map(|a| match a {
                Admission::Check(r) => Some(r),
                Admission::Wait { .. } => None,
            })
            .collect();
        let throttle = Throttle::new(store.as_ref(), config);
        for reservation in &admitted {
            throttle.failed(attempt, reservation, now).await.unwrap();
        }
        admitted.len()
    }

    #[tokio::test]
    async fn a_right_answer_starts_the_count_again() {
        let store = MemoryStore::new(1 << 20);
        let config = config();
        let throttle = Throttle::new(&store, &config);
        let attempt = SignInAttempt::new(Factor::Password, "ada@example.com", "203.0.113.7");
        for _ in 0..4 {
            wrong(&throttle, &attempt, NOW).await;
        }
        let Admission::Check(_) = throttle.admit(&attempt, NOW).await.unwrap() else {
            panic!("refused");
        };
        throttle.succeeded(&attempt).await.unwrap();
        let Admission::Check(r) = throttle.admit(&attempt, NOW).await.unwrap() else {
            panic!("refused");
        };
        assert_eq!(
            throttle.failed(&attempt, &r, NOW).await.unwrap(),
            FailureOutcome::TriesLeft(4)
        );
        // The other factor's count is its own.
        let code = SignInAttempt::new(Factor::AuthenticatorCode, "ada@example.com", "203.0.113.7");
        let Admission::Check(r) = throttle.admit(&code, NOW).await.unwrap() else {
            panic!("refused");
        };
        assert_eq!(
            throttle.failed(&code, &r, NOW).await.unwrap(),
            FailureOutcome::TriesLeft(4)
        );
    }

    // Checklist 52 (at most 100 per account), without letting a spread-out guesser keep the
    // owner out at an address they signed in from.
    #[tokio::test]
    async fn the_account_ceiling_spares_known_addresses() {
        let store = MemoryStore::new(1 << 20);
        let config = config();
        let throttle = Throttle::new(&store, &config);
        throttle
            .remember_address("ada@example.com", "203.0.113.7")
            .await
            .unwrap();
        for i in 0..8 {
            let from = SignInAttempt::new(
                Factor::Password,
                "ada@example.com",
                &format!("198.51.100.{i}"),
            );
            assert!(matches!(
                wrong(&throttle, &from, NOW).await,
                Admission::Check(_)
            ));
        }
        let new_place = SignInAttempt::new(Factor::Password, "ada@example.com", "192.0.2.1");
        assert_eq!(
            throttle.admit(&new_place, NOW).await.unwrap(),
            Admission::Wait { until: NOW + 300 }
        );
        let home = SignInAttempt::new(Factor::Password, "ADA@example.com", "203.0.113.7");
        assert!(matches!(
            throttle.admit(&home, NOW).await.unwrap(),
            Admission::Check(_)
        ));
    }

    #[tokio::test]
    async fn stuffing_from_one_address_waits_and_the_breaker_tightens() {
        let store = MemoryStore::new(1 << 20);
        let config = config();
        let throttle = Throttle::new(&store, &config);
        let stuffer = |i: u32| {
            SignInAttempt::new(
                Factor::Password,
                &format!("user{i}@example.com"),
                "192.0.2.66",
            )
        };
        for i in 0..19 {
            assert!(matches!(
                wrong(&throttle, &stuffer(i), NOW).await,
                Admission::Check(_)
            ));
        }
        let Admission::Check(r) = throttle.admit(&stuffer(19), NOW).await.unwrap() else {
            panic!("refused early");
        };
        let window_end = (NOW.div_euclid(900) + 1) * 900;
        assert_eq!(
            throttle.failed(&stuffer(19), &r, NOW).await.unwrap(),
            FailureOutcome::MustWait { until: window_end }
        );
        assert_eq!(
            throttle.admit(&stuffer(20), NOW).await.unwrap(),
            Admission::Wait { until: window_end }
        );
        assert!(!throttle.breaker_tripped(NOW).await.unwrap());
        // Ten more from ten other places: 30 failures in the minute trip the breaker, and an
        // address is then stopped at its second failure.
        for i in 0..10 {
            let a = SignInAttempt::new(
                Factor::Password,
                &format!("x{i}@example.com"),
                &format!("198.51.100.{i}"),
            );
            wrong(&throttle, &a, NOW).await;
        }
        assert!(throttle.breaker_tripped(NOW).await.unwrap());
        let other = |i: u32| {
            SignInAttempt::new(
                Factor::Password,
                &format!("y{i}@example.com"),
                "203.0.113.99",
            )
        };
        wrong(&throttle, &other(0), NOW).await;
        wrong(&throttle, &other(1), NOW).await;
        assert!(matches!(
            throttle.admit(&other(2), NOW).await.unwrap(),
            Admission::Wait { .. }
        ));
        // It calms after the cooldown.
        assert!(!throttle.breaker_tripped(NOW + 900).await.unwrap());
    }
}
