//! The 6-digit code emailed to a new citizen to prove the address is theirs. Only its hash is
//! kept (RFC 6819 §5.1.4.1.3), with an expiry and a limit on wrong guesses.

use rand::Rng;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// Wrong guesses allowed before the code is void and a new one must be sent.
pub const MAX_ATTEMPTS: u32 = 5;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct PendingCode {
    hash: String,
    pub expires_at: i64,
    pub attempts: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeCheck {
    Correct,
    Wrong,
    Expired,
    /// Too many wrong guesses: the code is void.
    Exhausted,
}

/// A new random code (shown once, in the email) and what is kept of it.
pub fn issue(now: i64, ttl_seconds: i64) -> (String, PendingCode) {
    let code = format!("{:06}", rand::rng().random_range(0..1_000_000));
    let pending = PendingCode {
        hash: digest(&code),
        expires_at: now + ttl_seconds,
        attempts: 0,
    };
    (code, pending)
}

/// A pending code no one can guess: kept when the address already has an account, so the
/// journey looks the same either way and reveals nothing about who has an account.
pub fn unguessable(now: i64, ttl_seconds: i64) -> PendingCode {
    PendingCode {
        hash: digest(&uuid::Uuid::new_v4().to_string()),
        expires_at: now + ttl_seconds,
        attempts: 0,
    }
}

fn digest(code: &str) -> String {
    hex(&Sha256::digest(code.as_bytes()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

impl PendingCode {
    /// Checks a guess, counting it. Constant-time comparison of the hashes.
    pub fn check(&mut self, guess: &str, now: i64) -> CodeCheck {
        if self.attempts >= MAX_ATTEMPTS {
            return CodeCheck::Exhausted;
        }
        if now >= self.expires_at {
            return CodeCheck::Expired;
        }
        let matches: bool = digest(guess).as_bytes().ct_eq(self.hash.as_bytes()).into();
        if matches {
            return CodeCheck::Correct;
        }
        self.attempts += 1;
        if self.attempts >= MAX_ATTEMPTS {
            CodeCheck::Exhausted
        } else {
            CodeCheck::Wrong
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn right_code_within_time() {
        let (code, mut pending) = issue(1000, 900);
        assert_eq!(code.len(), 6);
        assert_eq!(pending.check(&code, 1899), CodeCheck::Correct);
    }

    #[test]
    fn expired_code_is_refused_even_if_right() {
        let (code, mut pending) = issue(1000, 900);
        assert_eq!(pending.check(&code, 1900), CodeCheck::Expired);
    }

    #[test]
    fn five_wrong_guesses_void_the_code() {
        let (code, mut pending) = issue(1000, 900);
        let wrong = if code == "000000" { "111111" } else { "000000" };
        for _ in 0..MAX_ATTEMPTS - 1 {
            assert_eq!(pending.check(wrong, 1001), CodeCheck::Wrong);
        }
        assert_eq!(pending.check(wrong, 1001), CodeCheck::Exhausted);
        assert_eq!(pending.check(&code, 1001), CodeCheck::Exhausted);
    }

    #[test]
    fn unguessable_code_matches_no_six_digits() {
        let mut pending = unguessable(1000, 900);
        assert_eq!(pending.check("123456", 1001), CodeCheck::Wrong);
    }
}
