//! The verified identity: the core identity JWT (ES256, its key named by `kid` in the
//! provider's DID document), and the address and document claims from userinfo, as the GOV.UK
//! identity vocabulary's types (shared with the provider's identity-proofing crate, which has no
//! heavy dependencies).
//!
//! The checks are plain functions over the token, the document and `now`, so tests run them on
//! locally signed tokens without a provider.

pub use identity_proofing::claims::{
    BirthDate, CredentialSubject, DrivingPermit, Name, NamePart, NamePartType, Passport,
    PostalAddress,
};
use jsonwebtoken::jwk::{AlgorithmParameters, EllipticCurve, Jwk};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::{Deserialize, Serialize};
use time::Date;

use crate::error::{Error, Result};

/// How far the provider's clock may differ from ours.
const CLOCK_SKEW: i64 = 60;

/// A `did:web` document (W3C DID Core §5): the keys that may sign core identity JWTs.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DidDocument {
    pub id: String,
    #[serde(default)]
    pub assertion_method: Vec<VerificationMethod>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VerificationMethod {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub controller: String,
    pub public_key_jwk: Jwk,
}

impl DidDocument {
    /// The P-256 key the JWT header's `kid` names: `<document id>#<key id>`, listed under
    /// `assertionMethod` and controlled by the document's subject.
    pub(crate) fn key_for(&self, kid: &str) -> Result<DecodingKey> {
        let reject = |why: String| Error::IdentityRejected(why);
        if !kid.starts_with(&format!("{}#", self.id)) {
            return Err(reject(format!("kid {kid:?} is not a key of {}", self.id)));
        }
        let method = self
            .assertion_method
            .iter()
            .find(|m| m.id == kid)
            .ok_or_else(|| reject(format!("kid {kid:?} is not an assertionMethod")))?;
        if method.controller != self.id || method.kind != "JsonWebKey" {
            return Err(reject(format!(
                "{kid:?}: not a JsonWebKey controlled by {}",
                self.id
            )));
        }
        match &method.public_key_jwk.algorithm {
            AlgorithmParameters::EllipticCurve(ec) if ec.curve == EllipticCurve::P256 => {}
            _ => return Err(reject(format!("{kid:?} is not a P-256 key"))),
        }
        DecodingKey::from_jwk(&method.public_key_jwk)
            .map_err(|e| reject(format!("{kid:?}: unusable key: {e}")))
    }
}

/// What the core identity JWT must say about this sign-in.
#[derive(Debug, Clone)]
pub struct Expected<'a> {
    pub issuer: &'a str,
    pub client_id: &'a str,
    /// The ID token's `sub`.
    pub subject: &'a str,
    /// The identity level asked for (`P2`).
    pub level: &'a str,
}

#[derive(Debug, Deserialize)]
struct CoreIdentityClaims {
    sub: String,
    exp: i64,
    #[serde(default)]
    nbf: Option<i64>,
    vot: String,
    vc: Credential,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Credential {
    #[serde(rename = "type")]
    kinds: Vec<String>,
    credential_subject: CredentialSubject,
}

/// A verified core identity: the citizen's current name, every name they have used, their date
/// of birth and the level proven.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CoreIdentity {
    /// The current name: the one without an end date.
    pub name: Name,
    /// Every name in the credential, former ones with their dates.
    pub names: Vec<Name>,
    pub birth_date: Date,
    /// The level proven (`P2`).
    pub level: String,
}

impl CoreIdentity {
    /// "Kenneth Decerqueira".
    pub fn full_name(&self) -> String {
        self.name.full_name()
    }
}

/// Verifies a core identity JWT (the One Login contract): ES256 only, `kid` resolved in the DID
/// document, `iss`, `aud` = this client, `sub` = the ID token's, `exp`/`nbf` against `now`, and
/// the level asked for.
pub fn verify_core_identity(
    jwt: &str,
    did: &DidDocument,
    expected: &Expected<'_>,
    now: i64,
) -> Result<CoreIdentity> {
    let reject = |why: String| Error::IdentityRejected(why);
    let header = jsonwebtoken::decode_header(jwt).map_err(|e| reject(format!("not a JWT: {e}")))?;
    if header.alg != Algorithm::ES256 {
        return Err(reject(format!(
            "alg {:?}; only ES256 is accepted",
            header.alg
        )));
    }
    let kid = header.kid.ok_or_else(|| reject("no kid".into()))?;
    let key = did.key_for(&kid)?;
    let mut validation = Validation::new(Algorithm::ES256);
    validation.set_issuer(&[expected.issuer]);
    validation.set_audience(&[expected.client_id]);
    validation.set_required_spec_claims(&["iss", "aud", "sub", "exp"]);
    // Times are checked below against `now`, so tests need no real clock.
    validation.validate_exp = false;
    validation.validate_nbf = false;
    let claims = jsonwebtoken::decode::<CoreIdentityClaims>(jwt, &key, &validation)
        .map_err(|e| reject(e.to_string()))?
        .claims;
    if claims.exp + CLOCK_SKEW <= now {
        return Err(reject("expired".into()));
    }
    if claims.nbf.is_some_and(|nbf| nbf > now + CLOCK_SKEW) {
        return Err(reject("not valid yet (nbf)".into()));
    }
    if claims.sub != expected.subject {
        return Err(reject("sub is not the ID token's".into()));
    }
    if claims.vot != expected.level {
        return Err(reject(format!(
            "vot {:?}, but {:?} was asked for",
            claims.vot, expected.level
        )));
    }
    if !claims
        .vc
        .kinds
        .iter()
        .any(|k| k == "VerifiableIdentityCredential")
    {
        return Err(reject("vc is not a VerifiableIdentityCredential".into()));
    }
    let subject = claims.vc.credential_subject;
    let name = subject
        .name
        .iter()
        .find(|n| n.valid_until.is_none())
        .or_else(|| subject.name.first())
        .cloned()
        .ok_or_else(|| reject("no name".into()))?;
    let birth_date = subject
        .birth_date
        .first()
        .map(|d| d.value)
        .ok_or_else(|| reject("no birth date".into()))?;
    Ok(CoreIdentity {
        name,
        names: subject.name,
        birth_date,
        level: claims.vot,
    })
}

/// One return code as userinfo gives it (`https://vocab.account.gov.uk/v1/returnCode`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReturnCodeClaim {
    pub code: String,
}

/// The current address: the first one with no end date.
pub fn current_address(addresses: &[PostalAddress]) -> Option<PostalAddress> {
    addresses
        .iter()
        .find(|a| a.valid_until.is_none())
        .or_else(|| addresses.first())
        .cloned()
}

#[cfg(test)]
pub mod tests {
    use super::*;
    use crate::keys::ClientKey;
    use jsonwebtoken::{EncodingKey, Header};
    use serde_json::{Value, json};

    pub const HOST: &str = "identity.localhost";
    pub const ISSUER: &str = "http://localhost:8080/";
    pub const SUB: &str = "urn:fdc:gov.uk:2022:abc";
    pub const NOW: i64 = 1_750_000_000;

    /// A signing key and the DID document that publishes it under `key-1`.
    pub fn signer() -> (EncodingKey, Value) {
        let pem = ClientKey::generate_pem().unwrap();
        let key = EncodingKey::from_ec_pem(pem.as_bytes()).unwrap();
        let jwk = Jwk::from_encoding_key(&key, Algorithm::ES256).unwrap();
        let did = json!({
            "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/suites/jws-2020/v1"],
            "id": format!("did:web:{HOST}"),
            "assertionMethod": [{
                "id": format!("did:web:{HOST}#key-1"),
                "type": "JsonWebKey",
                "controller": format!("did:web:{HOST}"),
                "publicKeyJwk": jwk,
            }]
        });
        (key, did)
    }

    pub fn claims() -> Value {
        json!({
            "sub": SUB, "iss": ISSUER, "aud": "driving-licence",
            "nbf": NOW - 10, "iat": NOW - 10, "exp": NOW + 1800,
            "vot": "P2", "vtm": format!("{ISSUER}trustmark"),
            "vc": {
                "type": ["VerifiableCredential", "VerifiableIdentityCredential"],
                "credentialSubject": {
                    "name": [
                        {"validUntil": "2019-01-01", "nameParts": [
                            {"value": "Alice", "type": "GivenName"},
                            {"value": "Smith", "type": "FamilyName"}]},
                        {"validFrom": "2019-01-01", "nameParts": [
                            {"value": "Alice", "type": "GivenName"},
                            {"value": "Jane", "type": "GivenName"},
                            {"value": "Doe", "type": "FamilyName"}]}
                    ],
                    "birthDate": [{"value": "1970-01-01"}]
                }
            }
        })
    }

    pub fn sign(key: &EncodingKey, kid: &str, claims: &Value) -> String {
        let mut header = Header::new(Algorithm::ES256);
        header.kid = Some(kid.to_owned());
        jsonwebtoken::encode(&header, claims, key).unwrap()
    }

    fn expected() -> Expected<'static> {
        Expected {
            issuer: ISSUER,
            client_id: "driving-licence",
            subject: SUB,
            level: "P2",
        }
    }

    fn verify(jwt: &str, did: &Value) -> Result<CoreIdentity> {
        let did: DidDocument = serde_json::from_value(did.clone()).unwrap();
        verify_core_identity(jwt, &did, &expected(), NOW)
    }

    const KID: &str = "did:web:identity.localhost#key-1";

    #[test]
    fn a_good_core_identity_gives_the_current_name_and_birth_date() {
        let (key, did) = signer();
        let identity = verify(&sign(&key, KID, &claims()), &did).unwrap();
        assert_eq!(identity.full_name(), "Alice Jane Doe");
        assert_eq!(identity.name.given_names(), ["Alice", "Jane"]);
        assert_eq!(identity.names.len(), 2, "the former name is kept");
        assert_eq!(identity.birth_date.to_string(), "1970-01-01");
        assert_eq!(identity.level, "P2");
    }

    fn rejected(result: Result<CoreIdentity>) -> String {
        match result {
            Err(Error::IdentityRejected(why)) => why,
            other => panic!("expected a rejection, got {other:?}"),
        }
    }

    #[test]
    fn each_claim_rule_rejects() {
        let (key, did) = signer();
        let cases: [(&str, Value); 7] = [
            ("aud", json!("benefits")),
            ("iss", json!("http://elsewhere.localhost/")),
            ("sub", json!("urn:fdc:gov.uk:2022:someone-else")),
            ("exp", json!(NOW - 61)),
            ("nbf", json!(NOW + 3600)),
            ("vot", json!("P1")),
            (
                "vc",
                json!({"type": ["VerifiableCredential"], "credentialSubject": {}}),
            ),
        ];
        for (claim, value) in cases {
            let mut claims = claims();
            claims[claim] = value;
            rejected(verify(&sign(&key, KID, &claims), &did));
        }
        let mut claims = claims();
        claims.as_object_mut().unwrap().remove("exp");
        rejected(verify(&sign(&key, KID, &claims), &did));
    }

    #[test]
    fn a_key_the_did_document_does_not_list_is_rejected() {
        let (key, did) = signer();
        let (other_key, _) = signer();
        // Signed by another key under the listed kid: the signature fails.
        rejected(verify(&sign(&other_key, KID, &claims()), &did));
        // A kid of another DID, or one not listed, or none.
        rejected(verify(
            &sign(&key, "did:web:evil.localhost#key-1", &claims()),
            &did,
        ));
        rejected(verify(
            &sign(&key, "did:web:identity.localhost#key-2", &claims()),
            &did,
        ));
        let unsigned_kid =
            jsonwebtoken::encode(&Header::new(Algorithm::ES256), &claims(), &key).unwrap();
        rejected(verify(&unsigned_kid, &did));
        // A key listed but controlled by someone else.
        let mut foreign = did.clone();
        foreign["assertionMethod"][0]["controller"] = json!("did:web:evil.localhost");
        rejected(verify(&sign(&key, KID, &claims()), &foreign));
    }

    #[test]
    fn other_algorithms_and_tampering_are_rejected() {
        let (key, did) = signer();
        let mut header = Header::new(Algorithm::HS256);
        header.kid = Some(KID.into());
        let hs =
            jsonwebtoken::encode(&header, &claims(), &EncodingKey::from_secret(b"secret")).unwrap();
        assert!(rejected(verify(&hs, &did)).contains("ES256"));
        let good = sign(&key, KID, &claims());
        let mut pieces: Vec<String> = good.split('.').map(str::to_owned).collect();
        let mut tampered = claims();
        tampered["vc"]["credentialSubject"]["birthDate"] = json!([{"value": "1990-01-01"}]);
        pieces[1] = base64::Engine::encode(
            &base64::engine::general_purpose::URL_SAFE_NO_PAD,
            tampered.to_string(),
        );
        rejected(verify(&pieces.join("."), &did));
        rejected(verify("not a jwt", &did));
    }

    #[test]
    fn addresses_and_permits_read_as_the_contract_writes_them() {
        let addresses: Vec<PostalAddress> = serde_json::from_value(json!([
            {"buildingNumber": "1", "streetName": "OLD ROAD", "addressLocality": "BATH",
             "postalCode": "BA1 1AA", "addressCountry": "GB", "validUntil": "2020-01-01"},
            {"uprn": 100120012077u64, "subBuildingName": "FLAT 2", "buildingNumber": "8",
             "streetName": "HADLEY ROAD", "addressLocality": "BATH", "postalCode": "BA2 5AA",
             "addressCountry": "GB", "validFrom": "2020-01-01"}
        ]))
        .unwrap();
        let current = current_address(&addresses).unwrap();
        assert_eq!(current.sub_building_name.as_deref(), Some("FLAT 2"));
        assert_eq!(current.postal_code, "BA2 5AA");
        let permit: Vec<DrivingPermit> = serde_json::from_value(json!([
            {"personalNumber": "DOE99701010AJ9AA", "expiryDate": "2030-01-01",
             "issueNumber": "12", "issuedBy": "DVLA", "issueDate": "2020-01-01"}
        ]))
        .unwrap();
        assert_eq!(permit[0].personal_number, "DOE99701010AJ9AA");
    }
}
