//! Passwords: the rules for a new one (NIST SP 800-63B §5.1.1.2) and argon2id hashing kept off
//! the async threads, with a bound on how many hashes run at once (style: uniform, bounded work).

use std::collections::HashSet;
use std::sync::{Arc, LazyLock};

use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher as _, PasswordVerifier as _};
use argon2::{Algorithm, Argon2, Params, Version};
use tokio::sync::Semaphore;
use unicode_normalization::UnicodeNormalization;

use crate::config::PasswordConfig;
use crate::error::{Error, Result};

pub const MIN_LENGTH: usize = 8;
/// Long enough for any passphrase (SP 800-63B asks for at least 64), short enough that hashing
/// cannot be used to exhaust the server (checklist: reject over about 1 KiB before hashing).
pub const MAX_LENGTH: usize = 256;
/// No password longer than this, in bytes as sent, is ever hashed (checklist 81: reject over
/// about 1 KiB before hashing), whatever form it came from. `MAX_LENGTH` characters fit.
pub const MAX_BYTES: usize = 1024;

static COMMON: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
    include_str!("../../data/common-passwords.txt")
        .lines()
        .collect()
});

/// Lowers the calling thread to nice 10, once per thread.
///
/// Argon2 may use every core, but only what the request threads leave: at equal priority two
/// hashes on two cores starved the async workers, and single sign-on beside a burst of sign-ins
/// went from p99 27 ms to 99 ms (one-login-bench, login-with-sso at 32). At nice 10 the kernel
/// gives a runnable worker about nine tenths of a core. Other work tokio sends to its blocking
/// threads (file writes of the mail outbox) runs at that priority too, which it can afford.
#[cfg(target_os = "linux")]
fn yield_to_request_threads() {
    use std::cell::Cell;
    thread_local! {
        static LOWERED: Cell<bool> = const { Cell::new(false) };
    }
    unsafe extern "C" {
        fn setpriority(
            which: std::ffi::c_int,
            who: std::ffi::c_uint,
            prio: std::ffi::c_int,
        ) -> std::ffi::c_int;
    }
    const PRIO_PROCESS: std::ffi::c_int = 0;
    LOWERED.with(|lowered| {
        if !lowered.get() {
            // SAFETY: plain system call; with `who` 0 Linux applies it to the calling thread
            // only (setpriority(2), NOTES). A failure just leaves the priority as it was.
            unsafe {
                setpriority(PRIO_PROCESS, 0, 10);
            }
            lowered.set(true);
        }
    });
}

#[cfg(not(target_os = "linux"))]
fn yield_to_request_threads() {}

/// Why a new password is refused, in the order a person should fix them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordProblem {
    Missing,
    TooShort,
    TooLong,
    Common,
}

impl PasswordProblem {
    pub fn message(self) -> &'static str {
        match self {
            PasswordProblem::Missing => "Enter a password",
            PasswordProblem::TooShort => "Your password must be at least 8 characters long",
            PasswordProblem::TooLong => "Your password must be 256 characters or fewer",
            PasswordProblem::Common => {
                "Enter a stronger password. Do not use very common passwords, such as ‘password’ or a sequence of numbers"
            }
        }
    }
}

/// How a password is compared and hashed: Unicode NFKC, so the same characters typed on two
/// keyboards give the same password (SP 800-63B §5.1.1.2).
pub fn normalise(password: &str) -> String {
    password.nfkc().collect()
}

/// Checks a new password: length in characters, and not a common one. No composition rules.
pub fn check_new_password(password: &str) -> Result<(), PasswordProblem> {
    let length = password.chars().count();
    if length == 0 {
        return Err(PasswordProblem::Missing);
    }
    if length < MIN_LENGTH {
        return Err(PasswordProblem::TooShort);
    }
    if length > MAX_LENGTH {
        return Err(PasswordProblem::TooLong);
    }
    let lower = normalise(password).to_lowercase();
    if COMMON.contains(lower.as_str()) || lower.chars().all(|c| c.is_ascii_digit()) {
        return Err(PasswordProblem::Common);
    }
    Ok(())
}

/// What is wrong with a form's field: its name and the message shown beside it.
pub type FieldProblem = (&'static str, String);

/// The problems of a new password (field `password`) and its confirmation (`confirm-password`),
/// in field order. A weak password is reported once, not also as a mismatch.
pub fn new_password_problems(password: &str, confirmation: &str) -> Vec<FieldProblem> {
    let mut problems = Vec::new();
    if let Err(problem) = check_new_password(password) {
        problems.push(("password", problem.message().to_owned()));
    }
    if confirmation.is_empty() {
        problems.push(("confirm-password", "Re-type your password".to_owned()));
    } else if problems.is_empty() && password != confirmation {
        problems.push((
            "confirm-password",
            "Enter the same password in both fields".to_owned(),
        ));
    }
    problems
}

/// The outcome of checking a password against a stored hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Verification {
    pub matches: bool,
    /// The hash was made with weaker parameters than configured now: store a new one.
    pub needs_rehash: bool,
}

/// Hashes computed at once when `passwords.max_concurrent_hashes` is 0: one fewer than the
/// CPU cores, and at least one. A burst of sign-ins then never takes every core from single
/// sign-on and the token endpoint (issue 13.4), and argon2's 19 MiB a hash (checklist 48
/// keeps that floor) stays bounded: on 2 cores, one hash at a time keeps the provider under
/// 60 MB at 128 concurrent flows, where two took it to 72 MB (issue 12.2).
pub fn default_concurrent_hashes(cores: usize) -> usize {
    cores.saturating_sub(1).max(1)
}

/// argon2id with the configured cost, run on the blocking pool, at most N at once.
#[derive(Clone)]
pub struct PasswordHasher {
    params: Params,
    /// Hashes computed at once (`passwords.max_concurrent_hashes`, resolved).
    concurrent: usize,
    permits: Arc<Semaphore>,
    /// A hash of a random password, verified when the account does not exist, so that "no such
    /// account" takes as long as "wrong password" (ASVS 6.3.8).
    dummy_hash: Arc<str>,
}

impl PasswordHasher {
    pub fn new(config: &PasswordConfig) -> Result<Self> {
        let params = Params::new(
            config.memory_kib,
            config.iterations,
            config.parallelism,
            None,
        )
        .map_err(|e| Error::config("passwords", e.to_string()))?;
        let permits = match config.max_concurrent_hashes {
            0 => default_concurrent_hashes(
                std::thread::available_parallelism().map_or(2, |n| n.get()),
            ),
            n => n,
        };
        let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone());
        let dummy_hash = argon
            .hash_password(uuid::Uuid::new_v4().to_string().as_bytes())
            .map_err(|e| Error::Internal(format!("argon2: {e}")))?
            .to_string();
        Ok(PasswordHasher {
            params,
            concurrent: permits,
            permits: Arc::new(Semaphore::new(permits)),
            dummy_hash: dummy_hash.into(),
        })
    }

    /// How many hashes run at once; more wait their turn.
    pub fn concurrent_hashes(&self) -> usize {
        self.concurrent
    }

    fn argon(&self) -> Argon2<'static> {
        Argon2::new(Algorithm::Argon2id, Version::V0x13, self.params.clone())
    }

    /// Hashes a new password (argon2 makes the salt).
    pub async fn hash(&self, password: &str) -> Result<String> {
        if password.len() > MAX_BYTES {
            return Err(Error::Refused(crate::error::Refusal::WeakPassword(
                PasswordProblem::TooLong.message().to_owned(),
            )));
        }
        let password = normalise(password);
        let argon = self.argon();
        self.run(move || {
            argon
                .hash_password(password.as_bytes())
                .map(|h| h.to_string())
                .map_err(|e| Error::Internal(format!("argon2: {e}")))
        })
        .await
    }

    /// Checks `password` against `stored`, or against a dummy hash when there is no account,
    /// so both cost the same.
    pub async fn verify(&self, password: &str, stored: Option<&str>) -> Result<Verification> {
        if password.len() > MAX_BYTES {
            // Wrong without hashing, for an account or none alike.
            return Ok(Verification {
                matches: false,
                needs_rehash: false,
            });
        }
        let password = normalise(password);
        let exists = stored.is_some();
        let stored = stored
            .map(str::to_owned)
            .unwrap_or_else(|| self.dummy_hash.to_string());
        let argon = self.argon();
        let wanted = self.params.clone();
        self.run(move || {
            let parsed = PasswordHash::new(&stored)
                .map_err(|e| Error::Corrupt(format!("password hash: {e}")))?;
            let matches = argon.verify_password(password.as_bytes(), &parsed).is_ok() && exists;
            let needs_rehash = matches
                && Params::try_from(&parsed)
                    .map(|p| {
                        p.m_cost() < wanted.m_cost()
                            || p.t_cost() < wanted.t_cost()
                            || p.p_cost() != wanted.p_cost()
                    })
                    .unwrap_or(true);
            Ok(Verification {
                matches,
                needs_rehash,
            })
        })
        .await
    }

    /// The hash of a replacement password, once it keeps the rules of a new account's password
    /// and is not the password it replaces (a reset or change that changes nothing protects
    /// nothing); else the problems, `same` the message for the current one.
    pub async fn replacement(
        &self,
        (password, confirmation): (&str, &str),
        current_hash: &str,
        same: &'static str,
    ) -> Result<std::result::Result<String, Vec<FieldProblem>>> {
        let mut problems = new_password_problems(password, confirmation);
        if problems.is_empty() && self.verify(password, Some(current_hash)).await?.matches {
            problems.push(("password", same.to_owned()));
        }
        if !problems.is_empty() {
            return Ok(Err(problems));
        }
        Ok(Ok(self.hash(password).await?))
    }

    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> Result<T> + Send + 'static,
    ) -> Result<T> {
        let queued = std::time::Instant::now();
        let waiting = InQueue::enter();
        let permit = self.permits.acquire().await;
        drop(waiting);
        ::metrics::histogram!(crate::metrics::PASSWORD_HASH_WAIT)
            .record(queued.elapsed().as_secs_f64());
        let _permit = permit.map_err(|_| Error::Internal("password hasher closed".into()))?;
        tokio::task::spawn_blocking(move || {
            yield_to_request_threads();
            work()
        })
        .await
        .map_err(|e| Error::Internal(format!("password hashing task: {e}")))?
    }
}

/// One hash counted in [`crate::metrics::PASSWORD_HASH_QUEUE`] until dropped, also when the
/// request waiting for it is abandoned.
struct InQueue(::metrics::Gauge);

impl InQueue {
    fn enter() -> Self {
        let gauge = ::metrics::gauge!(crate::metrics::PASSWORD_HASH_QUEUE);
        gauge.increment(1.0);
        InQueue(gauge)
    }
}

impl Drop for InQueue {
    fn drop(&mut self) {
        self.0.decrement(1.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_and_confirmation() {
        let get = |problems: &[FieldProblem], field: &str| {
            problems
                .iter()
                .find(|(f, _)| *f == field)
                .map(|(_, m)| m.clone())
                .unwrap_or_default()
        };
        assert!(new_password_problems("correct horse battery", "correct horse battery").is_empty());
        let errors = new_password_problems("correct horse battery", "correct horse batter");
        assert_eq!(
            get(&errors, "confirm-password"),
            "Enter the same password in both fields"
        );
        let errors = new_password_problems("", "");
        assert_eq!(get(&errors, "password"), "Enter a password");
        assert_eq!(get(&errors, "confirm-password"), "Re-type your password");
        // A weak password is reported once, not also as a mismatch.
        let errors = new_password_problems("password", "passwort");
        assert!(!get(&errors, "password").is_empty());
        assert_eq!(get(&errors, "confirm-password"), "");
    }

    fn hasher() -> PasswordHasher {
        PasswordHasher::new(&PasswordConfig {
            memory_kib: 19_456,
            iterations: 2,
            parallelism: 1,
            max_concurrent_hashes: 2,
        })
        .unwrap()
    }

    #[test]
    fn new_password_rules() {
        assert_eq!(check_new_password(""), Err(PasswordProblem::Missing));
        assert_eq!(check_new_password("short1"), Err(PasswordProblem::TooShort));
        assert_eq!(
            check_new_password(&"a".repeat(257)),
            Err(PasswordProblem::TooLong)
        );
        assert_eq!(check_new_password("password"), Err(PasswordProblem::Common));
        assert_eq!(check_new_password("PassWord"), Err(PasswordProblem::Common));
        assert_eq!(check_new_password("12345678"), Err(PasswordProblem::Common));
        assert_eq!(check_new_password("83920174"), Err(PasswordProblem::Common));
        assert_eq!(check_new_password("correct horse battery staple"), Ok(()));
        // Any Unicode, counted in characters, not bytes: 8 characters, 24 bytes.
        assert_eq!(check_new_password("ŵŷŵŷŵŷŵŷ"), Ok(()));
        assert_eq!(check_new_password(&"é".repeat(256)), Ok(()));
    }

    #[test]
    fn normalisation_makes_compatible_forms_equal() {
        // "ﬁ" (one ligature character) and "fi" are the same password after NFKC.
        assert_eq!(normalise("ﬁsh"), normalise("fish"));
    }

    #[tokio::test]
    async fn hash_then_verify() {
        let hasher = hasher();
        let hash = hasher.hash("correct horse battery staple").await.unwrap();
        assert!(hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        let right = hasher
            .verify("correct horse battery staple", Some(&hash))
            .await
            .unwrap();
        assert_eq!(
            right,
            Verification {
                matches: true,
                needs_rehash: false
            }
        );
        let wrong = hasher
            .verify("correct horse battery stapler", Some(&hash))
            .await
            .unwrap();
        assert!(!wrong.matches);
    }

    // Checklist 81: over about 1 KiB is refused before hashing, even when it is right.
    #[tokio::test]
    async fn over_long_passwords_are_never_hashed() {
        let hasher = hasher();
        let long = "ŵ".repeat(MAX_BYTES / 2 + 1);
        assert!(matches!(
            hasher.hash(&long).await,
            Err(Error::Refused(crate::error::Refusal::WeakPassword(_)))
        ));
        let hash = Argon2::new(
            Algorithm::Argon2id,
            Version::V0x13,
            Params::new(19_456, 2, 1, None).unwrap(),
        )
        .hash_password(long.as_bytes())
        .unwrap()
        .to_string();
        assert!(!hasher.verify(&long, Some(&hash)).await.unwrap().matches);
        let fits = "a".repeat(MAX_BYTES);
        let hash = hasher.hash(&fits).await.unwrap();
        assert!(hasher.verify(&fits, Some(&hash)).await.unwrap().matches);
    }

    #[tokio::test]
    async fn missing_account_never_matches() {
        let hasher = hasher();
        let result = hasher.verify("anything at all", None).await.unwrap();
        assert!(!result.matches);
    }

    #[tokio::test]
    async fn weaker_hash_asks_for_rehash() {
        let weak = Argon2::new(
            Algorithm::Argon2id,
            Version::V0x13,
            Params::new(8192, 1, 1, None).unwrap(),
        )
        .hash_password(b"correct horse battery staple")
        .unwrap()
        .to_string();
        let result = hasher()
            .verify("correct horse battery staple", Some(&weak))
            .await
            .unwrap();
        assert_eq!(
            result,
            Verification {
                matches: true,
                needs_rehash: true
            }
        );
    }

    #[test]
    fn by_default_one_core_is_left_to_everything_else() {
        let cases = [(1, 1), (2, 1), (4, 3), (16, 15)];
        for (cores, hashes) in cases {
            assert_eq!(default_concurrent_hashes(cores), hashes, "{cores} cores");
        }
    }
}
