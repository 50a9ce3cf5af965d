use proptest::prelude::*;

use super::*;
use crate::ci::{DOCUMENT_LOST_OR_STOLEN, DOCUMENT_NO_MATCH, IDENTITY_FRAUD, KBV_FAILED};
use ConfidenceLevel::*;

fn doc(strength: u8, validity: u8) -> Evidence {
    Evidence {
        strength_score: Some(strength),
        validity_score: Some(validity),
        ..Evidence::identity_check("doc")
    }
}

fn driving_licence() -> Evidence {
    Evidence {
        activity_history_score: Some(1),
        ..doc(3, 2)
    }
}

fn activity(score: u8) -> Evidence {
    Evidence {
        activity_history_score: Some(score),
        ..Evidence::identity_check("activity")
    }
}

fn fraud(score: u8) -> Evidence {
    Evidence {
        identity_fraud_score: Some(score),
        ..Evidence::identity_check("fraud")
    }
}

fn kbv(score: u8) -> Evidence {
    Evidence {
        verification_score: Some(score),
        ..Evidence::identity_check("kbv")
    }
}

fn with_ci(mut evidence: Evidence, code: &str) -> Evidence {
    evidence.ci.push(ContraIndicator::new(code));
    evidence
}

/// Evidence that meets `req` exactly at its minimums, one piece per score.
fn minimal(req: &ProfileRequirement) -> Vec<Evidence> {
    let mut evidence: Vec<Evidence> = req.documents.iter().map(|&(s, v)| doc(s, v)).collect();
    evidence.push(activity(req.activity));
    evidence.push(fraud(req.fraud));
    evidence.push(kbv(req.verification));
    evidence
}

#[test]
fn every_profile_has_a_row() {
    for profile in Profile::all() {
        assert_eq!(requirement(*profile).profile, *profile);
    }
    assert_eq!(TABLE.len(), Profile::all().len());
}

#[test]
fn every_profile_is_met_at_exactly_its_minimum() {
    for req in TABLE {
        let assessment = assess(&minimal(req));
        assert!(assessment.profiles.contains(&req.profile), "{req:?}");
        assert!(assessment.level >= req.profile.level());
        assert!(meets(&minimal(req), req.profile.level()));
    }
}

#[test]
fn no_profile_is_met_one_point_under_any_minimum() {
    for req in TABLE {
        let mut variants: Vec<Vec<Evidence>> = Vec::new();
        for i in 0..req.documents.len() {
            let (s, v) = req.documents[i];
            for lowered in [(s - 1, v), (s, v - 1)] {
                let mut evidence = minimal(req);
                evidence[i] = doc(lowered.0, lowered.1);
                variants.push(evidence);
            }
        }
        let n = req.documents.len();
        for (offset, minimum) in [req.activity, req.fraud, req.verification]
            .into_iter()
            .enumerate()
        {
            if minimum > 0 {
                let mut evidence = minimal(req);
                let slot = &mut evidence[n + offset];
                for score in [
                    &mut slot.activity_history_score,
                    &mut slot.identity_fraud_score,
                    &mut slot.verification_score,
                ]
                .into_iter()
                .flatten()
                {
                    *score -= 1;
                }
                variants.push(evidence);
            }
        }
        assert!(!variants.is_empty());
        for evidence in variants {
            let assessment = assess(&evidence);
            assert!(
                !assessment.profiles.contains(&req.profile),
                "{:?} met by {evidence:?}",
                req.profile
            );
        }
    }
}

#[test]
fn passport_fraud_and_kbv_meet_m1a() {
    let evidence = [doc(4, 2), fraud(2), kbv(2)];
    let assessment = assess(&evidence);
    assert_eq!(assessment.level, P2);
    assert_eq!(assessment.profiles, [Profile::L1A, Profile::M1A]);
    assert!(meets(&evidence, P1) && meets(&evidence, P2) && !meets(&evidence, P3));
}

#[test]
fn driving_licence_fraud_and_kbv_meet_m1b() {
    let evidence = [driving_licence(), fraud(2), kbv(2)];
    let assessment = assess(&evidence);
    assert_eq!(assessment.level, P2);
    assert_eq!(assessment.profiles, [Profile::L1A, Profile::M1B]);
    // With a fraud score of only 1, M1B is missed.
    assert_eq!(assess(&[driving_licence(), fraud(1), kbv(2)]).level, P1);
}

#[test]
fn two_documents_meet_m2b_but_one_cannot_count_twice() {
    let two = [driving_licence(), doc(2, 2), fraud(1), kbv(2)];
    assert_eq!(assess(&two).profiles, [Profile::L1A, Profile::M2B]);
    let one = [driving_licence(), fraud(1), kbv(2)];
    assert_eq!(assess(&one).profiles, [Profile::L1A]);
    // The stronger document must take the (3,2) slot even when listed second.
    let swapped = [doc(2, 2), driving_licence(), fraud(1), kbv(2)];
    assert!(assess(&swapped).profiles.contains(&Profile::M2B));
}

#[test]
fn h1a_is_p3_and_implies_lower_levels() {
    let evidence = [doc(4, 3), fraud(1), kbv(3)];
    let assessment = assess(&evidence);
    assert_eq!(assessment.level, P3);
    assert_eq!(
        assessment.profiles,
        [Profile::L1A, Profile::M1A, Profile::M1C, Profile::H1A]
    );
    for level in ConfidenceLevel::all() {
        assert!(meets(&evidence, *level));
        assert_eq!(missing_for(&evidence, *level), Ok(vec![]));
    }
}

#[test]
fn l1a_is_p1() {
    let evidence = [doc(2, 2), fraud(1), kbv(1)];
    let assessment = assess(&evidence);
    assert_eq!(
        (assessment.level, assessment.profiles),
        (P1, vec![Profile::L1A])
    );
    assert_eq!(
        missing_for(&evidence, P2),
        Ok(vec![
            Need::IdentityDocument {
                strength: 4,
                validity: 2
            },
            Need::Verification(2)
        ])
    );
}

#[test]
fn a_document_that_did_not_match_does_not_count_but_does_not_block() {
    let evidence = [with_ci(doc(4, 2), DOCUMENT_NO_MATCH), fraud(2), kbv(2)];
    let assessment = assess(&evidence);
    assert_eq!(assessment.level, P0);
    assert!(assessment.blocking.is_empty());
    assert_eq!(
        missing_for(&evidence, P2),
        Ok(vec![Need::IdentityDocument {
            strength: 4,
            validity: 2
        }])
    );
    // A failed knowledge check's evidence likewise lends nothing.
    let failed_kbv = [doc(4, 2), fraud(2), with_ci(kbv(2), KBV_FAILED)];
    assert_eq!(
        missing_for(&failed_kbv, P2),
        Ok(vec![Need::Verification(2)])
    );
}

#[test]
fn a_blocking_contra_indicator_anywhere_forces_p0() {
    let evidence = [
        doc(4, 3),
        fraud(2),
        kbv(3),
        with_ci(fraud(0), IDENTITY_FRAUD),
    ];
    let assessment = assess(&evidence);
    assert_eq!(assessment.level, P0);
    assert!(assessment.profiles.is_empty());
    assert_eq!(assessment.blocking, [ContraIndicator::new(IDENTITY_FRAUD)]);
    assert!(meets(&evidence, P0));
    assert!(!meets(&evidence, P1));
    let both = [
        with_ci(doc(4, 0), DOCUMENT_LOST_OR_STOLEN),
        with_ci(fraud(0), IDENTITY_FRAUD),
        with_ci(fraud(0), IDENTITY_FRAUD),
    ];
    assert_eq!(
        missing_for(&both, P2),
        Err(Blocked {
            blocking: vec![
                ContraIndicator::new(DOCUMENT_LOST_OR_STOLEN),
                ContraIndicator::new(IDENTITY_FRAUD)
            ]
        })
    );
    assert_eq!(assess(&[with_ci(kbv(2), "X-UNKNOWN")]).blocking.len(), 1);
}

#[test]
fn missing_for_follows_a_passport_journey() {
    let doc42 = Need::IdentityDocument {
        strength: 4,
        validity: 2,
    };
    // Passport only: M1A and M1C each need two things; the table order picks M1A.
    assert_eq!(
        missing_for(&[doc(4, 2)], P2),
        Ok(vec![Need::IdentityFraud(1), Need::Verification(2)])
    );
    assert_eq!(
        missing_for(&[doc(4, 2), fraud(2)], P2),
        Ok(vec![Need::Verification(2)])
    );
    assert_eq!(missing_for(&[doc(4, 2), fraud(2), kbv(2)], P2), Ok(vec![]));
    // An expired passport (validity 0) still asks for a document.
    assert_eq!(
        missing_for(&[doc(4, 0), fraud(2), kbv(2)], P2),
        Ok(vec![doc42])
    );
}

#[test]
fn missing_for_follows_a_driving_licence_journey() {
    assert_eq!(
        missing_for(&[driving_licence()], P2),
        Ok(vec![Need::IdentityFraud(2), Need::Verification(2)])
    );
    // With fraud 1 three profiles are one need away (M1A a passport, M1B fraud 2, M2B a second
    // document); the table order picks M1A.
    assert_eq!(
        missing_for(&[driving_licence(), fraud(1), kbv(2)], P2),
        Ok(vec![Need::IdentityDocument {
            strength: 4,
            validity: 2
        }])
    );
}

#[test]
fn missing_for_with_nothing_and_for_low_levels() {
    // With no evidence the fewest needs for P2 are M1C's: a strong document and verification 3.
    assert_eq!(
        missing_for(&[], P2),
        Ok(vec![
            Need::IdentityDocument {
                strength: 3,
                validity: 3
            },
            Need::Verification(3)
        ])
    );
    assert_eq!(
        missing_for(&[], P1),
        Ok(vec![
            Need::IdentityDocument {
                strength: 2,
                validity: 2
            },
            Need::IdentityFraud(1),
            Need::Verification(1)
        ])
    );
    assert_eq!(missing_for(&[], P0), Ok(vec![]));
    assert_eq!(
        missing_for(&[doc(4, 2), fraud(2), kbv(2)], P3),
        Ok(vec![
            Need::IdentityDocument {
                strength: 4,
                validity: 3
            },
            Need::Verification(3)
        ])
    );
}

fn arb_evidence() -> impl Strategy<Value = Evidence> {
    let score = proptest::option::weighted(0.6, 0u8..=4);
    let ci = prop_oneof![
        8 => Just(None),
        1 => Just(Some(DOCUMENT_NO_MATCH)),
        1 => Just(Some(KBV_FAILED)),
        1 => Just(Some(IDENTITY_FRAUD)),
    ];
    (
        score.clone(),
        score.clone(),
        score.clone(),
        score.clone(),
        score,
        ci,
    )
        .prop_map(
            |(strength, validity, activity, fraud, verification, ci)| Evidence {
                strength_score: strength,
                validity_score: validity,
                activity_history_score: activity,
                identity_fraud_score: fraud,
                verification_score: verification,
                ci: ci.map(ContraIndicator::new).into_iter().collect(),
                ..Evidence::identity_check("p")
            },
        )
}

proptest! {
    #[test]
    fn missing_for_is_empty_exactly_when_met(evidence in proptest::collection::vec(arb_evidence(), 0..6)) {
        let assessment = assess(&evidence);
        for level in ConfidenceLevel::all() {
            match missing_for(&evidence, *level) {
                Ok(needs) => {
                    prop_assert!(assessment.blocking.is_empty());
                    prop_assert_eq!(needs.is_empty(), meets(&evidence, *level));
                }
                Err(blocked) => {
                    prop_assert_eq!(&blocked.blocking, &assessment.blocking);
                    prop_assert_eq!(assessment.level, P0);
                }
            }
        }
        // A higher level met implies every lower one.
        for pair in ConfidenceLevel::all().windows(2) {
            prop_assert!(!meets(&evidence, pair[1]) || meets(&evidence, pair[0]));
        }
        for profile in &assessment.profiles {
            prop_assert!(assessment.level >= profile.level());
        }
    }
}
