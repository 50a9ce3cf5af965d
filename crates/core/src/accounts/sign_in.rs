//! Checking a password or an authenticator code, as signing in does and as every page that asks
//! for one again does (recovery, the account pages): the try is reserved with the throttle
//! before it is checked (issue 11.3), a wrong one is counted and audited, and the answer is the
//! same whether or not the account exists (ASVS 6.3.8).

use super::MAX_EMAIL_CHARS;
use super::password::MAX_LENGTH;
use super::services::AccountServices;
use super::throttle::{Admission, Factor, FailureOutcome, Reservation, SignInAttempt};
use super::totp;
use crate::error::Result;
use one_login_store::{Account, AuditEvent, AuditKind};

/// What a check found, before the throttle counts it.
pub enum Check<T> {
    Right(T),
    /// Wrong, for the account named (if there is one: an unknown address is wrong too).
    Wrong {
        account_id: Option<String>,
    },
    /// The account went away meanwhile: nothing to count.
    Gone,
}

/// What a counted check came to.
pub enum Checked<T> {
    Right(T),
    /// Wrong, and counted: the tries left, or the wait that follows now.
    Wrong(FailureOutcome),
    /// Too many wrong tries already: not checked at all.
    Wait {
        until: i64,
    },
    /// The account went away meanwhile.
    Gone,
}

impl AccountServices<'_> {
    /// Runs `check` as one try of `factor` for `email` from `ip`, counted with the throttle.
    /// `place` says, for investigators, where a wrong answer was typed ("" at sign-in).
    pub async fn counted<T>(
        &self,
        factor: Factor,
        email: &str,
        ip: &str,
        place: &str,
        now: i64,
        check: impl AsyncFnOnce() -> Result<Check<T>>,
    ) -> Result<Checked<T>> {
        let throttle = self.throttle();
        let attempt = SignInAttempt::new(factor, email, ip);
        let reservation = match throttle.admit(&attempt, now).await? {
            Admission::Check(reservation) => reservation,
            Admission::Wait { until } => return Ok(Checked::Wait { until }),
        };
        match check().await? {
            Check::Right(value) => {
                throttle.succeeded(&attempt).await?;
                Ok(Checked::Right(value))
            }
            Check::Wrong { account_id } => {
                let wrong = (&attempt, &reservation, account_id.as_deref());
                let outcome = self.count_wrong_answer(wrong, ip, place, now).await?;
                Ok(Checked::Wrong(outcome))
            }
            Check::Gone => Ok(Checked::Gone),
        }
    }

    /// Counts a wrong password or code with the throttle and records it in the audit log (with
    /// the wait that follows, if one does).
    async fn count_wrong_answer(
        &self,
        (attempt, reservation, account_id): (&SignInAttempt, &Reservation, Option<&str>),
        ip: &str,
        place: &str,
        now: i64,
    ) -> Result<FailureOutcome> {
        let outcome = self.throttle().failed(attempt, reservation, now).await?;
        let (what, factor) = match attempt.factor() {
            Factor::Password => ("password", "password"),
            Factor::AuthenticatorCode => ("authenticator code", "authenticator_code"),
        };
        ::metrics::counter!(crate::metrics::SIGN_IN_FAILURES, "factor" => factor).increment(1);
        let audit = self.db.audit();
        audit
            .record(
                &AuditEvent::new(AuditKind::SignInFailed, account_id, now)
                    .from_ip(Some(ip.to_owned()))
                    .with_detail(format!("{what}{place}")),
            )
            .await?;
        tracing::info!(client = %ip, what, "sign-in failed");
        if let FailureOutcome::MustWait { until } = outcome {
            ::metrics::counter!(crate::metrics::LOCKOUTS).increment(1);
            audit
                .record(
                    &AuditEvent::new(AuditKind::Locked, account_id, now)
                        .from_ip(Some(ip.to_owned())),
                )
                .await?;
            tracing::warn!(client = %ip, wait_seconds = until - now, "sign-in waits after repeated failures");
        }
        Ok(outcome)
    }

    /// Checks a password as sign-in does, for the account `account_id` or else the one of
    /// `email`: an over-long one is wrong without being hashed, a missing account costs a
    /// dummy verification (ASVS 6.3.8), and a hash made with weaker parameters than now is
    /// replaced. The account of a right password may still be barred from signing in: the
    /// caller reads its standing.
    pub async fn check_password(
        &self,
        email: &str,
        account_id: Option<&str>,
        password: &str,
        ip: &str,
        now: i64,
    ) -> Result<Checked<Account>> {
        self.counted(Factor::Password, email, ip, "", now, async || {
            // Over-long input is simply wrong: no account has it, and it is never hashed.
            let plausible =
                email.chars().count() <= MAX_EMAIL_CHARS && password.chars().count() <= MAX_LENGTH;
            if !plausible {
                return Ok(Check::Wrong { account_id: None });
            }
            let account = match account_id {
                Some(id) => self.db.accounts().find(id).await?,
                None => self.db.accounts().find_by_email(email).await?,
            };
            let stored = account.as_ref().map(|a| a.password_hash.as_str());
            let verification = self.passwords.verify(password, stored).await?;
            match account {
                Some(account) if verification.matches => {
                    // A barred account's hash is left as it is: nothing of its sign-in is kept.
                    if verification.needs_rehash && account.standing.barrier().is_none() {
                        let hash = self.passwords.hash(password).await?;
                        self.db
                            .accounts()
                            .set_password_hash(&account.id, &hash, now)
                            .await?;
                    }
                    Ok(Check::Right(account))
                }
                account => Ok(Check::Wrong {
                    account_id: account.map(|a| a.id),
                }),
            }
        })
        .await
    }

    /// Checks an authenticator code as sign-in does: each code used once (the step is recorded
    /// atomically, RFC 6238 §5.2).
    pub async fn check_app_code(
        &self,
        email: &str,
        account_id: &str,
        code: &str,
        ip: &str,
        now: i64,
    ) -> Result<Checked<Account>> {
        self.counted(Factor::AuthenticatorCode, email, ip, "", now, async || {
            let Some(account) = self.db.accounts().find(account_id).await? else {
                return Ok(Check::Gone);
            };
            if self.accept_app_code(&account, code, now).await? {
                Ok(Check::Right(account))
            } else {
                Ok(Check::Wrong {
                    account_id: Some(account.id),
                })
            }
        })
        .await
    }

    /// Whether `code` is the account's app's code now, not used before; it is used up if so.
    pub async fn accept_app_code(&self, account: &Account, code: &str, now: i64) -> Result<bool> {
        let step = account
            .totp_secret
            .as_deref()
            .and_then(|secret| totp::matching_step(secret, code, now));
        match step {
            Some(step) => Ok(self
                .db
                .accounts()
                .accept_totp_step(&account.id, step, now)
                .await?),
            None => Ok(false),
        }
    }

    /// A finished sign-in: in the audit log, and the address remembered for the throttle.
    pub async fn record_sign_in(
        &self,
        account_id: &str,
        email: &str,
        ip: &str,
        now: i64,
    ) -> Result<()> {
        self.db
            .audit()
            .record(
                &AuditEvent::new(AuditKind::SignedIn, Some(account_id), now)
                    .from_ip(Some(ip.to_owned())),
            )
            .await?;
        ::metrics::counter!(crate::metrics::SIGN_INS).increment(1);
        self.throttle().remember_address(email, ip).await
    }
}
