//! The bench's relying party: its ES256 key pair, its registration file, the client assertions
//! it signs (RFC 7523, a fresh `jti` each time) and PKCE, as a department's service does them.

use aws_lc_rs::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair};
use base64::Engine;
use jsonwebtoken::jwk::{Jwk, KeyAlgorithm, PublicKeyUse};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};

pub const CLIENT_ID: &str = "one-login-bench";
/// Never fetched: the tool reads the code from the `Location` header. Port 9 is "discard".
pub const REDIRECT_URI: &str = "http://127.0.0.1:9/callback";
/// The second client of `identity-reuse`: another host, so another pairwise sector (the
/// citizen's `sub` there differs), as a second department reusing a proven identity.
pub const REUSE_CLIENT_ID: &str = "one-login-bench-reuse";
pub const REUSE_REDIRECT_URI: &str = "http://localhost:9/callback";
/// The identity claim both clients may ask for (`claims` in their registrations).
pub const CORE_IDENTITY_CLAIM: &str = "https://vocab.account.gov.uk/v1/coreIdentityJWT";
pub const JWT_BEARER: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

pub struct RelyingParty {
    pub client_id: &'static str,
    pub redirect_uri: &'static str,
    key: EncodingKey,
    kid: String,
    public: Jwk,
    /// Where assertions are addressed: the token endpoint.
    audience: String,
}

impl RelyingParty {
    /// A new key pair for a provider at `issuer` (ending with `/`).
    pub fn new(issuer: &str, client_id: &'static str, redirect_uri: &'static str) -> Result<Self> {
        let der = EcdsaKeyPair::generate(&ECDSA_P256_SHA256_FIXED_SIGNING)
            .and_then(|pair| pair.to_pkcs8v1())
            .map_err(|_| Error::Signing("cannot generate an ES256 key".into()))?;
        let key = EncodingKey::from_ec_der(der.as_ref());
        let kid = "bench-key-1".to_owned();
        let mut public = Jwk::from_encoding_key(&key, Algorithm::ES256)
            .map_err(|e| Error::Signing(format!("public key: {e}")))?;
        public.common.key_id = Some(kid.clone());
        public.common.public_key_use = Some(PublicKeyUse::Signature);
        public.common.key_algorithm = Some(KeyAlgorithm::ES256);
        Ok(RelyingParty {
            client_id,
            redirect_uri,
            key,
            kid,
            public,
            audience: format!("{issuer}token"),
        })
    }

    /// The client's file for the provider's `clients_dir` (config/clients/README.md). Both
    /// bench clients may ask for identity (P1-P3) and the core identity JWT.
    pub fn registration(&self) -> Result<String> {
        let jwks = json!({ "keys": [self.public] });
        Ok(format!(
            "client_id = {:?}\nname = \"Load test service\"\n\
             redirect_uris = [{:?}]\n\
             token_endpoint_auth_method = \"private_key_jwt\"\njwks = {}\n\
             scopes = [\"openid\", \"email\", \"offline_access\"]\n\
             claims = [{CORE_IDENTITY_CLAIM:?}]\nidentity_verification_supported = true\n\
             id_token_signed_response_alg = \"ES256\"\nrequire_pkce = true\nrequire_nonce = true\n",
            self.client_id,
            self.redirect_uri,
            toml_inline(&jwks)
        ))
    }

    /// A client assertion for the token endpoint, signed now with a fresh `jti`.
    pub fn assertion(&self) -> Result<String> {
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        let claims = json!({
            "iss": self.client_id, "sub": self.client_id, "aud": self.audience,
            "exp": now + 60, "iat": now, "jti": uuid::Uuid::new_v4().to_string(),
        });
        let mut header = Header::new(Algorithm::ES256);
        header.kid = Some(self.kid.clone());
        jsonwebtoken::encode(&header, &claims, &self.key).map_err(|e| Error::Signing(e.to_string()))
    }
}

/// A JSON value as a TOML inline value (JWKS members are strings, arrays and objects).
fn toml_inline(value: &serde_json::Value) -> String {
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
