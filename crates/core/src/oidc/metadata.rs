//! The provider's metadata (OpenID Connect Discovery 1.0 §3): what it offers, as relying
//! parties read it from `/.well-known/openid-configuration`.

use serde_json::{Value, json};

use super::Provider;
use super::authorization_request::CLIENT_ALGORITHMS;
use super::clients::{SUPPORTED_CLAIMS, SUPPORTED_SCOPES};

impl Provider {
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
            "grant_types_supported": ["authorization_code", "refresh_token"],
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
            "claims_in_verified_claims_supported": ["given_name", "family_name", "birthdate"],
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
