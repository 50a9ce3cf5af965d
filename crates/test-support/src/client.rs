//! What every test client writes and sends, whatever signs its assertions: its registration
//! file's values and its PKCE pair. The provider's tests and the bench tool both use these.

use base64::Engine;
use sha2::{Digest, Sha256};

/// A JSON value as a TOML inline value, for a client file's `jwks` (JWKS members are strings,
/// arrays and objects).
pub fn toml_inline(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::Object(map) => {
            let items: Vec<String> = map
                .iter()
                .map(|(k, v)| format!("{k:?} = {}", toml_inline(v)))
                .collect();
            format!("{{ {} }}", items.join(", "))
        }
        serde_json::Value::Array(items) => format!(
            "[{}]",
            items.iter().map(toml_inline).collect::<Vec<_>>().join(", ")
        ),
        serde_json::Value::String(s) => format!("{s:?}"),
        other => other.to_string(),
    }
}

/// A PKCE verifier and its S256 challenge (RFC 7636 §4.1-4.2).
pub fn pkce() -> (String, String) {
    let verifier = format!(
        "{}{}",
        uuid::Uuid::new_v4().simple(),
        uuid::Uuid::new_v4().simple()
    );
    let challenge = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(Sha256::digest(verifier.as_bytes()));
    (verifier, challenge)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_jwks_as_toml() {
        let jwks = serde_json::json!({ "keys": [{ "kty": "EC", "n": 1 }] });
        assert_eq!(
            toml_inline(&jwks),
            r#"{ "keys" = [{ "kty" = "EC", "n" = 1 }] }"#
        );
    }

    #[test]
    fn the_challenge_is_the_verifiers_s256() {
        let (verifier, challenge) = pkce();
        assert_eq!(verifier.len(), 64);
        let expected = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(Sha256::digest(verifier.as_bytes()));
        assert_eq!(challenge, expected);
        assert_ne!(pkce().0, verifier, "a new verifier each time");
    }
}
