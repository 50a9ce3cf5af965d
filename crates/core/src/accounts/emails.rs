//! The emails the account journeys send, in our words. A code goes in the body only: subjects
//! show in notifications, lock screens and mail logs (issue 11.9). Never a password.

use crate::clock::format_time;
use crate::mail::Email;

use super::recovery::Purpose;

/// The code that starts a new account.
pub fn sign_up_code(to: &str, code: &str, ttl_seconds: i64) -> Email {
    Email {
        to: to.to_owned(),
        subject: "Your GOV.UK One Login security code".to_owned(),
        body: format!(
            "Your code to create a GOV.UK One Login is:\n\n{code}\n\nThe code expires in {} minutes.\n\n\
             If you did not ask for this code, you can ignore this email. Do not share the code with anyone.\n",
            ttl_seconds / 60
        ),
    }
}

/// Sent instead of a code to an address that already has an account: the page is the same.
pub fn account_exists(to: &str, sign_in_url: &str) -> Email {
    Email {
        to: to.to_owned(),
        subject: "You already have a GOV.UK One Login".to_owned(),
        body: format!(
            "Someone tried to create a GOV.UK One Login with this email address, but you already have one.\n\n\
             To sign in, go to {sign_in_url}\n\nIf this was not you, you do not need to do anything.\n"
        ),
    }
}

/// The code of a recovery journey.
pub fn recovery_code(purpose: Purpose, to: &str, code: &str, ttl_seconds: i64) -> Email {
    let what = match purpose {
        Purpose::ForgottenPassword => "reset the password of your GOV.UK One Login",
        Purpose::LostAuthenticatorApp => "set up a new authenticator app for your GOV.UK One Login",
    };
    Email {
        to: to.to_owned(),
        subject: "Your GOV.UK One Login security code".to_owned(),
        body: format!(
            "Your code to {what} is:\n\n{code}\n\nThe code expires in {} minutes.\n\n\
             If you did not ask for this code, someone may have typed your email address by mistake: \
             you do not need to do anything. Do not share the code with anyone.\n",
            ttl_seconds / 60
        ),
    }
}

/// Sent instead of a recovery code to an address without an account: the page is the same.
pub fn no_account(to: &str, create_url: &str) -> Email {
    Email {
        to: to.to_owned(),
        subject: "GOV.UK One Login: no account for this email address".to_owned(),
        body: format!(
            "Someone asked to get back into a GOV.UK One Login with this email address, but there is no \
             GOV.UK One Login for it.\n\nIf you use another email address to sign in, try again with that one. \
             To create a GOV.UK One Login, go to {create_url}\n\nIf this was not you, you do not need to do anything.\n"
        ),
    }
}

/// After a recovery: tells the citizen what changed, and what to do if it was not them.
pub fn recovered(to: &str, what: &str, now: i64) -> Email {
    Email {
        to: to.to_owned(),
        subject: format!("Your GOV.UK One Login {what} was changed"),
        body: format!(
            "The {what} of your GOV.UK One Login was changed on {} (UTC).\n\n\
             For your security, you were signed out everywhere else, and services you use will ask you to sign in again.\n\n\
             If you did not do this, someone else may know your password and be able to read your email: \
             change the password of your email account, then reset your GOV.UK One Login password.\n",
            format_time(now)
        ),
    }
}

/// After a change on the account pages: what changed, in our words.
pub fn notice(to: &str, subject: &str, what: &str, now: i64) -> Email {
    Email {
        to: to.to_owned(),
        subject: subject.to_owned(),
        body: format!(
            "{what}\n\nThis happened on {} (UTC).\n\n\
             If this was not you, someone else may be using your GOV.UK One Login. Sign in and \
             change your password, or contact the GOV.UK One Login team.\n",
            format_time(now)
        ),
    }
}

/// The code that proves a new address is the citizen's.
pub fn new_address_code(to: &str, code: &str, ttl_seconds: i64) -> Email {
    Email {
        to: to.to_owned(),
        subject: "Your GOV.UK One Login security code".to_owned(),
        body: format!(
            "Your code to make this the email address of your GOV.UK One Login is:\n\n{code}\n\n\
             The code expires in {} minutes.\n\n\
             If you did not ask for this, you can ignore this email. Do not share the code with anyone.\n",
            ttl_seconds / 60
        ),
    }
}

/// Sent instead of a code to a new address that has its own account: the page is the same.
pub fn address_taken(to: &str) -> Email {
    Email {
        to: to.to_owned(),
        subject: "This email address already has a GOV.UK One Login".to_owned(),
        body: "Someone asked to move another GOV.UK One Login to this email address, but this \
               address already has its own GOV.UK One Login, so it cannot be used.\n\n\
               If this was not you, you do not need to do anything.\n"
            .to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Issue 11.9: a code never appears in an email subject.
    #[test]
    fn the_code_is_in_the_body_never_the_subject() {
        let email = sign_up_code("ada@example.com", "493817", 900);
        assert!(!email.subject.contains("493817"), "{}", email.subject);
        assert!(email.body.contains("\n\n493817\n\n"), "{}", email.body);
        assert!(email.body.contains("15 minutes"), "{}", email.body);
    }

    // Issue 11.9: a code never appears in an email subject.
    #[test]
    fn codes_are_in_the_body_never_the_subject() {
        for purpose in [Purpose::ForgottenPassword, Purpose::LostAuthenticatorApp] {
            let email = recovery_code(purpose, "ada@example.com", "493817", 900);
            assert!(!email.subject.contains("493817"), "{}", email.subject);
            assert!(email.body.contains("\n\n493817\n\n"), "{}", email.body);
            assert!(email.body.contains("15 minutes"), "{}", email.body);
        }
        let email = new_address_code("ada@example.com", "493817", 900);
        assert!(!email.subject.contains("493817"), "{}", email.subject);
        assert!(email.body.contains("\n\n493817\n\n"), "{}", email.body);
    }

    #[test]
    fn the_change_email_says_what_and_when() {
        let email = recovered("ada@example.com", "password", 1_767_366_240);
        assert_eq!(email.subject, "Your GOV.UK One Login password was changed");
        assert!(
            email.body.contains("2 January 2026 at 3:04pm"),
            "{}",
            email.body
        );
    }
}
