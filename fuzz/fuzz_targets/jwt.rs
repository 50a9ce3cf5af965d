//! JWTs the provider verifies as its own: `id_token_hint` (`verify_id_token_hint`) and
//! `Keys::verify` for logout tokens. Byte 0 chooses, modulo 16:
//! 0-4: the rest is the token as sent;
//! 5-10: the rest is `header\npayload`, signed by the provider's ES256 key;
//! 11: the same, signed by its RS256 key (one in sixteen: an RSA signature costs a millisecond,
//!     twenty times the rest of the target);
//! 12-15: the same, signed by the client's key (not ours: must never verify).
//! Whatever verifies must carry a provider key's signature.
#![no_main]

use jsonwebtoken::{Algorithm, Validation};
use libfuzzer_sys::fuzz_target;
use one_login_core::oidc::signed_tokens::{LOGOUT_TOKEN_TYPE, verify_id_token_hint};
use one_login_fuzz::{
    ISSUER, NOW, client_signing_key, provider_keys, provider_signing_key, sign_raw,
    signed_by_provider,
};

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let (header, payload) = match rest.iter().position(|b| *b == b'\n') {
        Some(at) => (&rest[..at], &rest[at + 1..]),
        None => (rest, &[][..]),
    };
    let token = match mode % 16 {
        0..=4 => match std::str::from_utf8(rest) {
            Ok(token) => token.to_owned(),
            Err(_) => return,
        },
        5..=10 => sign_raw(
            header,
            payload,
            provider_signing_key(Algorithm::ES256),
            Algorithm::ES256,
        ),
        11 => sign_raw(
            header,
            payload,
            provider_signing_key(Algorithm::RS256),
            Algorithm::RS256,
        ),
        _ => sign_raw(header, payload, client_signing_key(), Algorithm::ES256),
    };
    if let Some(hint) = verify_id_token_hint(provider_keys(), ISSUER, &token, NOW) {
        assert!(
            signed_by_provider(&token),
            "accepted a hint we did not sign: {hint:?}"
        );
    }
    let mut validation = Validation::new(Algorithm::ES256);
    validation.set_issuer(&[ISSUER]);
    validation.validate_aud = false;
    let logout: Option<serde_json::Value> =
        provider_keys().verify(&token, LOGOUT_TOKEN_TYPE, &validation, NOW);
    if logout.is_some() {
        assert!(
            signed_by_provider(&token),
            "accepted a logout token we did not sign"
        );
    }
});
