//! A small test wallet (issue 17 §3): its own P-256 key, the OID4VCI key proof, and SD-JWT
//! presentations disclosing only what it is told to.

use identity_proofing::CredentialSigner;
use identity_proofing::sd_jwt;
use jsonwebtoken::jwk::Jwk;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};

pub struct TestWallet {
    key: EncodingKey,
    jwk: Jwk,
}

impl TestWallet {
    pub fn new() -> TestWallet {
        let pem = CredentialSigner::generate_pkcs8_pem().unwrap();
        let signer = CredentialSigner::from_pkcs8_pem("wallet", "wallet", pem.as_bytes()).unwrap();
        let mut jwk = signer.public_jwk().unwrap();
        jwk.common.key_id = None;
        TestWallet {
            key: EncodingKey::from_ec_pem(pem.as_bytes()).unwrap(),
            jwk,
        }
    }

    /// The credential issuer and pre-authorized code of an `openid-credential-offer://` link.
    pub fn read_offer(uri: &str) -> (String, String) {
        let query = uri
            .strip_prefix("openid-credential-offer://?")
            .unwrap_or_else(|| panic!("not an offer: {uri}"));
        let offer: Value = url::form_urlencoded::parse(query.as_bytes())
            .find(|(name, _)| name == "credential_offer")
            .map(|(_, value)| serde_json::from_str(&value).unwrap())
            .unwrap();
        let code = offer["grants"]["urn:ietf:params:oauth:grant-type:pre-authorized_code"]
            ["pre-authorized_code"]
            .as_str()
            .unwrap()
            .to_owned();
        (
            offer["credential_issuer"].as_str().unwrap().to_owned(),
            code,
        )
    }

    /// The key proof for the credential endpoint (OID4VCI Appendix F.1).
    pub fn proof(&self, issuer: &str, nonce: &str, now: i64) -> String {
        let mut header = Header::new(Algorithm::ES256);
        header.typ = Some("openid4vci-proof+jwt".into());
        header.jwk = Some(self.jwk.clone());
        let claims = json!({"aud": issuer, "iat": now, "nonce": nonce});
        jsonwebtoken::encode(&header, &claims, &self.key).unwrap()
    }

    /// A presentation of `credential` disclosing only the claims named in `disclose`.
    pub fn present(
        &self,
        credential: &str,
        disclose: &[&str],
        audience: &str,
        nonce: &str,
        now: i64,
    ) -> String {
        let keep = |name: &str| disclose.contains(&name);
        sd_jwt::present(credential, &keep, &self.key, audience, nonce, now).unwrap()
    }
}
