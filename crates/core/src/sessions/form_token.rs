//! CSRF tokens for forms shown to a visitor without a session: the "signed double-submit
//! cookie" of the OWASP CSRF Prevention Cheat Sheet. The browser holds a random value in a
//! cookie (`__Host-`, `HttpOnly`, `SameSite=Lax` under https); the form carries an HMAC of it
//! under a server key. A forger can neither read the cookie nor (without the key) compute the
//! token, and nothing is stored: an anonymous page view costs the short-lived store nothing
//! (issue 12.2). A signed-in citizen's forms keep the session's synchroniser token.

use aws_lc_rs::hmac;
use base64::Engine;

use crate::random::random_token;

/// Makes and checks anonymous forms' tokens under one server key, shared by every replica.
#[derive(Clone)]
pub struct FormTokens {
    key: hmac::Key,
}

/// The cookie's value: 32 random bytes, like a session id.
pub fn new_cookie_value() -> String {
    random_token()
}

impl FormTokens {
    /// Keys derived for this purpose only from `secret` (HMAC as a PRF, as HKDF-Expand does
    /// with one block: RFC 5869 §2.3).
    pub fn new(secret: &[u8]) -> Self {
        let derived = hmac::sign(
            &hmac::Key::new(hmac::HMAC_SHA256, secret),
            b"one-login/form-token/v1",
        );
        FormTokens {
            key: hmac::Key::new(hmac::HMAC_SHA256, derived.as_ref()),
        }
    }

    /// The token a form carries for the cookie value `cookie`.
    pub fn token_for(&self, cookie: &str) -> String {
        let tag = hmac::sign(&self.key, cookie.as_bytes());
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(tag.as_ref())
    }

    /// Whether `presented` is the token for `cookie`, compared in constant time.
    pub fn matches(&self, cookie: &str, presented: &str) -> bool {
        if cookie.is_empty() {
            return false;
        }
        let Ok(tag) = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(presented) else {
            return false;
        };
        hmac::verify(&self.key, cookie.as_bytes(), &tag).is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_matches_only_its_cookie_and_key() {
        let tokens = FormTokens::new(b"server secret");
        let cookie = new_cookie_value();
        let token = tokens.token_for(&cookie);
        assert!(tokens.matches(&cookie, &token));
        assert!(!tokens.matches(&new_cookie_value(), &token));
        assert!(!tokens.matches(&cookie, ""));
        assert!(!tokens.matches(&cookie, &cookie));
        assert!(!tokens.matches("", &tokens.token_for("")));
        assert!(!FormTokens::new(b"another secret").matches(&cookie, &token));
        let mut forged = token.clone().into_bytes();
        forged[0] = if forged[0] == b'A' { b'B' } else { b'A' };
        assert!(!tokens.matches(&cookie, &String::from_utf8(forged).unwrap()));
    }
}
