use jsonwebtoken::jwk::Jwk;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde_json::{Value, json};
use time::Duration;
use time::macros::date;

use super::*;
use crate::checks::{CheckOutcome, PassportDetails};
use crate::ci::{DOCUMENT_NO_MATCH, IDENTITY_FRAUD};
use crate::claims::CredentialSubject;
use crate::credential::CoreIdentityRequest;
use crate::evidence::ContraIndicator;
use crate::gpg45::Need;
use crate::test_support::*;

/// As the verifier would return it; signing is tested in `credential`.
fn verified(outcome: &CheckOutcome) -> VerifiedCredential {
    VerifiedCredential {
        jti: "urn:uuid:test".into(),
        issuer: ISSUER.into(),
        subject: SUBJECT.into(),
        issued_at: NOW,
        expires_at: NOW + Duration::minutes(10),
        credential_subject: outcome.subject.clone(),
        evidence: outcome.evidence.clone(),
    }
}

fn all(outcomes: &[CheckOutcome]) -> Vec<VerifiedCredential> {
    outcomes.iter().map(verified).collect()
}

#[test]
fn kenneths_passport_journey_proves_p2() {
    let identity = prove(&all(&kenneth_passport_journey(1)), ConfidenceLevel::P2).unwrap();
    assert_eq!(identity.level, ConfidenceLevel::P2);
    assert_eq!(identity.profiles, [Profile::L1A, Profile::M1A]);
    assert_eq!(identity.name.len(), 1);
    assert_eq!(identity.name[0].full_name(), "Kenneth Decerqueira");
    assert_eq!(
        identity.birth_date,
        [BirthDate {
            value: date!(1965 - 07 - 08)
        }]
    );
    assert_eq!(
        identity.address[0].one_line(),
        "8 Hadley Road, Bath, BA2 5AA"
    );
    assert_eq!(identity.passport[0].document_number, "321654987");
    assert!(identity.driving_permit.is_empty());
    // A lower target gives the highest level met all the same.
    assert_eq!(
        prove(&all(&kenneth_passport_journey(1)), ConfidenceLevel::P1)
            .unwrap()
            .level,
        ConfidenceLevel::P2
    );
}

#[test]
fn p3_needs_a_stronger_document_than_kenneths() {
    let result = prove(&all(&kenneth_passport_journey(0)), ConfidenceLevel::P3);
    match result {
        Err(Error::LevelNotMet {
            target,
            reached,
            needs,
        }) => {
            assert_eq!(
                (target, reached),
                (ConfidenceLevel::P3, ConfidenceLevel::P2)
            );
            assert_eq!(
                needs,
                [Need::IdentityDocument {
                    strength: 4,
                    validity: 3
                }]
            );
        }
        other => panic!("{other:?}"),
    }
}

fn joan_answer(id: &str) -> &'static str {
    match id {
        "bank" => "Lloyds",
        "loan" => "American Express",
        "phone" => "Three",
        _ => "Over £1,000",
    }
}

#[test]
fn joans_chip_verified_passport_proves_p3() {
    let details = joan_passport();
    let journey = passport_journey(&details, ("RG1 3AA", "2"), joan_answer, 0);
    let identity = prove(&all(&journey), ConfidenceLevel::P3).unwrap();
    assert_eq!(identity.level, ConfidenceLevel::P3);
    assert!(identity.profiles.contains(&Profile::H1A));
    // One wrong answer: verification 2, so P2 only.
    let journey = passport_journey(&details, ("RG1 3AA", "2"), joan_answer, 1);
    assert!(matches!(
        prove(&all(&journey), ConfidenceLevel::P3),
        Err(Error::LevelNotMet { .. })
    ));
}

#[test]
fn a_failed_attempt_does_not_name_the_person() {
    let typo = PassportDetails {
        surname: "Decerquiera".into(),
        ..kenneth_passport()
    };
    let mut outcomes = passport_journey(&typo, ("BA2 5AA", "8"), kenneth_answer, 4);
    assert_eq!(
        outcomes[0].evidence[0].ci,
        [ContraIndicator::new(DOCUMENT_NO_MATCH)]
    );
    outcomes.truncate(1);
    outcomes.extend(kenneth_passport_journey(0));
    let identity = prove(&all(&outcomes), ConfidenceLevel::P2).unwrap();
    assert_eq!(identity.name.len(), 1);
    assert_eq!(identity.name[0].full_name(), "Kenneth Decerqueira");
}

fn about(name: Name, born: time::Date) -> CheckOutcome {
    CheckOutcome {
        subject: CredentialSubject {
            name: vec![name],
            birth_date: vec![BirthDate { value: born }],
            ..Default::default()
        },
        evidence: vec![],
    }
}

#[test]
fn credentials_about_different_people_are_refused() {
    let mut outcomes = kenneth_passport_journey(0);
    outcomes.push(about(
        Name::new(&["Kenneth"], "Decerqueira"),
        date!(1965 - 07 - 09),
    ));
    let result = prove(&all(&outcomes), ConfidenceLevel::P2);
    assert!(
        matches!(&result, Err(Error::DifferentPeople(m)) if m == "birth dates 1965-07-08 and 1965-07-09"),
        "{result:?}"
    );

    let mut outcomes = kenneth_passport_journey(0);
    outcomes.push(about(
        Name::new(&["Kenny"], "Decerqueira"),
        date!(1965 - 07 - 08),
    ));
    let result = prove(&all(&outcomes), ConfidenceLevel::P2);
    assert!(
        matches!(&result, Err(Error::DifferentPeople(m)) if m == "names Kenneth Decerqueira and Kenny Decerqueira"),
        "{result:?}"
    );

    // The same name in other capitals is the same person.
    let mut outcomes = kenneth_passport_journey(0);
    outcomes.push(about(
        Name::new(&["KENNETH"], "DECERQUEIRA"),
        date!(1965 - 07 - 08),
    ));
    assert!(prove(&all(&outcomes), ConfidenceLevel::P2).is_ok());
}

#[test]
fn a_blocking_contra_indicator_refuses() {
    let mut outcomes = kenneth_passport_journey(0);
    outcomes[2].evidence[0]
        .ci
        .push(ContraIndicator::new(IDENTITY_FRAUD));
    let result = prove(&all(&outcomes), ConfidenceLevel::P1);
    assert!(
        matches!(result, Err(Error::Blocked(b)) if b.blocking == [ContraIndicator::new(IDENTITY_FRAUD)])
    );
}

#[test]
fn did_key_ids_percent_encode_the_port() {
    assert_eq!(
        did_key_id("identity.example.gov.uk", "k1"),
        "did:web:identity.example.gov.uk#k1"
    );
    assert_eq!(
        did_key_id("localhost:8443", "k1"),
        "did:web:localhost%3A8443#k1"
    );
}

#[test]
fn a_core_identity_jwt_verifies_with_the_key_from_the_did_document() {
    let host = "localhost:8443";
    let kid = did_key_id(host, "core-1");
    let signer = signer(ISSUER, &kid);
    let jwk: Jwk = signer.public_jwk().unwrap();
    let document = did_document(host, &[("core-1".to_owned(), jwk)]);
    assert_eq!(document["id"], "did:web:localhost%3A8443");
    assert_eq!(document["@context"][0], "https://www.w3.org/ns/did/v1");
    let method = &document["assertionMethod"][0];
    assert_eq!(method["id"], kid.as_str());
    assert_eq!(method["type"], "JsonWebKey");
    assert_eq!(method["controller"], "did:web:localhost%3A8443");
    assert_eq!(method["publicKeyJwk"]["crv"], "P-256");
    assert!(method["publicKeyJwk"].get("d").is_none());

    let identity = prove(&all(&kenneth_passport_journey(1)), ConfidenceLevel::P2).unwrap();
    let request = CoreIdentityRequest {
        subject: SUBJECT,
        audience: "rp-client",
        trustmark: "https://one-login.example/trustmark",
        ttl: Duration::minutes(30),
    };
    let jwt = signer.core_identity_jwt(&identity, &request, NOW).unwrap();

    let header = jsonwebtoken::decode_header(&jwt).unwrap();
    assert_eq!(header.kid.as_deref(), Some(kid.as_str()));
    assert_eq!(header.typ.as_deref(), Some("core-identity+jwt"));
    let published: Jwk = serde_json::from_value(method["publicKeyJwk"].clone()).unwrap();
    let mut validation = Validation::new(Algorithm::ES256);
    validation.set_audience(&["rp-client"]);
    validation.set_issuer(&[ISSUER]);
    validation.validate_exp = false;
    let claims: Value = jsonwebtoken::decode(
        &jwt,
        &DecodingKey::from_jwk(&published).unwrap(),
        &validation,
    )
    .unwrap()
    .claims;
    let now = NOW.unix_timestamp();
    let jti = claims["jti"].as_str().unwrap();
    assert!(jti.starts_with("urn:uuid:"), "{jti}");
    assert_eq!(
        claims,
        json!({
            "sub": SUBJECT, "iss": ISSUER, "aud": "rp-client", "jti": jti,
            "nbf": now, "iat": now, "exp": now + 1800,
            "vot": "P2", "vtm": "https://one-login.example/trustmark",
            "vc": {
                "type": ["VerifiableCredential", "VerifiableIdentityCredential"],
                "credentialSubject": {
                    "name": [{"nameParts": [
                        {"value": "Kenneth", "type": "GivenName"},
                        {"value": "Decerqueira", "type": "FamilyName"}]}],
                    "birthDate": [{"value": "1965-07-08"}]
                }
            }
        })
    );
}

#[test]
fn kenneths_driving_licence_journey_proves_p2_by_m1b() {
    let licence = kenneth_licence();
    let data = crate::checks::TestDataSet::embedded().unwrap();
    let checked = ready(crate::checks::DrivingLicenceCheck::check(
        &data, &licence, TODAY,
    ))
    .unwrap();
    // The same address, fraud and knowledge steps as the passport journey.
    let mut outcomes = kenneth_passport_journey(1);
    outcomes[0] = checked;
    let identity = prove(&all(&outcomes), ConfidenceLevel::P2).unwrap();
    assert_eq!(identity.profiles, [Profile::L1A, Profile::M1B]);
    assert_eq!(
        identity.driving_permit[0].personal_number,
        "DECER607085K99AE"
    );
    assert!(identity.passport.is_empty());
}
