//! Creating an account: the code that proves the email address, then the account written
//! whole, with its password and app, only once every step is done.

use super::email_code::{self, PendingCode};
use super::emails;
use super::services::AccountServices;
use crate::error::Result;
use crate::i18n::Language;
use crate::mail::Email;
use one_login_store::error::{Error as StoreError, Refusal};
use one_login_store::{Account, AuditEvent, AuditKind, NewAccount};

impl AccountServices<'_> {
    /// Emails the code that starts an account, or, to an address that has one, a note saying
    /// so: the page that follows is the same, and only the address's owner reads which (ASVS
    /// 6.3.8: no account enumeration at sign-up).
    pub async fn send_sign_up_code(&self, email: &str, now: i64) -> Result<PendingCode> {
        let taken = emails::account_exists(self.language, email, &self.sign_in_url);
        self.code_unless_taken(email, now, taken, emails::sign_up_code)
            .await
    }

    /// Emails `email` a new code (in `code_email`), or, when the address has an account
    /// already, the note `taken` and keeps a code nobody can guess: what follows looks the same
    /// either way, so only the address's owner learns which.
    pub(super) async fn code_unless_taken(
        &self,
        email: &str,
        now: i64,
        taken: Email,
        code_email: fn(Language, &str, &str, i64) -> Email,
    ) -> Result<PendingCode> {
        let ttl = self.email_code_ttl();
        if self.db.accounts().find_by_email(email).await?.is_some() {
            self.mailer.send(taken).await?;
            return Ok(email_code::unguessable(now, ttl));
        }
        let (code, pending) = email_code::issue(now, ttl);
        self.mailer
            .send(code_email(self.language, email, &code, ttl))
            .await?;
        Ok(pending)
    }

    /// Writes the new account, with the app whose first code (at `step`) confirmed it; that code
    /// cannot also be used to sign in. `None` when another journey created an account for the
    /// address meanwhile.
    pub async fn create_account(
        &self,
        new: NewAccount,
        step: i64,
        ip: &str,
    ) -> Result<Option<Account>> {
        let now = new.now;
        let created =
            AuditEvent::new(AuditKind::AccountCreated, None, now).from_ip(Some(ip.to_owned()));
        let account = match self.db.accounts().create(new, created).await {
            Ok(account) => account,
            Err(StoreError::Refused(Refusal::EmailTaken)) => return Ok(None),
            Err(e) => return Err(e.into()),
        };
        self.db
            .accounts()
            .accept_totp_step(&account.id, step, now)
            .await?;
        tracing::info!(account = %account.id, "account created");
        Ok(Some(account))
    }
}
