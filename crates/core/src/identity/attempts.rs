//! Proving attempt limits (issue 11.5). Failed document checks and failed question sets are
//! counted in the database per account and per claimed document, across journeys and sessions:
//! a new session, a new journey or a second account gets no more tries at the same passport,
//! and the knowledge questions are no unlimited oracle. At most `identity.max_attempts`
//! failures of each kind in any `identity.attempt_window`.
//!
//! A document is known only by a keyed hash (HMAC-SHA256, RFC 2104) under a key derived from
//! the identity encryption key, which lives outside the database: a copy of the database alone
//! does not give the numbers back, not even by trying every 9-digit passport number.
//!
//! "Reserve, then verify" (issue 11.3): an attempt is inserted before its check runs and
//! counted with every other attempt in the window, those still in flight included, so a burst
//! of parallel submissions gets no more checks than the limit. A check that matches deletes its
//! reservation; one that does not marks it failed. An attempt still pending after
//! [`IN_FLIGHT_AT_MOST`] belongs to a request that died half-way: it counts as failed (fail
//! closed).

use std::fmt;
use std::time::{Duration, Instant};

use aws_lc_rs::hmac;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::error::{Error, Result};
use one_login_store::{AttemptOutcome, CountedAttempt, Database, NewAttempt, Whose};

/// Longer than any request may run (the router's timeout is 30 s).
pub const IN_FLIGHT_AT_MOST: i64 = 120;

/// How long a reservation waits for other checks of the same account or document still in
/// flight, whose outcome decides whether it may run.
const WAIT_FOR_CHECKS_IN_FLIGHT: Duration = Duration::from_secs(10);

/// What an attempt spends: each kind has its own count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttemptKind {
    /// Photo ID details checked with the issuer.
    DocumentCheck,
    /// Knowledge-based questions marked.
    QuestionSet,
}

impl AttemptKind {
    pub fn as_str(self) -> &'static str {
        match self {
            AttemptKind::DocumentCheck => "document-check",
            AttemptKind::QuestionSet => "question-set",
        }
    }
}

/// The photo ID an attempt is about, by its number (spaces removed, upper case).
#[derive(Clone, PartialEq, Eq)]
pub enum ClaimedDocument {
    Passport(String),
    DrivingLicence(String),
}

impl ClaimedDocument {
    /// What is hashed: the kind of document and its number, in one spelling.
    fn canonical(&self) -> String {
        let (kind, number) = match self {
            ClaimedDocument::Passport(n) => ("passport", n),
            ClaimedDocument::DrivingLicence(n) => ("driving-licence", n),
        };
        let number: String = number
            .chars()
            .filter(|c| !c.is_whitespace())
            .flat_map(char::to_uppercase)
            .collect();
        format!("{kind}/{number}")
    }
}

/// Never the number (checklist 77: logs hold no personal data beyond what they need).
impl fmt::Debug for ClaimedDocument {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ClaimedDocument::Passport(_) => "Passport(..)",
            ClaimedDocument::DrivingLicence(_) => "DrivingLicence(..)",
        })
    }
}

/// At most `max` failures in any `window` seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AttemptLimit {
    pub max: u32,
    pub window: i64,
}

/// What the count says about an attempt just reserved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// The check may run; if it fails, this many tries are left.
    Go { left_if_failed: u32 },
    /// The failures already made reach the limit: no check until then.
    Limited { until: i64 },
    /// Checks in flight may use up what is left: their outcome decides.
    Busy,
}

fn failed_at(attempts: &[CountedAttempt], now: i64) -> Vec<i64> {
    let mut failed: Vec<i64> = attempts
        .iter()
        .filter(|a| a.outcome == AttemptOutcome::Failed || a.started_at <= now - IN_FLIGHT_AT_MOST)
        .map(|a| a.started_at)
        .collect();
    failed.sort_unstable();
    failed
}

fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

impl AttemptLimit {
    /// Until when no attempt may start, from the failures among `attempts` (those in the
    /// window): the limit lifts when enough of them have left the window.
    pub fn limited_until(&self, attempts: &[CountedAttempt], now: i64) -> Option<i64> {
        let failed = failed_at(attempts, now);
        let over = failed.len().checked_sub(usize::try_from(self.max).ok()?)?;
        failed.get(over).map(|at| at + self.window)
    }

    /// The verdict on an attempt reserved among `attempts` (its own included).
    pub fn verdict(&self, attempts: &[CountedAttempt], now: i64) -> Verdict {
        let total = count(attempts.len());
        if total <= self.max {
            return Verdict::Go {
                left_if_failed: self.max - total,
            };
        }
        match self.limited_until(attempts, now) {
            Some(until) => Verdict::Limited { until },
            None => Verdict::Busy,
        }
    }

    /// How many failures count now.
    pub fn failures(&self, attempts: &[CountedAttempt], now: i64) -> u32 {
        count(failed_at(attempts, now).len())
    }
}

/// The stricter of two verdicts (the account's and the document's).
fn stricter(a: Verdict, b: Verdict) -> Verdict {
    match (a, b) {
        (Verdict::Limited { until: x }, Verdict::Limited { until: y }) => {
            Verdict::Limited { until: x.max(y) }
        }
        (limited @ Verdict::Limited { .. }, _) | (_, limited @ Verdict::Limited { .. }) => limited,
        (Verdict::Busy, _) | (_, Verdict::Busy) => Verdict::Busy,
        (Verdict::Go { left_if_failed: x }, Verdict::Go { left_if_failed: y }) => Verdict::Go {
            left_if_failed: x.min(y),
        },
    }
}

/// Where a citizen stands before an attempt: failures that count, and until when they bar a
/// new one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Standing {
    /// The larger of the account's and the document's.
    pub failures: u32,
    pub limited_until: Option<i64>,
}

/// A reservation that may run its check; settle it with [`AttemptLimiter::settle`] or
/// [`AttemptLimiter::release`].
#[derive(Debug)]
#[must_use = "a reservation counts as a failure until it is settled"]
pub struct Reservation {
    id: String,
    account_id: String,
    kind: AttemptKind,
    document_keys: Vec<String>,
    /// Tries left if this check fails.
    pub left_if_failed: u32,
}

/// The answer to a reservation.
#[derive(Debug)]
pub enum Reserved {
    Go(Reservation),
    Limited { until: i64 },
}

/// What a check found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckResult {
    Matched,
    NotMatched,
}

/// Keys for document hashes, derived for this purpose only from an identity encryption key
/// (HMAC as a PRF, as HKDF-Expand does with one block: RFC 5869 §2.3).
fn document_hash_key(secret: &[u8]) -> hmac::Key {
    let derived = hmac::sign(
        &hmac::Key::new(hmac::HMAC_SHA256, secret),
        b"one-login/proving-attempts/document-hash/v1",
    );
    hmac::Key::new(hmac::HMAC_SHA256, derived.as_ref())
}

/// The proving attempt rules over the database.
pub struct AttemptLimiter {
    limit: AttemptLimit,
    /// The current key first, then earlier ones: counts carry on across a key rotation.
    keys: Vec<hmac::Key>,
}

impl fmt::Debug for AttemptLimiter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AttemptLimiter")
            .field("limit", &self.limit)
            .finish_non_exhaustive()
    }
}

impl AttemptLimiter {
    /// `current` and `previous`: the identity encryption keys (as for sealing).
    pub fn new(limit: AttemptLimit, current: &[u8], previous: &[Vec<u8>]) -> Self {
        let keys = std::iter::once(current)
            .chain(previous.iter().map(Vec::as_slice))
            .map(document_hash_key)
            .collect();
        AttemptLimiter { limit, keys }
    }

    pub fn limit(&self) -> AttemptLimit {
        self.limit
    }

    /// The document's keyed hashes: under the current key first, then earlier ones.
    fn document_keys(&self, document: &ClaimedDocument) -> Vec<String> {
        let canonical = document.canonical();
        self.keys
            .iter()
            .map(|key| URL_SAFE_NO_PAD.encode(hmac::sign(key, canonical.as_bytes())))
            .collect()
    }

    /// The attempts in the window: the account's, and the document's from any account.
    async fn counted(
        &self,
        db: &Database,
        account_id: &str,
        kind: AttemptKind,
        document_keys: &[String],
        now: i64,
    ) -> Result<(Vec<CountedAttempt>, Vec<CountedAttempt>)> {
        let since = now - self.limit.window;
        let store = db.proving_attempts();
        let kind = kind.as_str();
        let by_account = store
            .counted(Whose::Account(account_id), kind, since)
            .await?;
        let mut by_document = Vec::new();
        for key in document_keys {
            by_document.extend(store.counted(Whose::Document(key), kind, since).await?);
        }
        Ok((by_account, by_document))
    }

    /// Where the citizen stands for `kind` (and `document`, when known), before an attempt:
    /// for the journey's next step, and for how many question sets came before.
    pub async fn standing(
        &self,
        db: &Database,
        account_id: &str,
        kind: AttemptKind,
        document: Option<&ClaimedDocument>,
        now: i64,
    ) -> Result<Standing> {
        let keys = document.map(|d| self.document_keys(d)).unwrap_or_default();
        let (by_account, by_document) = self.counted(db, account_id, kind, &keys, now).await?;
        Ok(Standing {
            failures: self
                .limit
                .failures(&by_account, now)
                .max(self.limit.failures(&by_document, now)),
            limited_until: self
                .limit
                .limited_until(&by_account, now)
                .max(self.limit.limited_until(&by_document, now)),
        })
    }

    /// Reserves an attempt before its check runs. Refused when the failures already made reach
    /// the limit; while checks in flight may use up what is left, waits for their outcome
    /// (taking its reservation back meanwhile, so waiting requests cannot hold each other up).
    pub async fn reserve(
        &self,
        db: &Database,
        account_id: &str,
        kind: AttemptKind,
        document: &ClaimedDocument,
        now: i64,
    ) -> Result<Reserved> {
        let store = db.proving_attempts();
        store
            .forget_older(account_id, now - self.limit.window)
            .await?;
        let document_keys = self.document_keys(document);
        let current_key = document_keys
            .first()
            .ok_or_else(|| Error::Internal("no document hash key".into()))?;
        let deadline = Instant::now() + WAIT_FOR_CHECKS_IN_FLIGHT;
        let mut pause = Duration::from_millis(10);
        loop {
            let id = uuid::Uuid::new_v4().to_string();
            store
                .reserve(&NewAttempt {
                    id: &id,
                    account_id,
                    kind: kind.as_str(),
                    document_key: current_key,
                    started_at: now,
                })
                .await?;
            let (by_account, by_document) = self
                .counted(db, account_id, kind, &document_keys, now)
                .await?;
            let verdict = stricter(
                self.limit.verdict(&by_account, now),
                self.limit.verdict(&by_document, now),
            );
            match verdict {
                Verdict::Go { left_if_failed } => {
                    return Ok(Reserved::Go(Reservation {
                        id,
                        account_id: account_id.to_owned(),
                        kind,
                        document_keys,
                        left_if_failed,
                    }));
                }
                Verdict::Limited { until } => {
                    store.release(&id).await?;
                    tracing::warn!(account = %account_id, kind = kind.as_str(), until, "proving attempts limit reached");
                    return Ok(Reserved::Limited { until });
                }
                Verdict::Busy => {
                    store.release(&id).await?;
                    if Instant::now() >= deadline {
                        return Err(Error::Contended(format!(
                            "{} checks still in flight for one account or document",
                            kind.as_str()
                        )));
                    }
                    // Jitter, so that requests waiting together do not all come back together.
                    let jitter = Duration::from_millis(rand::random_range(0..10));
                    tokio::time::sleep(pause + jitter).await;
                    pause = (pause * 2).min(Duration::from_millis(200));
                }
            }
        }
    }

    /// Records what the check found: a match takes the reservation back, anything else is a
    /// failure. After a failure, returns until when the limit now holds, if it does.
    pub async fn settle(
        &self,
        db: &Database,
        reservation: Reservation,
        result: CheckResult,
        now: i64,
    ) -> Result<Option<i64>> {
        let store = db.proving_attempts();
        if result == CheckResult::Matched {
            store.release(&reservation.id).await?;
            ::metrics::counter!(crate::metrics::PROVING_CHECKS, "result" => "matched").increment(1);
            return Ok(None);
        }
        store.mark_failed(&reservation.id).await?;
        let (by_account, by_document) = self
            .counted(
                db,
                &reservation.account_id,
                reservation.kind,
                &reservation.document_keys,
                now,
            )
            .await?;
        let limited_until = self
            .limit
            .limited_until(&by_account, now)
            .max(self.limit.limited_until(&by_document, now));
        let counted = if limited_until.is_some() {
            "limited"
        } else {
            "not_matched"
        };
        ::metrics::counter!(crate::metrics::PROVING_CHECKS, "result" => counted).increment(1);
        if let Some(until) = limited_until {
            tracing::warn!(account = %reservation.account_id, kind = reservation.kind.as_str(), until, "proving attempts limit reached");
        }
        Ok(limited_until)
    }

    /// Takes a reservation back without counting it: the source could not answer.
    pub async fn release(&self, db: &Database, reservation: Reservation) -> Result<()> {
        Ok(db.proving_attempts().release(&reservation.id).await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMIT: AttemptLimit = AttemptLimit {
        max: 3,
        window: 86_400,
    };
    const NOW: i64 = 1_000_000;

    fn failed(at: i64) -> CountedAttempt {
        CountedAttempt {
            started_at: at,
            outcome: AttemptOutcome::Failed,
        }
    }

    fn pending(at: i64) -> CountedAttempt {
        CountedAttempt {
            started_at: at,
            outcome: AttemptOutcome::Pending,
        }
    }

    // Issue 11.5: three failures in the window bar a fourth attempt until the oldest of the
    // three that matter leaves the window.
    #[test]
    fn the_limit_lifts_when_enough_failures_leave_the_window() {
        assert_eq!(LIMIT.limited_until(&[failed(10), failed(20)], NOW), None);
        let three = [failed(30), failed(10), failed(20)];
        assert_eq!(LIMIT.limited_until(&three, NOW), Some(10 + 86_400));
        let four = [failed(10), failed(20), failed(30), failed(40)];
        assert_eq!(LIMIT.limited_until(&four, NOW), Some(20 + 86_400));
        assert_eq!(LIMIT.failures(&four, NOW), 4);
    }

    // Issue 11.3, "reserve, then verify": an attempt counts from its reservation, so attempts
    // in flight use up the tries; what they cannot decide yet waits for them.
    #[test]
    fn reservations_count_before_their_checks_run() {
        let now = NOW;
        assert_eq!(
            LIMIT.verdict(&[pending(now)], now),
            Verdict::Go { left_if_failed: 2 }
        );
        assert_eq!(
            LIMIT.verdict(&[failed(1), failed(2), pending(now)], now),
            Verdict::Go { left_if_failed: 0 }
        );
        // Two in flight and this one, after two failures: the others decide.
        let busy = [failed(1), failed(2), pending(now), pending(now)];
        assert_eq!(LIMIT.verdict(&busy, now), Verdict::Busy);
        let over = [failed(1), failed(2), failed(3), pending(now)];
        assert_eq!(
            LIMIT.verdict(&over, now),
            Verdict::Limited { until: 1 + 86_400 }
        );
    }

    // A reservation whose request died never settles: past any request's lifetime it counts
    // as failed (fail closed), and never leaves the next attempt waiting.
    #[test]
    fn a_reservation_left_behind_counts_as_failed() {
        let old = NOW - IN_FLIGHT_AT_MOST;
        let attempts = [failed(1), failed(2), pending(old), pending(NOW)];
        assert_eq!(
            LIMIT.verdict(&attempts, NOW),
            Verdict::Limited { until: 1 + 86_400 }
        );
        assert_eq!(LIMIT.failures(&[pending(old)], NOW), 1);
        assert_eq!(LIMIT.failures(&[pending(NOW - 5)], NOW), 0);
    }

    #[test]
    fn the_stricter_of_account_and_document_wins() {
        let go = |n| Verdict::Go { left_if_failed: n };
        let limited = |u| Verdict::Limited { until: u };
        assert_eq!(stricter(go(2), go(0)), go(0));
        assert_eq!(stricter(go(2), Verdict::Busy), Verdict::Busy);
        assert_eq!(stricter(Verdict::Busy, limited(5)), limited(5));
        assert_eq!(stricter(limited(9), limited(5)), limited(9));
    }

    // The document is stored only as a keyed hash: one spelling of the number, a different
    // hash per kind of document and per key, never the number itself.
    #[test]
    fn documents_are_known_by_a_keyed_hash_only() {
        let limiter = AttemptLimiter::new(LIMIT, &[1; 32], &[vec![2; 32]]);
        let passport = ClaimedDocument::Passport("321654987".into());
        let keys = limiter.document_keys(&passport);
        assert_eq!(keys.len(), 2, "the current key and the earlier one");
        assert_ne!(keys[0], keys[1]);
        assert!(keys.iter().all(|k| !k.contains("321654987")));
        assert_eq!(
            limiter.document_keys(&ClaimedDocument::Passport(" 321 654 987".into())),
            keys
        );
        assert_ne!(
            limiter.document_keys(&ClaimedDocument::DrivingLicence("321654987".into()))[0],
            keys[0]
        );
        let other = AttemptLimiter::new(LIMIT, &[3; 32], &[]);
        assert_ne!(other.document_keys(&passport)[0], keys[0]);
        assert!(!format!("{passport:?}").contains("321654987"));
    }
}
