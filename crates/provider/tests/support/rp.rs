//! A relying party for tests: its key pair, its registration, and what it sends.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use aws_lc_rs::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair};
use base64::Engine;
use jsonwebtoken::jwk::{Jwk, KeyAlgorithm, PublicKeyUse};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use one_login_test_support::toml_inline;
use serde_json::json;

pub struct RelyingParty {
    pub client_id: String,
    pub redirect_uri: String,
    pub key: EncodingKey,
    pub kid: String,
    pub public_jwk: Jwk,
}

fn pem(der: &[u8]) -> String {
    let body = base64::engine::general_purpose::STANDARD.encode(der);
    let lines: Vec<&str> = body
        .as_bytes()
        .chunks(64)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect();
    format!(
        "-----BEGIN PRIVATE KEY-----\n{}\n-----END PRIVATE KEY-----\n",
        lines.join("\n")
    )
}

/// A new ES256 key pair: the private key and its public JWK with a `kid`.
pub fn es256_key(kid: &str) -> (EncodingKey, Jwk) {
    let der = EcdsaKeyPair::generate(&ECDSA_P256_SHA256_FIXED_SIGNING)
        .unwrap()
        .to_pkcs8v1()
        .unwrap();
    let key = EncodingKey::from_ec_pem(pem(der.as_ref()).as_bytes()).unwrap();
    let mut jwk = Jwk::from_encoding_key(&key, Algorithm::ES256).unwrap();
    jwk.common.key_id = Some(kid.to_owned());
    jwk.common.public_key_use = Some(PublicKeyUse::Signature);
    jwk.common.key_algorithm = Some(KeyAlgorithm::ES256);
    (key, jwk)
}

impl RelyingParty {
    /// A `private_key_jwt` client at `host`, with `extra` TOML lines in its registration.
    pub fn new(client_id: &str, host: &str) -> Self {
        let kid = format!("{client_id}-key-1");
        let (key, public_jwk) = es256_key(&kid);
        RelyingParty {
            client_id: client_id.into(),
            redirect_uri: format!("https://{host}/callback"),
            key,
            kid,
            public_jwk,
        }
    }

    /// The client's file for `config/clients/`.
    pub fn registration(&self, extra: &str) -> String {
        let jwks = json!({ "keys": [self.public_jwk] });
        let host = url::Url::parse(&self.redirect_uri)
            .unwrap()
            .host_str()
            .unwrap()
            .to_owned();
        format!(
            "client_id = {id:?}\nname = \"Service {id}\"\nredirect_uris = [{redirect:?}]\n\
             post_logout_redirect_uris = [\"https://{host}/signed-out\"]\n\
             token_endpoint_auth_method = \"private_key_jwt\"\njwks = {jwks}\n\
             scopes = [\"openid\", \"email\", \"phone\", \"offline_access\"]\nclaims = [\"email\"]\n{extra}",
            id = self.client_id,
            redirect = self.redirect_uri,
            jwks = toml_inline(&jwks),
        )
    }

    /// A registration that may ask for identity (P levels) and every identity claim.
    pub fn identity_registration(&self) -> String {
        self.registration("identity_verification_supported = true\n")
            .replace(
                "claims = [\"email\"]",
                "claims = [\"email\", \"https://vocab.account.gov.uk/v1/coreIdentityJWT\", \
                 \"https://vocab.account.gov.uk/v1/address\", \"https://vocab.account.gov.uk/v1/passport\", \
                 \"https://vocab.account.gov.uk/v1/drivingPermit\", \"https://vocab.account.gov.uk/v1/returnCode\", \
                 \"verified_claims\", \"age_over_16\", \"age_over_18\", \"age_over_21\"]",
            )
    }

    /// A client assertion (RFC 7523) for `aud`.
    pub fn assertion(&self, aud: &str, now: i64) -> String {
        self.assertion_with(json!({
            "iss": self.client_id, "sub": self.client_id, "aud": aud,
            "exp": now + 60, "iat": now, "jti": uuid::Uuid::new_v4().to_string(),
        }))
    }

    pub fn assertion_with(&self, claims: serde_json::Value) -> String {
        let mut header = Header::new(Algorithm::ES256);
        header.kid = Some(self.kid.clone());
        jsonwebtoken::encode(&header, &claims, &self.key).unwrap()
    }
}

/// The query of a redirect to `rp`, checked to be exactly its registered redirect URI.
#[track_caller]
pub fn client_params(
    page: &super::Page,
    rp: &RelyingParty,
) -> std::collections::HashMap<String, String> {
    assert_eq!(
        page.status,
        axum::http::StatusCode::FOUND,
        "expected a redirect to the client:\n{}",
        page.body
    );
    let (base, query) = page.location().split_once('?').unwrap();
    assert_eq!(base, rp.redirect_uri);
    url::form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect()
}
