//! What the account rules need of the provider, borrowed together: its stores, its password
//! hasher, its mailer and its limits. The pages build one from their state
//! (`AppState::account_services`) and call the rules on it; the rules never see a request.

use super::access::AccountAccess;
use super::password::PasswordHasher;
use super::throttle::Throttle;
use crate::config::SignInConfig;
use crate::i18n::Language;
use crate::limits::RateLimiter;
use crate::mail::Mailer;
use one_login_store::Database;
use one_login_store::ephemeral::EphemeralStore;

pub struct AccountServices<'a> {
    pub db: &'a Database,
    pub store: &'a dyn EphemeralStore,
    pub passwords: &'a PasswordHasher,
    pub mailer: &'a dyn Mailer,
    pub sign_in: &'a SignInConfig,
    pub rate_limiter: &'a RateLimiter,
    /// What ends an account's access (sessions, grants, tokens).
    pub access: AccountAccess<'a>,
    /// The create-account page's address, named in the email to an address without an account.
    pub create_account_url: String,
    /// The sign-in page's address, named in the email to an address that has an account.
    pub sign_in_url: String,
    /// The language of the page the citizen is on: the emails these rules send are in it.
    pub language: Language,
}

impl AccountServices<'_> {
    /// The sign-in throttle, shared by every page that checks a password or an app code.
    pub fn throttle(&self) -> Throttle<'_> {
        Throttle::new(self.store, self.sign_in)
    }

    /// How long an emailed code stays valid, in seconds.
    pub fn email_code_ttl(&self) -> i64 {
        self.sign_in.email_code_ttl.as_secs() as i64
    }
}
