//! The rules of changing a signed-in account (issue 10 items 3-5): when the password must be
//! given again, where the citizen goes once it is, and each change with what must follow it
//! (the audit log, the end of every other session, an email). A recovery journey's new password
//! or app is the same kind of change (`replace_credential`).

use super::email_code::PendingCode;
use super::emails;
use super::services::AccountServices;
use super::sign_in::{Check, Checked};
use super::throttle::Factor;
use crate::error::Result;
use crate::i18n::Language;
use crate::limits::RouteKind;
use crate::sessions::{Authentication, SessionId};
use one_login_store::error::{Error as StoreError, Refusal};
use one_login_store::{Account, AuditEvent, AuditKind, RecordedEvent, normalise_email};

/// A change to the email address or the authenticator app asks for the password again when
/// the last sign-in is older than this (ASVS 7.5.3: re-authentication before sensitive
/// changes; SP 800-63B §4.2.3 calls 15 minutes a reasonable inactivity bound at AAL2).
pub const FRESH_SIGN_IN_MS: i64 = 15 * 60 * 1000;

/// Whether the citizen must give the password again before changing their account.
pub fn needs_password_again(auth: &Authentication, now_ms: i64) -> bool {
    now_ms - auth.authenticated_at_ms() > FRESH_SIGN_IN_MS
}

/// The account pages the password page may send the citizen back to: named, never taken from
/// the request as is, so the page cannot be made an open redirect (RFC 9700 §4.11).
pub const RETURN_PAGES: [&str; 4] = [
    "/account/change-email",
    "/account/change-authenticator-app",
    "/account/passkeys",
    "/account",
];

/// The page to go back to after giving the password again: `next` if it is one of
/// [`RETURN_PAGES`], else the account page.
pub fn return_page(next: &str) -> &'static str {
    RETURN_PAGES
        .iter()
        .find(|page| **page == next)
        .copied()
        .unwrap_or("/account")
}

/// The address to change to, if it differs from the current one (compared as stored: trimmed
/// and lower-cased).
pub fn is_a_new_address(current: &str, new: &str) -> bool {
    one_login_store::normalise_email(current) != one_login_store::normalise_email(new)
}

/// Where a wrong answer on the account pages was typed, for investigators.
const ON_ACCOUNT_PAGES: &str = " on the account pages";

/// A new way to sign in: a password (its hash), or an authenticator app and its first step.
#[derive(Clone, Copy)]
pub enum Credential<'a> {
    Password { hash: &'a str },
    App { secret: &'a str, step: i64 },
}

/// Who replaces a credential: the citizen on the account pages, knowing the current one, or a
/// recovery journey, in place of one that is forgotten or lost.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Replaced {
    Changed,
    Recovered,
}

impl AccountServices<'_> {
    /// The account's current password given again on an account page, counted with the
    /// sign-in throttle so these pages give a guesser no more tries than signing in does.
    pub async fn confirm_password(
        &self,
        account: &Account,
        given: &str,
        ip: &str,
        now: i64,
    ) -> Result<Checked<()>> {
        let check = async || {
            let verified = self
                .passwords
                .verify(given, Some(&account.password_hash))
                .await?;
            Ok(right_or_wrong(verified.matches, account))
        };
        let (email, place) = (&account.email, ON_ACCOUNT_PAGES);
        self.counted(Factor::Password, email, ip, place, now, check)
            .await
    }

    /// A code of the account's current app given on an account page, counted the same way.
    pub async fn confirm_app_code(
        &self,
        account: &Account,
        code: &str,
        ip: &str,
        now: i64,
    ) -> Result<Checked<()>> {
        let check = async || {
            let accepted = self.accept_app_code(account, code, now).await?;
            Ok(right_or_wrong(accepted, account))
        };
        let (email, place) = (&account.email, ON_ACCOUNT_PAGES);
        self.counted(Factor::AuthenticatorCode, email, ip, place, now, check)
            .await
    }

    /// Emails a code to the address the citizen wants to move to, or, when it has an account
    /// of its own, a note saying so: the next page is the same either way, so only the
    /// address's owner learns which (ASVS 6.3.8). Codes to one address are limited too, so the
    /// account pages cannot be used to flood someone's inbox.
    pub async fn send_new_address_code(&self, email: &str, now: i64) -> Result<PendingCode> {
        let limited_as = format!("new-email:{}", normalise_email(email));
        self.rate_limiter
            .admit(self.store, RouteKind::Forms, &limited_as, now)
            .await?;
        let taken = emails::address_taken(self.language, email);
        self.code_unless_taken(email, now, taken, emails::new_address_code)
            .await
    }

    /// Moves the account to `email`, its code given. Other sessions, and the services' grants,
    /// carry the old address (the ID token and userinfo `email`): they end, and the services
    /// ask again and get the new one. `false` when another account took the address meanwhile.
    pub async fn change_email(
        &self,
        account: &Account,
        email: &str,
        keep: Option<&SessionId>,
        ip: &str,
        now_ms: i64,
    ) -> Result<bool> {
        let now = now_ms.div_euclid(1000);
        let changed = AuditEvent::new(AuditKind::EmailChanged, Some(&account.id), now)
            .from_ip(Some(ip.to_owned()));
        match self
            .db
            .accounts()
            .change_email(&account.id, email, &changed)
            .await
        {
            Ok(()) => {}
            Err(StoreError::Refused(Refusal::EmailTaken)) => return Ok(false),
            Err(e) => return Err(e.into()),
        }
        tracing::info!(account = %account.id, "email address changed");
        self.access.end_all(&account.id, keep, now_ms).await?;
        self.mailer
            .send(emails::notice(
                self.language,
                &account.email,
                "Your GOV.UK One Login email address has changed",
                "The email address of your GOV.UK One Login was changed. We will not send email to this address any more.",
                now,
            ))
            .await?;
        self.mailer
            .send(emails::notice(
                self.language,
                email,
                "This is now your GOV.UK One Login email address",
                "You now sign in to GOV.UK One Login with this email address.",
                now,
            ))
            .await?;
        Ok(true)
    }

    /// Writes a new password or app; whoever knew the old one loses every session and token
    /// but `keep` (checklist 32, ASVS 7.4.3), and the citizen is told by email.
    pub async fn replace_credential(
        &self,
        account: &Account,
        new: Credential<'_>,
        by: Replaced,
        keep: Option<&SessionId>,
        ip: &str,
        now_ms: i64,
    ) -> Result<()> {
        let now = now_ms.div_euclid(1000);
        let accounts = self.db.accounts();
        match new {
            Credential::Password { hash } => {
                accounts.set_password_hash(&account.id, hash, now).await?
            }
            Credential::App { secret, step } => {
                accounts
                    .replace_totp_secret(&account.id, secret, step, now)
                    .await?
            }
        }
        let (kind, done, email) = replacement_notice(self.language, account, new, by, now);
        let event = AuditEvent::new(kind, Some(&account.id), now).from_ip(Some(ip.to_owned()));
        if by == Replaced::Recovered {
            // A recovery's record says how many sessions it ended, so it ends them first. A
            // passkey signs in on its own (`Cl.Cm`): one added by whoever took the account
            // would outlive the new credential, so every passkey goes too.
            self.remove_passkeys(&account.id, ip, now).await?;
            let ended = self.access.end_all(&account.id, keep, now_ms).await?;
            let event = event.with_detail(format!("{} other sessions ended", ended.sessions));
            self.db.audit().record(&event).await?;
            tracing::info!(account = %account.id, "{done}");
        } else {
            self.db.audit().record(&event).await?;
            tracing::info!(account = %account.id, "{done}");
            self.access.end_all(&account.id, keep, now_ms).await?;
        }
        self.mailer.send(email).await
    }

    /// A required new password (an operator's intervention), chosen: every other session of the
    /// account ends (ASVS 7.4.3). `false` when it was chosen meanwhile in another browser; this
    /// one's password is not written over it.
    pub async fn renew_password(
        &self,
        account: &Account,
        hash: &str,
        keep: Option<&SessionId>,
        ip: &str,
        now_ms: i64,
    ) -> Result<bool> {
        let now = now_ms.div_euclid(1000);
        let renewed = AuditEvent::new(AuditKind::PasswordRenewed, Some(&account.id), now)
            .from_ip(Some(ip.to_owned()));
        if !self
            .db
            .accounts()
            .renew_password(&account.id, hash, &renewed)
            .await?
        {
            return Ok(false);
        }
        self.access.end_all(&account.id, keep, now_ms).await?;
        tracing::info!(account = %account.id, "required new password chosen");
        Ok(true)
    }

    /// The account's own audit event numbered `event`; `None` for anything else.
    pub async fn reported_event(
        &self,
        account_id: &str,
        event: &str,
    ) -> Result<Option<RecordedEvent>> {
        let Ok(id) = event.parse::<i64>() else {
            return Ok(None);
        };
        Ok(self.db.audit().event(account_id, id).await?)
    }

    /// Activity the citizen does not recognise: every other session and every token ends. The
    /// session in use (`keep`) is kept: the citizen goes straight on to change the password,
    /// before anyone who knows the old one can sign in again.
    pub async fn report(
        &self,
        account_id: &str,
        event: &RecordedEvent,
        keep: Option<&SessionId>,
        ip: &str,
        now_ms: i64,
    ) -> Result<()> {
        self.access.end_all(account_id, keep, now_ms).await?;
        // A passkey the citizen did not add would sign its holder straight back in.
        self.remove_passkeys(account_id, ip, now_ms.div_euclid(1000))
            .await?;
        let reported = AuditEvent::new(
            AuditKind::ActivityReported,
            Some(account_id),
            now_ms.div_euclid(1000),
        )
        .from_ip(Some(ip.to_owned()))
        .with_detail(format!("{} {}", event.id, event.kind.as_str()));
        self.db.audit().record(&reported).await?;
        tracing::warn!(account = %account_id, event = event.id, "activity reported as not recognised");
        Ok(())
    }

    /// Removes every passkey of the account (recorded when there were any).
    async fn remove_passkeys(&self, account_id: &str, ip: &str, now: i64) -> Result<()> {
        let removed = AuditEvent::new(AuditKind::PasskeyRemoved, Some(account_id), now)
            .from_ip(Some(ip.to_owned()));
        let count = self.db.passkeys().remove_all(account_id, &removed).await?;
        if count > 0 {
            tracing::warn!(account = %account_id, count, "every passkey of the account removed");
        }
        Ok(())
    }

    /// Closes the account (`closure::close`) and tells the citizen.
    pub async fn close(&self, account: &Account, now_ms: i64) -> Result<()> {
        super::closure::close(&self.access, &account.id, now_ms).await?;
        self.mailer
            .send(emails::notice(
                self.language,
                &account.email,
                "Your GOV.UK One Login is closed",
                "Your GOV.UK One Login was closed and its details deleted.",
                now_ms.div_euclid(1000),
            ))
            .await
    }
}

fn right_or_wrong(right: bool, account: &Account) -> Check<()> {
    if right {
        Check::Right(())
    } else {
        Check::Wrong {
            account_id: Some(account.id.clone()),
        }
    }
}

/// The audit kind, the log line and the email of a replaced credential.
fn replacement_notice(
    language: Language,
    account: &Account,
    new: Credential<'_>,
    by: Replaced,
    now: i64,
) -> (AuditKind, &'static str, crate::mail::Email) {
    let to = &account.email;
    match (new, by) {
        (Credential::Password { .. }, Replaced::Changed) => (
            AuditKind::PasswordChanged,
            "password changed",
            emails::notice(
                language,
                to,
                "Your GOV.UK One Login password has changed",
                "The password of your GOV.UK One Login was changed, and every other sign-in was ended.",
                now,
            ),
        ),
        (Credential::App { .. }, Replaced::Changed) => (
            AuditKind::AuthenticatorAppChanged,
            "authenticator app changed",
            emails::notice(
                language,
                to,
                "Your GOV.UK One Login authenticator app has changed",
                "A new authenticator app was set up for your GOV.UK One Login. The old app's codes no longer work, and every other sign-in was ended.",
                now,
            ),
        ),
        (Credential::Password { .. }, Replaced::Recovered) => (
            AuditKind::PasswordReset,
            "password reset",
            emails::recovered(language, to, emails::Recovered::Password, now),
        ),
        (Credential::App { .. }, Replaced::Recovered) => (
            AuditKind::AuthenticatorAppReplaced,
            "authenticator app replaced",
            emails::recovered(language, to, emails::Recovered::AuthenticatorApp, now),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sessions::CredentialLevel;

    fn signed_in_at(ms: i64) -> Authentication {
        Authentication {
            account_id: "a".into(),
            email: "a@example.com".into(),
            level: CredentialLevel::ClCm,
            auth_time: ms / 1000,
            auth_time_ms: Some(ms),
            amr: vec!["pwd".into(), "otp".into()],
            sid: "s".into(),
        }
    }

    #[test]
    fn password_again_after_fifteen_minutes() {
        let auth = signed_in_at(1_000_000);
        assert!(!needs_password_again(&auth, 1_000_000));
        assert!(!needs_password_again(&auth, 1_000_000 + FRESH_SIGN_IN_MS));
        assert!(needs_password_again(&auth, 1_000_001 + FRESH_SIGN_IN_MS));
    }

    #[test]
    fn only_named_pages_to_return_to() {
        assert_eq!(
            return_page("/account/change-email"),
            "/account/change-email"
        );
        assert_eq!(
            return_page("/account/change-authenticator-app"),
            "/account/change-authenticator-app"
        );
        for other in [
            "",
            "https://evil.example",
            "//evil.example",
            "/account/close",
            "/sign-in",
        ] {
            assert_eq!(return_page(other), "/account", "{other}");
        }
    }

    #[test]
    fn same_address_in_another_case_is_not_new() {
        assert!(!is_a_new_address("Ada@Example.com", " ada@example.com"));
        assert!(is_a_new_address("ada@example.com", "ada.l@example.com"));
    }
}
