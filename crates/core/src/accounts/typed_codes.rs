//! A code the citizen typed, read as the pages' fields read it: an emailed code (creating an
//! account, a recovery, a new email address), or the first code of a new authenticator app.
//! The messages are the ones shown beside the field.

use super::email_code::{CodeCheck, PendingCode};
use super::totp;
use crate::error::Result;
use one_login_store::ephemeral::EphemeralStore;

/// What an emailed code typed by the citizen turned out to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EmailedCode {
    Right,
    /// Not right (or not a code): the message to show beside the field.
    Wrong(&'static str),
    /// Too many wrong tries, or used already: a new code is needed.
    Void,
}

/// Checks a code the citizen typed against the one emailed (`PendingCode::check`: counted
/// first, single use, 5 tries).
pub async fn check_emailed_code(
    store: &dyn EphemeralStore,
    pending: &PendingCode,
    typed: &str,
    now: i64,
) -> Result<EmailedCode> {
    let code = totp::clean_code(typed);
    if code.is_empty() {
        return Ok(EmailedCode::Wrong("Enter the code"));
    }
    if !totp::is_well_formed(&code) {
        return Ok(EmailedCode::Wrong("Enter the code, which is 6 digits"));
    }
    Ok(match pending.check(store, &code, now).await? {
        CodeCheck::Correct => EmailedCode::Right,
        CodeCheck::Wrong { tries_left } if tries_left <= 2 => {
            EmailedCode::Wrong(if tries_left == 1 {
                "The code you entered is not correct. You have 1 more try before the code stops working"
            } else {
                "The code you entered is not correct. You have 2 more tries before the code stops working"
            })
        }
        CodeCheck::Wrong { .. } => {
            EmailedCode::Wrong("The code you entered is not correct. Check the email and try again")
        }
        CodeCheck::Expired => EmailedCode::Wrong("The code has expired. Ask for a new code"),
        CodeCheck::Exhausted => EmailedCode::Void,
    })
}

/// The message for a code that is not even the shape of an authenticator app's code, if any.
pub fn app_code_problem(code: &str) -> Option<&'static str> {
    let code = totp::clean_code(code);
    if code.is_empty() {
        Some("Enter the security code")
    } else if !totp::is_well_formed(&code) {
        Some("Enter the security code, which is 6 digits")
    } else {
        None
    }
}

/// The message for a wrong first code of a new app, as creating an account and recovery say it.
pub const WRONG_NEW_APP_CODE: &str = "The security code is not correct. Check your authenticator app and enter the code it shows now";

/// The time step of a new app's first code, or the message for a code that is not right (with
/// `wrong` for a well-formed code that is not the app's): the code that confirms the app is set
/// up.
pub fn new_app_step(
    secret: &str,
    code: &str,
    now: i64,
    wrong: &'static str,
) -> Result<i64, &'static str> {
    match app_code_problem(code) {
        Some(problem) => Err(problem),
        None => totp::matching_step(secret, code, now).ok_or(wrong),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_app_code_format() {
        assert_eq!(app_code_problem(" "), Some("Enter the security code"));
        assert_eq!(
            app_code_problem("12 34"),
            Some("Enter the security code, which is 6 digits")
        );
        assert_eq!(app_code_problem("123 456"), None);
    }

    #[test]
    fn a_new_apps_first_code_gives_its_step() {
        let secret = totp::new_secret();
        let now = 1_767_366_240;
        let code = totp::code_at(&secret, now).unwrap_or_default();
        assert_eq!(new_app_step(&secret, &code, now, "wrong"), Ok(now / 30));
        assert_eq!(
            new_app_step(&secret, "", now, "wrong"),
            Err("Enter the security code")
        );
        let other = if code == "000000" { "000001" } else { "000000" };
        assert_eq!(new_app_step(&secret, other, now, "wrong"), Err("wrong"));
    }
}
