//! Checking a wallet's presentation of the One Login identity credential (issue 17 §3): an
//! SD-JWT VC (`dc+sd-jwt`) the holder presents with only the claims the service needs, for
//! example `age_over_18` alone. Checked: the issuer's signature with the identity key that
//! `did.json` names, the key binding JWT (holder's key from `cnf`, `aud`, `nonce`, `sd_hash`),
//! every disclosure, and the status list entry (a revoked credential is refused).
//!
//! Pure: the caller fetches `did.json` and the status list token (both cacheable), so it can
//! be used from any framework, and tested without a network.

use identity_proofing::sd_jwt::{self, PresentationCheck, SdJwt};
use identity_proofing::status_list::StatusList;
use serde_json::{Map, Value};

use crate::error::{Error, Result};
use crate::identity::DidDocument;

/// What the service expects of a presentation.
#[derive(Debug, Clone, Copy)]
pub struct PresentationRequest<'a> {
    /// The credential issuer (`iss`): the provider's issuer without its final `/`.
    pub issuer: &'a str,
    /// The service's own identifier, as the wallet was told to put it in `aud`.
    pub audience: &'a str,
    /// The nonce the service gave for this presentation (single use: the service's to track).
    pub nonce: &'a str,
    pub now: i64,
}

/// A presentation that passed every check: the claims disclosed, and the visible ones.
#[derive(Debug, Clone)]
pub struct VerifiedPresentation {
    pub claims: Map<String, Value>,
}

impl VerifiedPresentation {
    /// `age_over_18`, if the holder disclosed it.
    pub fn age_over_18(&self) -> Option<bool> {
        self.claims.get("age_over_18").and_then(Value::as_bool)
    }
}

fn reject(why: impl std::fmt::Display) -> Error {
    Error::PresentationRejected(why.to_string())
}

/// Checks `presentation` against the provider's `did_document` (`/.well-known/did.json`) and
/// the status list token at the credential's `status.status_list.uri`, which must be the
/// issuer's own.
pub fn verify_presentation(
    presentation: &str,
    did_document: &DidDocument,
    status_list_token: &str,
    request: &PresentationRequest<'_>,
) -> Result<VerifiedPresentation> {
    let parsed = SdJwt::parse(presentation).map_err(reject)?;
    let kid = jsonwebtoken::decode_header(&parsed.jwt)
        .map_err(reject)?
        .kid
        .ok_or_else(|| reject("the credential names no key"))?;
    let key = did_document.key_for(&kid).map_err(reject)?;
    let check = PresentationCheck {
        issuer: request.issuer,
        audience: request.audience,
        nonce: request.nonce,
        now: request.now,
    };
    let claims = sd_jwt::verify_presentation(presentation, &key, &check).map_err(reject)?;
    // A signed credential without a status claim is refused, not indexed into (a panic).
    let entry = claims
        .get("status")
        .and_then(|status| status.get("status_list"))
        .unwrap_or(&serde_json::Value::Null);
    let (Some(idx), Some(uri)) = (entry["idx"].as_u64(), entry["uri"].as_str()) else {
        return Err(reject("the credential has no status list entry"));
    };
    if !uri.starts_with(&format!("{}/", request.issuer)) {
        return Err(reject("the status list is not the issuer's"));
    }
    let status_kid = jsonwebtoken::decode_header(status_list_token)
        .map_err(reject)?
        .kid
        .ok_or_else(|| reject("the status list token names no key"))?;
    let status_key = did_document.key_for(&status_kid).map_err(reject)?;
    let list =
        StatusList::from_token(status_list_token, &status_key, uri, request.now).map_err(reject)?;
    let index = usize::try_from(idx).map_err(reject)?;
    match list.is_revoked(index) {
        Some(false) => Ok(VerifiedPresentation { claims }),
        Some(true) => Err(reject("the credential has been revoked")),
        None => Err(reject("the credential's status index is outside the list")),
    }
}
