//! Accounts: the rules of passwords, authenticator codes, emailed codes and the throttle on wrong
//! answers, as plain functions and small services. The pages in `web::pages` call these; they
//! never decide.

pub mod access;
pub mod changes;
pub mod closure;
pub mod email_code;
pub mod emails;
pub mod interventions;
pub mod passkeys;
pub mod password;
pub mod recovery;
pub mod services;
pub mod sign_in;
pub mod sign_up;
pub mod soft_authenticator;
pub mod throttle;
pub mod totp;
pub mod typed_codes;

pub use password::{
    FieldProblem, PasswordHasher, PasswordProblem, Verification, check_new_password,
    new_password_problems,
};
pub use services::AccountServices;
pub use sign_in::{Check, Checked};
pub use throttle::{Admission, Factor, FailureOutcome, SignInAttempt, Throttle};

/// Longest email address accepted (RFC 5321 allows 254 in practice; GOV.UK takes 256).
pub const MAX_EMAIL_CHARS: usize = 256;

/// Why an email address typed by a citizen is refused, as the message shown beside the field.
pub fn email_problem(email: &str) -> Option<&'static str> {
    let email = email.trim();
    if email.is_empty() {
        return Some("Enter your email address");
    }
    if email.chars().count() > MAX_EMAIL_CHARS {
        return Some("Your email address must be 256 characters or fewer");
    }
    // A domain with a dot: addresses at bare hosts are valid by RFC 5322 but never a citizen's.
    let has_dotted_domain = email.rsplit_once('@').is_some_and(|(_, domain)| {
        domain.contains('.') && !domain.starts_with('.') && !domain.ends_with('.')
    });
    if !email_address::EmailAddress::is_valid(email)
        || !has_dotted_domain
        || email.chars().any(char::is_whitespace)
    {
        return Some("Enter an email address in the correct format, like name@example.com");
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_rules() {
        assert_eq!(email_problem("  "), Some("Enter your email address"));
        assert!(email_problem("ada@example.com").is_none());
        assert!(email_problem(" Ada.Lovelace+gov@example.co.uk ").is_none());
        for bad in [
            "ada",
            "ada@",
            "@example.com",
            "ada@localhost",
            "ada@example.",
            "ada @example.com",
            "<script>@x.com",
        ] {
            assert!(email_problem(bad).is_some(), "{bad}");
        }
        let long = format!("{}@example.com", "a".repeat(250));
        assert_eq!(
            email_problem(&long),
            Some("Your email address must be 256 characters or fewer")
        );
    }
}
