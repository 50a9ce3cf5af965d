//! Getting back into an account (issue 10 items 1 and 2): a forgotten password, or a lost
//! authenticator app. The steps, where each one's page is, and the limit on codes emailed to
//! one address. The pages in `web::pages::recovery` follow these rules.
//!
//! Neither journey ever lowers what signing in needs: a reset password is confirmed with the
//! authenticator app, and a new app needs the password, the inbox and, for an account holding a
//! proven identity, that identity proven again by the same person.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::email_code::{self, PendingCode};
use super::emails;
use super::services::AccountServices;
use crate::error::Result;
use one_login_store::ephemeral::EphemeralStore;
use one_login_store::{AuditEvent, AuditKind, normalise_email};

/// Which journey.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Purpose {
    ForgottenPassword,
    LostAuthenticatorApp,
}

impl Purpose {
    /// Where the journey starts: its first page, and every page's path prefix.
    pub fn start(self) -> &'static str {
        match self {
            Purpose::ForgottenPassword => "/reset-password",
            Purpose::LostAuthenticatorApp => "/lost-authenticator-app",
        }
    }
}

/// A recovery journey in progress, kept in the citizen's session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recovery {
    pub purpose: Purpose,
    pub email: String,
    pub step: Step,
}

/// Where a recovery journey stands. Every step after the emailed code names the account: the
/// code was only ever sent to an address with one.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Step {
    /// A code was emailed (or, for an address without an account, an unguessable one kept).
    CheckEmail(PendingCode),
    /// Forgotten password: choose a new one.
    NewPassword { account_id: String },
    /// Forgotten password: the authenticator app's code confirms the reset. The new password's
    /// hash waits here and is written only then: a reset never skips the second factor.
    ConfirmWithApp {
        account_id: String,
        password_hash: String,
    },
    /// Lost app: the account's current password.
    Password { account_id: String },
    /// Lost app, account with a proven identity: a photo ID check of the same person.
    ProveIdentity { account_id: String },
    /// Lost app: set up the new app.
    NewApp {
        account_id: String,
        totp_secret: String,
    },
}

impl std::fmt::Debug for Step {
    // The waiting hash and the new app's secret stay out of logs.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl Step {
    fn name(&self) -> &'static str {
        match self {
            Step::CheckEmail(_) => "CheckEmail",
            Step::NewPassword { .. } => "NewPassword",
            Step::ConfirmWithApp { .. } => "ConfirmWithApp",
            Step::Password { .. } => "Password",
            Step::ProveIdentity { .. } => "ProveIdentity",
            Step::NewApp { .. } => "NewApp",
        }
    }

    /// The page of this step, under the journey's start.
    pub fn page(&self) -> &'static str {
        match self {
            Step::CheckEmail(_) => "check-email",
            Step::NewPassword { .. } => "new-password",
            Step::ConfirmWithApp { .. } => "authenticator-code",
            Step::Password { .. } => "password",
            Step::ProveIdentity { .. } => "passport",
            Step::NewApp { .. } => "authenticator-app",
        }
    }
}

impl Recovery {
    /// The path of the page the journey is at.
    pub fn current_page(&self) -> String {
        format!("{}/{}", self.purpose.start(), self.step.page())
    }

    /// The step after the emailed code was right.
    pub fn after_code(purpose: Purpose, account_id: String) -> Step {
        match purpose {
            Purpose::ForgottenPassword => Step::NewPassword { account_id },
            Purpose::LostAuthenticatorApp => Step::Password { account_id },
        }
    }

    /// The step after the right password, when the app is lost: an account holding a proven
    /// identity proves it again first, so that the password and the inbox are not enough to
    /// take it over.
    pub fn after_password(account_id: String, proven_identity: bool, totp_secret: String) -> Step {
        if proven_identity {
            Step::ProveIdentity { account_id }
        } else {
            Step::NewApp {
                account_id,
                totp_secret,
            }
        }
    }
}

impl AccountServices<'_> {
    /// Starts a recovery journey for `email`: emails a code to an address with an account, a
    /// note that there is none to one without, and nothing once the address has had its share;
    /// the journey that follows looks the same in every case (ASVS 6.3.8).
    pub async fn start_recovery(
        &self,
        purpose: Purpose,
        email: String,
        ip: &str,
        now: i64,
    ) -> Result<Recovery> {
        let ttl = self.email_code_ttl();
        let account = self.db.accounts().find_by_email(&email).await?;
        let send = may_send_code(self.store, &email).await?;
        let pending = match (&account, send) {
            (Some(_), true) => {
                let (code, pending) = email_code::issue(now, ttl);
                let message = emails::recovery_code(self.language, purpose, &email, &code, ttl);
                self.mailer.send(message).await?;
                pending
            }
            (None, true) => {
                let message = emails::no_account(self.language, &email, &self.create_account_url);
                self.mailer.send(message).await?;
                email_code::unguessable(now, ttl)
            }
            (_, false) => {
                tracing::warn!(client = %ip, "recovery codes to one address limited");
                email_code::unguessable(now, ttl)
            }
        };
        // Recorded for an address without an account too (under no account): a run of those
        // is someone probing for accounts, and both answers then cost the same database write.
        if purpose == Purpose::ForgottenPassword {
            let account_id = account.as_ref().map(|a| a.id.as_str());
            let event = AuditEvent::new(AuditKind::PasswordResetRequested, account_id, now)
                .from_ip(Some(ip.to_owned()));
            self.db.audit().record(&event).await?;
        }
        Ok(Recovery {
            purpose,
            email,
            step: Step::CheckEmail(pending),
        })
    }
}

/// Codes emailed to one address within [`CODES_WINDOW`], for either journey: beyond it the
/// same page follows but no email is sent, so the journeys cannot be used to flood an inbox
/// (checklist 80: limits per address as well as per client address).
pub const MAX_CODES_PER_ADDRESS: u64 = 5;
pub const CODES_WINDOW: Duration = Duration::from_secs(3600);

/// The count of codes emailed to an address, in the short-lived store: a counter per
/// normalised address, forgotten [`CODES_WINDOW`] after its first code.
fn codes_sent_key(email: &str) -> String {
    format!("recovery-codes:{}", normalise_email(email))
}

/// Counts a code to be emailed to `email`; `false` when the address has had its share.
pub async fn may_send_code(store: &dyn EphemeralStore, email: &str) -> Result<bool> {
    let sent = store
        .increment(&codes_sent_key(email), CODES_WINDOW)
        .await?;
    Ok(sent <= MAX_CODES_PER_ADDRESS)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::accounts::email_code;
    use one_login_store::ephemeral::MemoryStore;

    #[test]
    fn each_step_has_its_page_under_its_journey() {
        let (_, pending) = email_code::issue(0, 900);
        let at = |purpose, step| Recovery {
            purpose,
            email: "ada@example.com".into(),
            step,
        };
        assert_eq!(
            at(
                Purpose::ForgottenPassword,
                Step::CheckEmail(pending.clone())
            )
            .current_page(),
            "/reset-password/check-email"
        );
        assert_eq!(
            at(Purpose::LostAuthenticatorApp, Step::CheckEmail(pending)).current_page(),
            "/lost-authenticator-app/check-email"
        );
        let next = Recovery::after_code(Purpose::ForgottenPassword, "a".into());
        assert_eq!(
            at(Purpose::ForgottenPassword, next).current_page(),
            "/reset-password/new-password"
        );
        let next = Recovery::after_code(Purpose::LostAuthenticatorApp, "a".into());
        assert_eq!(
            next,
            Step::Password {
                account_id: "a".into()
            }
        );
    }

    // Issue 10 item 2: a proven identity is proven again before a new app; without one, the app
    // is set up at once.
    #[test]
    fn a_proven_identity_is_proven_again_before_a_new_app() {
        assert_eq!(
            Recovery::after_password("a".into(), true, "SECRET".into()),
            Step::ProveIdentity {
                account_id: "a".into()
            }
        );
        assert_eq!(
            Recovery::after_password("a".into(), false, "SECRET".into()),
            Step::NewApp {
                account_id: "a".into(),
                totp_secret: "SECRET".into()
            }
        );
    }

    #[test]
    fn debug_shows_no_secret() {
        let step = Step::ConfirmWithApp {
            account_id: "a".into(),
            password_hash: "$argon2id$secret".into(),
        };
        assert_eq!(format!("{step:?}"), "ConfirmWithApp");
    }

    #[tokio::test]
    async fn codes_to_one_address_are_limited_whatever_its_spelling() {
        let store = MemoryStore::new(1 << 20);
        for _ in 0..MAX_CODES_PER_ADDRESS {
            assert!(may_send_code(&store, "ada@example.com").await.unwrap());
        }
        assert!(!may_send_code(&store, " ADA@example.com").await.unwrap());
        assert!(may_send_code(&store, "bob@example.com").await.unwrap());
    }

    // Replicas of the previous version count under the same key.
    #[tokio::test]
    async fn codes_are_counted_under_the_key_replicas_share() {
        let store = MemoryStore::new(1 << 20);
        for _ in 0..MAX_CODES_PER_ADDRESS {
            store
                .increment("recovery-codes:ada@example.com", CODES_WINDOW)
                .await
                .unwrap();
        }
        assert!(!may_send_code(&store, "Ada@Example.com").await.unwrap());
    }
}
