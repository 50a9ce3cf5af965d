//! Verifying evidence credentials from trusted issuers.

use std::collections::HashMap;
use std::fmt;

use base64::Engine;
use jsonwebtoken::jwk::{AlgorithmParameters, EllipticCurve, Jwk};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde_json::Value;
use time::OffsetDateTime;

use super::{
    CredentialClaims, IDENTITY_CHECK_CREDENTIAL, IDENTITY_CHECK_CREDENTIAL_TYPE,
    UNTYPED_CREDENTIAL_TYPE,
};
use crate::claims::CredentialSubject;
use crate::error::{Error, Result};
use crate::evidence::Evidence;

/// Clock skew allowed on `nbf` and `exp`.
const LEEWAY_SECONDS: i64 = 30;

/// Verifies evidence credentials against trusted keys. Only ES256 is accepted, whatever a
/// credential's header says, and only the evidence credential `typ`.
#[derive(Clone, Default)]
pub struct CredentialVerifier {
    keys: HashMap<String, Trusted>,
}

#[derive(Clone)]
struct Trusted {
    issuer: String,
    key: DecodingKey,
    /// Set for a key that signed evidence only until then (unix seconds): its credentials must
    /// be issued earlier, and may predate explicit typing.
    issued_before: Option<i64>,
}

impl fmt::Debug for CredentialVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let trusted: Vec<(&String, &String)> = self
            .keys
            .iter()
            .map(|(kid, trusted)| (kid, &trusted.issuer))
            .collect();
        f.debug_struct("CredentialVerifier")
            .field("trusted", &trusted)
            .finish()
    }
}

/// A credential whose signature, issuer, subject, dates and type have been checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifiedCredential {
    pub jti: String,
    pub issuer: String,
    pub subject: String,
    pub issued_at: OffsetDateTime,
    pub expires_at: OffsetDateTime,
    pub credential_subject: CredentialSubject,
    pub evidence: Vec<Evidence>,
}

fn malformed(what: &str) -> Error {
    Error::CredentialMalformed(what.to_owned())
}

fn timestamp(seconds: i64) -> Result<OffsetDateTime> {
    OffsetDateTime::from_unix_timestamp(seconds).map_err(|_| malformed("timestamp out of range"))
}

/// The header, read before any key is chosen so `alg` can be refused by name.
fn header(jwt: &str) -> Result<Value> {
    let mut parts = jwt.split('.');
    let (Some(header), Some(_), Some(_), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(malformed("not a compact JWS"));
    };
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(header)
        .map_err(|_| malformed("header is not base64url"))?;
    serde_json::from_slice(&bytes).map_err(|_| malformed("header is not JSON"))
}

impl CredentialVerifier {
    /// A verifier that trusts no one yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Trusts credentials signed with `public_jwk` (EC P-256) under `kid` as coming from
    /// `issuer`. A kid trusted again is replaced.
    pub fn trust(&mut self, issuer: &str, kid: &str, public_jwk: &Jwk) -> Result<()> {
        self.add(issuer, kid, public_jwk, None)
    }

    /// Trusts `public_jwk` only for credentials issued before `before`: a key that signed
    /// evidence until a dedicated key took over (RFC 8725 §3.12), whose credentials must stay
    /// verifiable but which must not sign new ones. Its credentials may be untyped (`typ` JWT),
    /// as they were before explicit typing.
    pub fn trust_issued_before(
        &mut self,
        issuer: &str,
        kid: &str,
        public_jwk: &Jwk,
        before: OffsetDateTime,
    ) -> Result<()> {
        self.add(issuer, kid, public_jwk, Some(before.unix_timestamp()))
    }

    fn add(
        &mut self,
        issuer: &str,
        kid: &str,
        public_jwk: &Jwk,
        issued_before: Option<i64>,
    ) -> Result<()> {
        match &public_jwk.algorithm {
            AlgorithmParameters::EllipticCurve(ec) if ec.curve == EllipticCurve::P256 => {}
            _ => return Err(Error::Key("only EC P-256 keys are trusted".to_owned())),
        }
        let key = DecodingKey::from_jwk(public_jwk).map_err(|e| Error::Key(e.to_string()))?;
        self.keys.insert(
            kid.to_owned(),
            Trusted {
                issuer: issuer.to_owned(),
                key,
                issued_before,
            },
        );
        Ok(())
    }

    /// Verifies an evidence credential about `subject` at `now`.
    pub fn verify(
        &self,
        jwt: &str,
        subject: &str,
        now: OffsetDateTime,
    ) -> Result<VerifiedCredential> {
        let header = header(jwt)?;
        let alg = header.get("alg").and_then(Value::as_str).unwrap_or("");
        if alg != "ES256" {
            return Err(Error::CredentialAlgorithm(alg.to_owned()));
        }
        let kid = header.get("kid").and_then(Value::as_str).unwrap_or("");
        let Trusted {
            issuer,
            key,
            issued_before,
        } = self
            .keys
            .get(kid)
            .ok_or_else(|| Error::CredentialUnknownKey(kid.to_owned()))?;
        // RFC 8725 §3.11: only an evidence credential's typ; untyped ones only from a key that
        // signed before typing (checklist 37).
        let typ = header.get("typ").and_then(Value::as_str).unwrap_or("");
        let typed = typ.eq_ignore_ascii_case(IDENTITY_CHECK_CREDENTIAL_TYPE);
        let untyped_legacy =
            issued_before.is_some() && typ.eq_ignore_ascii_case(UNTYPED_CREDENTIAL_TYPE);
        if !typed && !untyped_legacy {
            return Err(Error::CredentialHeaderType(typ.to_owned()));
        }

        // jsonwebtoken checks the signature only: dates are checked below against `now`, not
        // the machine's clock.
        let mut validation = Validation::new(Algorithm::ES256);
        validation.validate_exp = false;
        validation.validate_nbf = false;
        validation.validate_aud = false;
        validation.required_spec_claims.clear();
        let claims = jsonwebtoken::decode::<Value>(jwt, key, &validation)
            .map_err(|e| match e.kind() {
                jsonwebtoken::errors::ErrorKind::InvalidSignature => Error::CredentialSignature,
                _ => Error::CredentialMalformed(e.to_string()),
            })?
            .claims;

        let text = |name: &str| claims.get(name).and_then(Value::as_str);
        let found = text("iss").ok_or_else(|| malformed("no iss"))?;
        if found != issuer {
            return Err(Error::CredentialIssuer {
                expected: issuer.clone(),
                found: found.to_owned(),
            });
        }
        if text("sub") != Some(subject) {
            return Err(Error::CredentialSubject);
        }
        let now = now.unix_timestamp();
        let number = |name: &str| claims.get(name).and_then(Value::as_i64);
        if let Some(before) = issued_before {
            let iat = number("iat").ok_or_else(|| malformed("no iat"))?;
            if iat >= *before {
                return Err(Error::CredentialIssuedAfterKeyRetired);
            }
        }
        if number("nbf").is_some_and(|nbf| now + LEEWAY_SECONDS < nbf) {
            return Err(Error::CredentialNotYetValid);
        }
        let exp = number("exp").ok_or_else(|| malformed("no exp"))?;
        if now - LEEWAY_SECONDS >= exp {
            return Err(Error::CredentialExpired);
        }
        let types = claims.pointer("/vc/type").and_then(Value::as_array);
        let is_check =
            |name: &str| types.is_some_and(|t| t.iter().any(|v| v.as_str() == Some(name)));
        if !IDENTITY_CHECK_CREDENTIAL.iter().all(|t| is_check(t)) {
            return Err(Error::CredentialType);
        }

        let claims: CredentialClaims = serde_json::from_value(claims)
            .map_err(|e| Error::CredentialMalformed(e.to_string()))?;
        Ok(VerifiedCredential {
            jti: claims.jti,
            issuer: claims.iss,
            subject: claims.sub,
            issued_at: timestamp(claims.iat)?,
            expires_at: timestamp(claims.exp)?,
            credential_subject: claims.vc.credential_subject,
            evidence: claims.vc.evidence,
        })
    }
}
