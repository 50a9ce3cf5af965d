//! Signing evidence credentials and the core identity JWT.

use std::fmt;

use aws_lc_rs::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair};
use base64::Engine;
use jsonwebtoken::jwk::Jwk;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde::Serialize;
use time::{Duration, OffsetDateTime};

use super::{
    CORE_IDENTITY_TYPE, CredentialClaims, IDENTITY_CHECK_CREDENTIAL,
    IDENTITY_CHECK_CREDENTIAL_TYPE, VERIFIABLE_IDENTITY_CREDENTIAL, Vc, unix,
};
use crate::checks::CheckOutcome;
use crate::claims::CredentialSubject;
use crate::error::{Error, Result};
use crate::identity::ProvenIdentity;

/// Signs credentials with one ES256 key as one issuer.
pub struct CredentialSigner {
    issuer: String,
    kid: String,
    key: EncodingKey,
}

impl fmt::Debug for CredentialSigner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never the key.
        f.debug_struct("CredentialSigner")
            .field("issuer", &self.issuer)
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

/// What the relying party is owed in a core identity JWT besides the identity.
#[derive(Clone, Copy, Debug)]
pub struct CoreIdentityRequest<'a> {
    /// The pairwise `sub` for this relying party.
    pub subject: &'a str,
    /// The relying party's client_id.
    pub audience: &'a str,
    /// The trustmark URL, for `vtm`.
    pub trustmark: &'a str,
    /// How long the JWT is valid; GOV.UK uses about 30 minutes.
    pub ttl: Duration,
}

#[derive(Serialize)]
struct CoreIdentityClaims<'a> {
    sub: &'a str,
    iss: &'a str,
    aud: &'a str,
    /// Checklist 68: every credential JWT carries a unique id.
    jti: String,
    nbf: i64,
    iat: i64,
    exp: i64,
    vot: String,
    vtm: &'a str,
    vc: Vc,
}

impl CredentialSigner {
    /// A signer from an ES256 (P-256) private key in PKCS#8 PEM. `kid` goes into every header
    /// verbatim (a provider may pass its `did:web` form).
    pub fn from_pkcs8_pem(issuer: &str, kid: &str, pem: &[u8]) -> Result<Self> {
        let key = EncodingKey::from_ec_pem(pem).map_err(|e| Error::Key(e.to_string()))?;
        // Signing once proves the key is P-256: a P-384 key would parse but fail later.
        let signer = Self {
            issuer: issuer.to_owned(),
            kid: kid.to_owned(),
            key,
        };
        signer.sign(IDENTITY_CHECK_CREDENTIAL_TYPE, &serde_json::json!({}))?;
        Ok(signer)
    }

    /// A new P-256 private key as PKCS#8 PEM, for tests, examples and first starts.
    pub fn generate_pkcs8_pem() -> Result<String> {
        let der = EcdsaKeyPair::generate(&ECDSA_P256_SHA256_FIXED_SIGNING)
            .and_then(|k| k.to_pkcs8v1())
            .map_err(|_| Error::Key("key generation failed".to_owned()))?;
        let body = base64::engine::general_purpose::STANDARD.encode(der.as_ref());
        let lines: Vec<&str> = body
            .as_bytes()
            .chunks(64)
            .filter_map(|c| std::str::from_utf8(c).ok())
            .collect();
        Ok(format!(
            "-----BEGIN PRIVATE KEY-----\n{}\n-----END PRIVATE KEY-----\n",
            lines.join("\n")
        ))
    }

    /// The issuer this signer signs as.
    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// The header `kid`.
    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// The public key as a JWK (with `kid` and `alg`), to publish or to trust.
    pub fn public_jwk(&self) -> Result<Jwk> {
        let mut jwk = Jwk::from_encoding_key(&self.key, Algorithm::ES256)
            .map_err(|e| Error::Key(e.to_string()))?;
        jwk.common.key_id = Some(self.kid.clone());
        Ok(jwk)
    }

    /// An evidence credential about `subject` for `audience`, saying what `outcome` says.
    pub fn issue(
        &self,
        subject: &str,
        audience: &str,
        outcome: &CheckOutcome,
        now: OffsetDateTime,
        ttl: Duration,
    ) -> Result<String> {
        let claims = CredentialClaims {
            sub: subject.to_owned(),
            aud: audience.to_owned(),
            iss: self.issuer.clone(),
            jti: format!("urn:uuid:{}", uuid::Uuid::new_v4()),
            nbf: unix(now),
            iat: unix(now),
            exp: unix(now + ttl),
            vc: Vc {
                kind: IDENTITY_CHECK_CREDENTIAL.map(str::to_owned).to_vec(),
                credential_subject: outcome.subject.clone(),
                evidence: outcome.evidence.clone(),
            },
        };
        self.sign(IDENTITY_CHECK_CREDENTIAL_TYPE, &claims)
    }

    /// The core identity JWT for a relying party: `vot` is the level proven, and the
    /// credential subject holds the name and birth date only.
    pub fn core_identity_jwt(
        &self,
        identity: &ProvenIdentity,
        request: &CoreIdentityRequest,
        now: OffsetDateTime,
    ) -> Result<String> {
        let claims = CoreIdentityClaims {
            sub: request.subject,
            iss: &self.issuer,
            aud: request.audience,
            jti: format!("urn:uuid:{}", uuid::Uuid::new_v4()),
            nbf: unix(now),
            iat: unix(now),
            exp: unix(now + request.ttl),
            vot: identity.level.to_string(),
            vtm: request.trustmark,
            vc: Vc {
                kind: VERIFIABLE_IDENTITY_CREDENTIAL.map(str::to_owned).to_vec(),
                credential_subject: CredentialSubject {
                    name: identity.name.clone(),
                    birth_date: identity.birth_date.clone(),
                    ..Default::default()
                },
                evidence: Vec::new(),
            },
        };
        self.sign(CORE_IDENTITY_TYPE, &claims)
    }

    /// An SD-JWT VC (`dc+sd-jwt`, issue 17 §3) signed with this key: `visible` as they are,
    /// each of `disclosable` selectively disclosable (see [`crate::sd_jwt::issue`]).
    pub fn sd_jwt_vc(
        &self,
        visible: serde_json::Map<String, serde_json::Value>,
        disclosable: Vec<(String, serde_json::Value)>,
    ) -> Result<String> {
        crate::sd_jwt::issue(&self.key, &self.kid, visible, disclosable)
    }

    /// A status list token (`statuslist+jwt`) for `list` at `uri`, signed with this key.
    pub fn status_list_token(
        &self,
        list: &crate::status_list::StatusList,
        uri: &str,
        now: i64,
        ttl: i64,
    ) -> Result<String> {
        list.token(&self.key, &self.kid, uri, now, ttl)
    }

    fn sign<T: Serialize>(&self, typ: &str, claims: &T) -> Result<String> {
        let mut header = Header::new(Algorithm::ES256);
        header.typ = Some(typ.to_owned());
        header.kid = Some(self.kid.clone());
        jsonwebtoken::encode(&header, claims, &self.key).map_err(|e| Error::Signing(e.to_string()))
    }
}
