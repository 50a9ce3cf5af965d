//! The rules of changing a signed-in account (issue 10 item 3): when the password must be given
//! again, and where the citizen goes once it is.

use crate::sessions::Authentication;

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
pub const RETURN_PAGES: [&str; 3] = [
    "/account/change-email",
    "/account/change-authenticator-app",
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
