//! Unguessable tokens: session ids, CSRF tokens, codes.

use base64::Engine;
use rand::RngCore;

/// 64 random bits from the thread's generator: request ids, nothing secret.
pub fn random_u64() -> u64 {
    rand::rng().next_u64()
}

/// 256 random bits, base64url: session ids and CSRF tokens.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}
