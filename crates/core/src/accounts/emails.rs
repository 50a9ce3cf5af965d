//! The emails the account journeys send, in our words and in the language of the page that
//! sent them (the catalogues' `email-` keys). A code goes in the body only: subjects show in
//! notifications, lock screens and mail logs (issue 11.9). Never a password.

use crate::i18n::{FluentValue, Language};
use crate::mail::Email;

use super::recovery::Purpose;

fn email(to: &str, subject: String, body: String) -> Email {
    Email {
        to: to.to_owned(),
        subject,
        body: body + "\n",
    }
}

/// A code's email: the code and how long it lasts.
fn code_email(language: Language, to: &str, body_key: &str, code: &str, ttl_seconds: i64) -> Email {
    email(
        to,
        language.text("email-code-subject"),
        language.text_with(
            body_key,
            &[
                ("code", FluentValue::from(code)),
                ("minutes", FluentValue::from(ttl_seconds / 60)),
            ],
        ),
    )
}

/// The code that starts a new account.
pub fn sign_up_code(language: Language, to: &str, code: &str, ttl_seconds: i64) -> Email {
    code_email(language, to, "email-sign-up-code", code, ttl_seconds)
}

/// Sent instead of a code to an address that already has an account: the page is the same.
pub fn account_exists(language: Language, to: &str, sign_in_url: &str) -> Email {
    email(
        to,
        language.text("email-account-exists-subject"),
        language.text_with("email-account-exists", &[("url", sign_in_url.into())]),
    )
}

/// The code of a recovery journey.
pub fn recovery_code(
    language: Language,
    purpose: Purpose,
    to: &str,
    code: &str,
    ttl_seconds: i64,
) -> Email {
    let key = match purpose {
        Purpose::ForgottenPassword => "email-reset-password-code",
        Purpose::LostAuthenticatorApp => "email-new-app-code",
    };
    code_email(language, to, key, code, ttl_seconds)
}

/// Sent instead of a recovery code to an address without an account: the page is the same.
pub fn no_account(language: Language, to: &str, create_url: &str) -> Email {
    email(
        to,
        language.text("email-no-account-subject"),
        language.text_with("email-no-account", &[("url", create_url.into())]),
    )
}

/// What a recovery replaced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recovered {
    Password,
    AuthenticatorApp,
}

/// After a recovery: tells the citizen what changed, and what to do if it was not them.
pub fn recovered(language: Language, to: &str, what: Recovered, now: i64) -> Email {
    let (subject, body) = match what {
        Recovered::Password => ("email-password-reset-subject", "email-password-reset"),
        Recovered::AuthenticatorApp => ("email-app-replaced-subject", "email-app-replaced"),
    };
    email(
        to,
        language.text(subject),
        language.text_with(body, &[("when", language.date_time(now).into())]),
    )
}

/// What was done to one of the account's passkeys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasskeyChange {
    Added,
    Removed,
}

/// After a passkey is added or removed: which one (by the name the citizen gave it), when, and
/// what to do if it was not them. A passkey signs in on its own, so a stranger's would be
/// worth as much to them as the password and the app together.
pub fn passkey_changed(
    language: Language,
    to: &str,
    change: PasskeyChange,
    name: &str,
    now: i64,
) -> Email {
    let (subject, body) = match change {
        PasskeyChange::Added => ("email-passkey-added-subject", "email-passkey-added"),
        PasskeyChange::Removed => ("email-passkey-removed-subject", "email-passkey-removed"),
    };
    email(
        to,
        language.text(subject),
        language.text_with(
            body,
            &[
                ("name", name.into()),
                ("when", language.date_time(now).into()),
            ],
        ),
    )
}

/// After a change on the account pages: what changed (the rules' English, found in the
/// catalogues), and what to do if it was not them.
pub fn notice(language: Language, to: &str, subject: &str, what: &str, now: i64) -> Email {
    email(
        to,
        language.from_english(subject),
        language.text_with(
            "email-notice",
            &[
                ("what", language.from_english(what).into()),
                ("when", language.date_time(now).into()),
            ],
        ),
    )
}

/// The code that proves a new address is the citizen's.
pub fn new_address_code(language: Language, to: &str, code: &str, ttl_seconds: i64) -> Email {
    code_email(language, to, "email-new-address-code", code, ttl_seconds)
}

/// Sent instead of a code to a new address that has its own account: the page is the same.
pub fn address_taken(language: Language, to: &str) -> Email {
    email(
        to,
        language.text("email-address-taken-subject"),
        language.text("email-address-taken"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    // Issue 11.9: a code never appears in an email subject.
    #[test]
    fn the_code_is_in_the_body_never_the_subject() {
        let email = sign_up_code(Language::En, "ada@example.com", "493817", 900);
        assert!(!email.subject.contains("493817"), "{}", email.subject);
        assert!(email.body.contains("\n\n493817\n\n"), "{}", email.body);
        assert!(email.body.contains("15 minutes"), "{}", email.body);
    }

    // Issue 11.9: a code never appears in an email subject.
    #[test]
    fn codes_are_in_the_body_never_the_subject() {
        for purpose in [Purpose::ForgottenPassword, Purpose::LostAuthenticatorApp] {
            let email = recovery_code(Language::En, purpose, "ada@example.com", "493817", 900);
            assert!(!email.subject.contains("493817"), "{}", email.subject);
            assert!(email.body.contains("\n\n493817\n\n"), "{}", email.body);
            assert!(email.body.contains("15 minutes"), "{}", email.body);
        }
        let email = new_address_code(Language::En, "ada@example.com", "493817", 900);
        assert!(!email.subject.contains("493817"), "{}", email.subject);
        assert!(email.body.contains("\n\n493817\n\n"), "{}", email.body);
    }

    #[test]
    fn the_change_email_says_what_and_when() {
        let email = recovered(
            Language::En,
            "ada@example.com",
            Recovered::Password,
            1_767_366_240,
        );
        assert_eq!(email.subject, "Your GOV.UK One Login password was changed");
        assert!(
            email.body.contains("2 January 2026 at 3:04pm"),
            "{}",
            email.body
        );
    }

    #[test]
    fn a_passkey_email_names_the_passkey_in_either_language() {
        let at = 1_767_366_240;
        let added = passkey_changed(Language::En, "a@b.c", PasskeyChange::Added, "My phone", at);
        assert_eq!(
            added.subject,
            "A passkey was added to your GOV.UK One Login"
        );
        assert!(added.body.contains("“My phone”"), "{}", added.body);
        assert!(
            added.body.contains("2 January 2026 at 3:04pm"),
            "{}",
            added.body
        );
        let removed = passkey_changed(Language::Cy, "a@b.c", PasskeyChange::Removed, "Fy ffôn", at);
        assert!(
            removed.subject.starts_with("Mae allwedd mynediad"),
            "{}",
            removed.subject
        );
        assert!(removed.body.contains("“Fy ffôn”"), "{}", removed.body);
        assert!(removed.body.contains("2 Ionawr 2026"), "{}", removed.body);
    }

    #[test]
    fn welsh_email_keeps_the_code_and_its_lifetime() {
        let email = sign_up_code(Language::Cy, "ada@example.com", "093817", 900);
        assert_eq!(email.subject, "Eich cod diogelwch GOV.UK One Login");
        assert!(email.body.contains("\n\n093817\n\n"), "{}", email.body);
        assert!(email.body.contains("15 munud"), "{}", email.body);
        let english = sign_up_code(Language::En, "ada@example.com", "093817", 900);
        assert!(english.body.starts_with("Your code to create a GOV.UK One Login is:\n\n093817\n\nThe code expires in 15 minutes.\n\n"), "{}", english.body);
    }
}
