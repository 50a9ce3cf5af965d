use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{DecodingKey, EncodingKey, Header};
use serde_json::{Value, json};
use time::Duration;

use super::*;
use crate::error::Error;
use crate::identity::prove;
use crate::level::ConfidenceLevel;
use crate::test_support::*;

const TTL: Duration = Duration::minutes(10);

fn issued(signer: &CredentialSigner) -> String {
    let outcome = &kenneth_passport_journey(0)[0];
    signer
        .issue(SUBJECT, "one-login", outcome, NOW, TTL)
        .unwrap()
}

fn part(jwt: &str, index: usize) -> Value {
    let segment = jwt.split('.').nth(index).unwrap();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(segment).unwrap()).unwrap()
}

/// The same JWT with its payload replaced, signature kept.
fn with_payload(jwt: &str, payload: &Value) -> String {
    let parts: Vec<&str> = jwt.split('.').collect();
    let body = URL_SAFE_NO_PAD.encode(serde_json::to_vec(payload).unwrap());
    format!("{}.{body}.{}", parts[0], parts[2])
}

#[test]
fn issue_then_verify_round_trips() {
    let signer = signer(ISSUER, "passport-1");
    let jwt = issued(&signer);
    let header = part(&jwt, 0);
    assert_eq!(
        header,
        json!({"alg": "ES256", "typ": "identity-check+jwt", "kid": "passport-1"})
    );
    let claims = part(&jwt, 1);
    assert_eq!(
        claims["vc"]["type"],
        json!(["VerifiableCredential", "IdentityCheckCredential"])
    );
    assert_eq!(claims["vc"]["evidence"][0]["strengthScore"], 4);
    assert_eq!(
        claims["vc"]["credentialSubject"]["passport"][0]["documentNumber"],
        "321654987"
    );
    assert_eq!(claims["aud"], "one-login");
    assert_eq!(
        claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(),
        600
    );

    let verified = verifier_for(&signer).verify(&jwt, SUBJECT, NOW).unwrap();
    assert_eq!(verified.issuer, ISSUER);
    assert_eq!(verified.subject, SUBJECT);
    assert_eq!(verified.issued_at, NOW);
    assert_eq!(verified.expires_at, NOW + TTL);
    assert!(verified.jti.starts_with("urn:uuid:"));
    let outcome = &kenneth_passport_journey(0)[0];
    assert_eq!(verified.credential_subject, outcome.subject);
    assert_eq!(verified.evidence, outcome.evidence);
}

#[test]
fn a_tampered_payload_is_refused() {
    let signer = signer(ISSUER, "k");
    let jwt = issued(&signer);
    let mut claims = part(&jwt, 1);
    claims["vc"]["evidence"][0]["validityScore"] = json!(3);
    let result = verifier_for(&signer).verify(&with_payload(&jwt, &claims), SUBJECT, NOW);
    assert!(
        matches!(result, Err(Error::CredentialSignature)),
        "{result:?}"
    );
}

#[test]
fn another_key_under_the_same_kid_is_refused() {
    let trusted = signer(ISSUER, "k");
    let impostor = signer(ISSUER, "k");
    let result = verifier_for(&trusted).verify(&issued(&impostor), SUBJECT, NOW);
    assert!(
        matches!(result, Err(Error::CredentialSignature)),
        "{result:?}"
    );
}

#[test]
fn an_unknown_kid_is_refused() {
    let trusted = signer(ISSUER, "k");
    let other = signer(ISSUER, "other");
    let result = verifier_for(&trusted).verify(&issued(&other), SUBJECT, NOW);
    assert!(matches!(result, Err(Error::CredentialUnknownKey(k)) if k == "other"));
}

#[test]
fn a_key_trusted_for_another_issuer_is_refused() {
    let signer = signer("https://elsewhere.example/", "k");
    let mut verifier = CredentialVerifier::new();
    verifier
        .trust(ISSUER, "k", &signer.public_jwk().unwrap())
        .unwrap();
    let result = verifier.verify(&issued(&signer), SUBJECT, NOW);
    assert!(
        matches!(result, Err(Error::CredentialIssuer { expected, found })
        if expected == ISSUER && found == "https://elsewhere.example/")
    );
}

#[test]
fn another_subject_is_refused() {
    let signer = signer(ISSUER, "k");
    let result = verifier_for(&signer).verify(&issued(&signer), "urn:fdc:gov.uk:2022:other", NOW);
    assert!(matches!(result, Err(Error::CredentialSubject)));
}

#[test]
fn dates_are_checked_against_now_with_a_small_leeway() {
    let signer = signer(ISSUER, "k");
    let verifier = verifier_for(&signer);
    let jwt = issued(&signer);
    assert!(
        verifier
            .verify(&jwt, SUBJECT, NOW + TTL + Duration::seconds(29))
            .is_ok()
    );
    let late = verifier.verify(&jwt, SUBJECT, NOW + TTL + Duration::seconds(30));
    assert!(matches!(late, Err(Error::CredentialExpired)));
    assert!(
        verifier
            .verify(&jwt, SUBJECT, NOW - Duration::seconds(30))
            .is_ok()
    );
    let early = verifier.verify(&jwt, SUBJECT, NOW - Duration::seconds(31));
    assert!(matches!(early, Err(Error::CredentialNotYetValid)));
}

#[test]
fn alg_none_and_hs256_are_refused() {
    let signer = signer(ISSUER, "k");
    let verifier = verifier_for(&signer);
    let jwt = issued(&signer);
    let claims = part(&jwt, 1);
    let none_header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","kid":"k"}"#);
    let body = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&claims).unwrap());
    let unsigned = format!("{none_header}.{body}.");
    assert!(
        matches!(verifier.verify(&unsigned, SUBJECT, NOW), Err(Error::CredentialAlgorithm(a)) if a == "none")
    );

    let mut header = Header::new(jsonwebtoken::Algorithm::HS256);
    header.kid = Some("k".into());
    let hmac = jsonwebtoken::encode(
        &header,
        &claims,
        &EncodingKey::from_secret(b"public key bytes"),
    )
    .unwrap();
    assert!(
        matches!(verifier.verify(&hmac, SUBJECT, NOW), Err(Error::CredentialAlgorithm(a)) if a == "HS256")
    );
    assert!(matches!(
        verifier.verify("not.a.jwt.at-all", SUBJECT, NOW),
        Err(Error::CredentialMalformed(_))
    ));
}

/// A key, its signer, and JWTs signed with it under any `typ` (to forge other kinds).
struct Forger {
    pem: String,
    signer: CredentialSigner,
}

impl Forger {
    fn new(kid: &str) -> Self {
        let pem = CredentialSigner::generate_pkcs8_pem().unwrap();
        let signer = CredentialSigner::from_pkcs8_pem(ISSUER, kid, pem.as_bytes()).unwrap();
        Forger { pem, signer }
    }

    fn sign(&self, typ: &str, claims: &Value) -> String {
        let mut header = Header::new(jsonwebtoken::Algorithm::ES256);
        header.typ = Some(typ.to_owned());
        header.kid = Some(self.signer.kid().to_owned());
        let key = EncodingKey::from_ec_pem(self.pem.as_bytes()).unwrap();
        jsonwebtoken::encode(&header, claims, &key).unwrap()
    }
}

fn core_identity(signer: &CredentialSigner) -> String {
    let credentials: Vec<_> = kenneth_passport_journey(1)
        .iter()
        .map(|o| {
            let jwt = signer.issue(SUBJECT, "one-login", o, NOW, TTL).unwrap();
            verifier_for(signer).verify(&jwt, SUBJECT, NOW).unwrap()
        })
        .collect();
    let identity = prove(&credentials, ConfidenceLevel::P2).unwrap();
    let request = CoreIdentityRequest {
        subject: SUBJECT,
        audience: "rp",
        trustmark: "https://one-login.example/trustmark",
        ttl: Duration::minutes(30),
    };
    signer.core_identity_jwt(&identity, &request, NOW).unwrap()
}

#[test]
fn only_identity_check_credentials_are_accepted() {
    let forger = Forger::new("k");
    // Typed as evidence, but the vc is a core identity's.
    let core = core_identity(&forger.signer);
    let retyped = forger.sign(IDENTITY_CHECK_CREDENTIAL_TYPE, &part(&core, 1));
    assert!(matches!(
        verifier_for(&forger.signer).verify(&retyped, SUBJECT, NOW),
        Err(Error::CredentialType)
    ));
}

// Checklist 37 and 68, RFC 8725 §3.11: each kind of JWT has its own typ, and a credential has a
// jti.
#[test]
fn evidence_and_core_identity_each_have_their_own_typ_and_a_jti() {
    let signer = signer(ISSUER, "k");
    let evidence = issued(&signer);
    let core = core_identity(&signer);
    assert_eq!(part(&evidence, 0)["typ"], IDENTITY_CHECK_CREDENTIAL_TYPE);
    assert_eq!(part(&core, 0)["typ"], CORE_IDENTITY_TYPE);
    assert_ne!(IDENTITY_CHECK_CREDENTIAL_TYPE, CORE_IDENTITY_TYPE);
    for jwt in [&evidence, &core] {
        assert!(
            part(jwt, 1)["jti"]
                .as_str()
                .unwrap()
                .starts_with("urn:uuid:")
        );
    }
    assert_ne!(
        part(&core, 1)["jti"],
        part(&core_identity(&signer), 1)["jti"]
    );
}

// RFC 8725 §3.11: a JWT of another kind never passes for evidence, even with evidence claims.
#[test]
fn a_jwt_of_another_type_is_refused_as_evidence() {
    let forger = Forger::new("k");
    let verifier = verifier_for(&forger.signer);
    let core = core_identity(&forger.signer);
    assert!(matches!(
        verifier.verify(&core, SUBJECT, NOW),
        Err(Error::CredentialHeaderType(t)) if t == CORE_IDENTITY_TYPE
    ));
    let claims = part(&issued(&forger.signer), 1);
    for typ in ["JWT", "logout+jwt", "at+jwt", CORE_IDENTITY_TYPE] {
        let forged = forger.sign(typ, &claims);
        assert!(
            matches!(verifier.verify(&forged, SUBJECT, NOW), Err(Error::CredentialHeaderType(t)) if t == typ),
            "{typ}"
        );
    }
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"ES256","kid":"k"}"#);
    let untyped = format!(
        "{header}.{}",
        issued(&forger.signer).split_once('.').unwrap().1
    );
    assert!(matches!(
        verifier.verify(&untyped, SUBJECT, NOW),
        Err(Error::CredentialHeaderType(t)) if t.is_empty()
    ));
}

// RFC 8725 §3.12 and checklist 69: a key that signed evidence before a dedicated key took over
// still verifies what it signed then (untyped, as it was), and nothing dated later.
#[test]
fn a_key_trusted_until_a_time_verifies_only_what_it_signed_before() {
    let forger = Forger::new("old");
    let claims = part(&issued(&forger.signer), 1);
    let untyped = forger.sign("JWT", &claims);
    let typed = forger.sign(IDENTITY_CHECK_CREDENTIAL_TYPE, &claims);
    let public = forger.signer.public_jwk().unwrap();
    let mut until_later = CredentialVerifier::new();
    until_later
        .trust_issued_before(ISSUER, "old", &public, NOW + Duration::seconds(1))
        .unwrap();
    assert!(until_later.verify(&untyped, SUBJECT, NOW).is_ok());
    assert!(until_later.verify(&typed, SUBJECT, NOW).is_ok());
    let mut until_now = CredentialVerifier::new();
    until_now
        .trust_issued_before(ISSUER, "old", &public, NOW)
        .unwrap();
    for jwt in [&untyped, &typed] {
        assert!(matches!(
            until_now.verify(jwt, SUBJECT, NOW),
            Err(Error::CredentialIssuedAfterKeyRetired)
        ));
    }
    let mut no_iat = claims.clone();
    no_iat.as_object_mut().unwrap().remove("iat");
    assert!(matches!(
        until_later.verify(&forger.sign("JWT", &no_iat), SUBJECT, NOW),
        Err(Error::CredentialMalformed(_))
    ));
}

#[test]
fn only_p256_keys_are_accepted() {
    let mut verifier = CredentialVerifier::new();
    let hmac = jsonwebtoken::jwk::Jwk::from_encoding_key(
        &EncodingKey::from_secret(b"secret"),
        jsonwebtoken::Algorithm::HS256,
    )
    .unwrap();
    assert!(matches!(
        verifier.trust(ISSUER, "k", &hmac),
        Err(Error::Key(_))
    ));
    assert!(CredentialSigner::from_pkcs8_pem(ISSUER, "k", b"not a key").is_err());
    // A DecodingKey built from the published JWK verifies what the signer signs.
    let signer = signer(ISSUER, "k");
    let key = DecodingKey::from_jwk(&signer.public_jwk().unwrap()).unwrap();
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::ES256);
    validation.validate_aud = false;
    validation.validate_exp = false;
    assert!(jsonwebtoken::decode::<Value>(issued(&signer), &key, &validation).is_ok());
}
