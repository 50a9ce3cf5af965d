//! The provider's metadata (OpenID Connect Discovery 1.0 §3): what it offers, as relying
//! parties read it from `/.well-known/openid-configuration`.

use std::sync::Arc;

use base64::Engine;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::Provider;
use super::authorization_request::CLIENT_ALGORITHMS;
use super::clients::{CLAIMS_IN_VERIFIED_CLAIMS, SUPPORTED_CLAIMS, SUPPORTED_SCOPES};

/// A published JSON document serialised once, with its strong entity tag (RFC 9110 §8.8.3): a
/// relying party that sends it back in `If-None-Match` is told `304 Not Modified` (§13.1.2)
/// without the body. Serving the bytes as they are saves a tree walk and a serialisation on
/// every request.
#[derive(Debug, Clone)]
pub struct StaticDocument {
    body: Arc<[u8]>,
    etag: String,
}

impl StaticDocument {
    pub fn new(value: &Value) -> Self {
        let body: Arc<[u8]> = value.to_string().into_bytes().into();
        // 128 bits of the SHA-256 of the body: the tag changes whenever the bytes do.
        let digest = Sha256::digest(&body);
        let etag = format!(
            "\"{}\"",
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&digest[..16])
        );
        StaticDocument { body, etag }
    }

    /// The serialised document, shared: cloning it copies no bytes.
    pub fn body(&self) -> Arc<[u8]> {
        self.body.clone()
    }

    pub fn etag(&self) -> &str {
        &self.etag
    }

    /// Whether an `If-None-Match` value names this version (RFC 9110 §13.1.2: `*`, or a list
    /// of tags compared weakly, so `W/"x"` matches `"x"`).
    pub fn matches(&self, if_none_match: &str) -> bool {
        if_none_match
            .split(',')
            .map(str::trim)
            .any(|tag| tag == "*" || tag.strip_prefix("W/").unwrap_or(tag) == self.etag)
    }
}

impl Provider {
    /// The discovery document, serialised on first use: it depends only on the issuer and on
    /// what this build supports, so it never changes while the process runs.
    pub fn discovery_document(&self) -> &StaticDocument {
        self.discovery
            .get_or_init(|| StaticDocument::new(&self.metadata()))
    }

    /// The discovery document, the same for every relying party.
    pub fn metadata(&self) -> Value {
        let client_algs: Vec<&str> = CLIENT_ALGORITHMS
            .iter()
            .map(|a| algorithm_name(*a))
            .collect();
        let mut claims = vec!["sub"];
        claims.extend(SUPPORTED_CLAIMS);
        json!({
            "issuer": self.issuer,
            "authorization_endpoint": self.url("authorize"),
            "token_endpoint": self.url("token"),
            "userinfo_endpoint": self.url("userinfo"),
            "jwks_uri": self.url(".well-known/jwks.json"),
            "end_session_endpoint": self.url("logout"),
            "revocation_endpoint": self.url("revoke"),
            "scopes_supported": SUPPORTED_SCOPES,
            "response_types_supported": ["code"],
            "response_modes_supported": ["query"],
            // The third for wallets (issue 17 §3, OID4VCI §6.1), anonymous: no client id.
            "grant_types_supported": ["authorization_code", "refresh_token", crate::wallet::PRE_AUTHORIZED_GRANT],
            "pre-authorized_grant_anonymous_access_supported": true,
            "subject_types_supported": ["pairwise"],
            "id_token_signing_alg_values_supported": ["ES256", "RS256"],
            "token_endpoint_auth_methods_supported": ["private_key_jwt", "client_secret_post", "client_secret_basic", "none"],
            "token_endpoint_auth_signing_alg_values_supported": client_algs,
            "revocation_endpoint_auth_methods_supported": ["private_key_jwt", "client_secret_post", "client_secret_basic", "none"],
            "revocation_endpoint_auth_signing_alg_values_supported": client_algs,
            "request_object_signing_alg_values_supported": client_algs,
            "code_challenge_methods_supported": ["S256"],
            "request_parameter_supported": true,
            "request_uri_parameter_supported": false,
            "require_request_uri_registration": false,
            "claims_parameter_supported": true,
            "claims_supported": claims,
            "claim_types_supported": ["normal"],
            "ui_locales_supported": ["en", "cy"],
            "backchannel_logout_supported": true,
            "backchannel_logout_session_supported": true,
            "frontchannel_logout_supported": false,
            "authorization_response_iss_parameter_supported": true,
            "trustmarks": self.trustmark(),
            "vtr_values_supported": ["Cl", "Cl.Cm", "Cl.Cm.P1", "Cl.Cm.P2", "Cl.Cm.P3"],
            "verified_claims_supported": true,
            "trust_frameworks_supported": ["uk_tfida"],
            "evidence_supported": ["document"],
            "documents_supported": ["passport", "driving_permit"],
            "claims_in_verified_claims_supported": CLAIMS_IN_VERIFIED_CLAIMS,
            "service_documentation": self.url(""),
        })
    }
}

fn algorithm_name(alg: jsonwebtoken::Algorithm) -> &'static str {
    use jsonwebtoken::Algorithm::*;
    match alg {
        RS256 => "RS256",
        RS384 => "RS384",
        RS512 => "RS512",
        PS256 => "PS256",
        PS384 => "PS384",
        PS512 => "PS512",
        ES256 => "ES256",
        _ => "unsupported",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_document_matches_its_own_tag_only() {
        let doc = StaticDocument::new(&json!({"issuer": "https://a.example/"}));
        let other = StaticDocument::new(&json!({"issuer": "https://b.example/"}));
        assert_ne!(doc.etag(), other.etag());
        assert!(doc.etag().starts_with('"') && doc.etag().ends_with('"'));
        assert_eq!(&*doc.body(), br#"{"issuer":"https://a.example/"}"#);
        assert!(doc.matches(doc.etag()));
        assert!(doc.matches(&format!("W/{}", doc.etag())));
        assert!(doc.matches(&format!("{}, {}", other.etag(), doc.etag())));
        assert!(doc.matches("*"));
        assert!(!doc.matches(other.etag()));
        assert!(!doc.matches(""));
        assert!(!doc.matches(doc.etag().trim_matches('"')));
    }
}
