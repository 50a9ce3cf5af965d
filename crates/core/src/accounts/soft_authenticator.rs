//! A software WebAuthn authenticator, for tests and the load tool: one P-256 passkey (ES256,
//! COSE alg -7), "none" attestation, user presence and verification flagged, a signature counter
//! the caller can wind back (as a cloned authenticator would). It answers the options the
//! provider sends as a browser would hand them on (WebAuthn Level 3 §5.1, §6.1, §6.5.4), so the
//! passkey rules can be tested without a browser. Never used to sign anyone in for real.

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{ECDSA_P256_SHA256_ASN1_SIGNING, EcdsaKeyPair, KeyPair};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};

/// Authenticator data flags (§6.1): user present, user verified, attested credential data.
const UP: u8 = 0x01;
const UV: u8 = 0x04;
const AT: u8 = 0x40;

#[derive(Clone)]
pub struct SoftAuthenticator {
    /// The origin its client data names (a phishing page's, to test refusals).
    pub origin: String,
    pkcs8: Vec<u8>,
    credential_id: Vec<u8>,
    user_handle: Option<Vec<u8>>,
    /// The signature counter of the next assertion is this plus one.
    pub counter: u32,
    /// Whether it says the user was verified (a PIN or biometric): false plays an authenticator
    /// that only tests presence.
    pub user_verified: bool,
}

fn internal(what: &str) -> Error {
    Error::Internal(format!("soft authenticator: {what}"))
}

/// A CBOR head (RFC 8949 §3): major type and argument.
fn cbor_head(major: u8, value: u64, out: &mut Vec<u8>) {
    let major = major << 5;
    match value {
        0..=23 => out.push(major | value as u8),
        24..=0xff => out.extend([major | 24, value as u8]),
        0x100..=0xffff => {
            out.push(major | 25);
            out.extend((value as u16).to_be_bytes());
        }
        _ => {
            out.push(major | 26);
            out.extend((value as u32).to_be_bytes());
        }
    }
}

fn cbor_bytes(bytes: &[u8], out: &mut Vec<u8>) {
    cbor_head(2, bytes.len() as u64, out);
    out.extend(bytes);
}

fn cbor_text(text: &str, out: &mut Vec<u8>) {
    cbor_head(3, text.len() as u64, out);
    out.extend(text.as_bytes());
}

fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

impl SoftAuthenticator {
    /// A new authenticator with a new key, used from pages of `origin` ("https://host[:port]").
    pub fn new(origin: &str) -> Result<Self> {
        let pkcs8 =
            EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, &SystemRandom::new())
                .map_err(|_| internal("key generation"))?;
        let credential_id = Sha256::digest(pkcs8.as_ref())[..16].to_vec();
        Ok(SoftAuthenticator {
            origin: origin.trim_end_matches('/').to_owned(),
            pkcs8: pkcs8.as_ref().to_vec(),
            credential_id,
            user_handle: None,
            counter: 0,
            user_verified: true,
        })
    }

    /// The credential id, base64url (as `PublicKeyCredential.id`).
    pub fn credential_id(&self) -> String {
        b64(&self.credential_id)
    }

    fn key(&self) -> Result<EcdsaKeyPair> {
        EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, &self.pkcs8)
            .map_err(|_| internal("key"))
    }

    fn client_data(&self, kind: &str, options: &Value) -> Result<Vec<u8>> {
        let challenge = options["publicKey"]["challenge"]
            .as_str()
            .ok_or_else(|| internal("options without a challenge"))?;
        let data = json!({
            "type": kind,
            "challenge": challenge,
            "origin": self.origin,
            "crossOrigin": false,
        });
        Ok(data.to_string().into_bytes())
    }

    fn flags(&self) -> u8 {
        if self.user_verified { UP | UV } else { UP }
    }

    /// `navigator.credentials.create()`: the registration response JSON for `options` (the
    /// provider's creation options, `{"publicKey": ...}`).
    pub fn create(&mut self, options: &Value) -> Result<Value> {
        let public_key = &options["publicKey"];
        let rp_id = public_key["rp"]["id"]
            .as_str()
            .ok_or_else(|| internal("options without rp.id"))?;
        let user_id = public_key["user"]["id"]
            .as_str()
            .and_then(|id| URL_SAFE_NO_PAD.decode(id).ok())
            .ok_or_else(|| internal("options without user.id"))?;
        self.user_handle = Some(user_id);
        let key = self.key()?;
        // The public key as an uncompressed point (0x04 || x || y), then as a COSE_Key
        // (RFC 9053 §7.1.1: kty EC2, alg ES256, crv P-256).
        let point = key.public_key().as_ref();
        let (x, y) = (&point[1..33], &point[33..65]);
        let mut cose = Vec::new();
        cbor_head(5, 5, &mut cose);
        cose.extend([0x01, 0x02, 0x03, 0x26, 0x20, 0x01, 0x21]);
        cbor_bytes(x, &mut cose);
        cose.push(0x22);
        cbor_bytes(y, &mut cose);
        let mut auth_data = Sha256::digest(rp_id.as_bytes()).to_vec();
        auth_data.push(self.flags() | AT);
        auth_data.extend(self.counter.to_be_bytes());
        auth_data.extend([0u8; 16]); // AAGUID: none (§6.5.1, "none" attestation)
        auth_data.extend((self.credential_id.len() as u16).to_be_bytes());
        auth_data.extend(&self.credential_id);
        auth_data.extend(cose);
        let mut attestation = Vec::new();
        cbor_head(5, 3, &mut attestation);
        cbor_text("fmt", &mut attestation);
        cbor_text("none", &mut attestation);
        cbor_text("attStmt", &mut attestation);
        cbor_head(5, 0, &mut attestation);
        cbor_text("authData", &mut attestation);
        cbor_bytes(&auth_data, &mut attestation);
        let client_data = self.client_data("webauthn.create", options)?;
        Ok(json!({
            "id": self.credential_id(),
            "rawId": self.credential_id(),
            "type": "public-key",
            "response": {
                "attestationObject": b64(&attestation),
                "clientDataJSON": b64(&client_data),
            },
            "extensions": {},
        }))
    }

    /// `navigator.credentials.get()`: the assertion response JSON for `options`, the counter
    /// one more than before.
    pub fn get(&mut self, options: &Value) -> Result<Value> {
        let rp_id = options["publicKey"]["rpId"]
            .as_str()
            .ok_or_else(|| internal("options without rpId"))?;
        self.counter += 1;
        let mut auth_data = Sha256::digest(rp_id.as_bytes()).to_vec();
        auth_data.push(self.flags());
        auth_data.extend(self.counter.to_be_bytes());
        let client_data = self.client_data("webauthn.get", options)?;
        let mut signed = auth_data.clone();
        signed.extend(Sha256::digest(&client_data));
        let signature = self
            .key()?
            .sign(&SystemRandom::new(), &signed)
            .map_err(|_| internal("signing"))?;
        Ok(json!({
            "id": self.credential_id(),
            "rawId": self.credential_id(),
            "type": "public-key",
            "response": {
                "authenticatorData": b64(&auth_data),
                "clientDataJSON": b64(&client_data),
                "signature": b64(signature.as_ref()),
                "userHandle": self.user_handle.as_deref().map(b64),
            },
            "extensions": {},
        }))
    }
}
