//! Back-Channel Logout 1.0 §2.6: checking a logout token. openidconnect does not model logout
//! tokens, so the signature and standard claims go through jsonwebtoken with the provider's
//! published keys, and the logout rules are checked here.

use std::collections::HashMap;
use std::sync::Mutex;

use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::Deserialize;

use crate::error::{Error, Result};

pub const BACKCHANNEL_LOGOUT_EVENT: &str = "http://schemas.openid.net/event/backchannel-logout";
const CLOCK_SKEW: i64 = 60;
/// A token issued longer ago than this is refused even if its `exp` is later (BCL §2.6 step 7
/// lets the RP bound `iat`).
const MAX_AGE: i64 = 600;

#[derive(Debug, Deserialize)]
struct Claims {
    iat: i64,
    exp: i64,
    jti: String,
    #[serde(default)]
    sub: Option<String>,
    #[serde(default)]
    sid: Option<String>,
    events: serde_json::Map<String, serde_json::Value>,
    #[serde(default)]
    nonce: Option<serde_json::Value>,
}

/// Who is to be signed out: the session (`sid`) and/or the person (`sub`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogoutOf {
    pub sub: Option<String>,
    pub sid: Option<String>,
}

/// What a logout token must say.
pub struct Expected<'a> {
    pub issuer: &'a str,
    pub client_id: &'a str,
}

/// The `kid` of the token's header: a logout token without one cannot be checked.
pub fn key_id(token: &str) -> Result<String> {
    jsonwebtoken::decode_header(token)
        .map_err(|e| Error::LogoutTokenRejected(format!("not a JWT: {e}")))?
        .kid
        .ok_or_else(|| Error::LogoutTokenRejected("no kid".into()))
}

/// Checks a logout token against the provider's keys: signature (ES256 or RS256, the provider's
/// two), `typ`, `iss`, `aud`, `iat`, `exp`, the logout event, `sub`/`sid`, no `nonce`.
pub fn verify(
    token: &str,
    keys: &JwkSet,
    expected: &Expected<'_>,
    now: i64,
) -> Result<(LogoutOf, String, i64)> {
    let reject = |why: String| Error::LogoutTokenRejected(why);
    let header =
        jsonwebtoken::decode_header(token).map_err(|e| reject(format!("not a JWT: {e}")))?;
    if !matches!(header.alg, Algorithm::ES256 | Algorithm::RS256) {
        return Err(reject(format!("alg {:?}", header.alg)));
    }
    // BCL §2.4 recommends the explicit type; One Login always sends it.
    if header.typ.as_deref() != Some("logout+jwt") {
        return Err(reject(format!("typ {:?}", header.typ)));
    }
    let kid = header.kid.ok_or_else(|| reject("no kid".into()))?;
    let jwk = keys
        .find(&kid)
        .ok_or_else(|| reject(format!("unknown kid {kid:?}")))?;
    let key = DecodingKey::from_jwk(jwk).map_err(|e| reject(format!("unusable key: {e}")))?;
    let mut validation = Validation::new(header.alg);
    validation.set_issuer(&[expected.issuer]);
    validation.set_audience(&[expected.client_id]);
    validation.set_required_spec_claims(&["iss", "aud", "exp"]);
    validation.validate_exp = false;
    let claims = jsonwebtoken::decode::<Claims>(token, &key, &validation)
        .map_err(|e| reject(e.to_string()))?
        .claims;
    if claims.exp + CLOCK_SKEW <= now {
        return Err(reject("expired".into()));
    }
    if claims.iat > now + CLOCK_SKEW || claims.iat + MAX_AGE < now {
        return Err(reject("iat out of range".into()));
    }
    if !claims
        .events
        .get(BACKCHANNEL_LOGOUT_EVENT)
        .is_some_and(serde_json::Value::is_object)
    {
        return Err(reject("no back-channel logout event".into()));
    }
    if claims.nonce.is_some() {
        // BCL §2.4: a nonce is forbidden, so an ID token cannot pass as a logout token.
        return Err(reject("has a nonce".into()));
    }
    if claims.sub.is_none() && claims.sid.is_none() {
        return Err(reject("neither sub nor sid".into()));
    }
    if claims.jti.is_empty() {
        return Err(reject("empty jti".into()));
    }
    Ok((
        LogoutOf {
            sub: claims.sub,
            sid: claims.sid,
        },
        claims.jti,
        claims.exp,
    ))
}

/// `jti`s already used, kept until their token would have expired (BCL §2.6 step 9).
#[derive(Default)]
pub struct ReplayGuard {
    seen: Mutex<HashMap<String, i64>>,
}

impl ReplayGuard {
    /// Records `jti`; false if it was seen before.
    pub fn first_use(&self, jti: &str, exp: i64, now: i64) -> bool {
        let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        seen.retain(|_, until| *until + CLOCK_SKEW > now);
        seen.insert(jti.to_owned(), exp).is_none()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::ClientKey;
    use jsonwebtoken::jwk::Jwk;
    use jsonwebtoken::{EncodingKey, Header};
    use serde_json::{Value, json};

    const ISSUER: &str = "http://localhost:8080/";
    const NOW: i64 = 1_750_000_000;

    fn provider_key() -> (EncodingKey, JwkSet) {
        let key = EncodingKey::from_ec_pem(ClientKey::generate_pem().unwrap().as_bytes()).unwrap();
        let mut jwk = Jwk::from_encoding_key(&key, Algorithm::ES256).unwrap();
        jwk.common.key_id = Some("provider-1".into());
        (key, JwkSet { keys: vec![jwk] })
    }

    fn claims() -> Value {
        json!({
            "iss": ISSUER, "aud": "benefits", "iat": NOW - 5, "exp": NOW + 115,
            "jti": "j-1", "sub": "urn:fdc:gov.uk:2022:x", "sid": "s-1",
            "events": { BACKCHANNEL_LOGOUT_EVENT: {} }
        })
    }

    fn sign(key: &EncodingKey, typ: &str, kid: &str, claims: &Value) -> String {
        let mut header = Header::new(Algorithm::ES256);
        header.kid = Some(kid.into());
        header.typ = Some(typ.into());
        jsonwebtoken::encode(&header, claims, key).unwrap()
    }

    fn check(token: &str, keys: &JwkSet) -> Result<(LogoutOf, String, i64)> {
        verify(
            token,
            keys,
            &Expected {
                issuer: ISSUER,
                client_id: "benefits",
            },
            NOW,
        )
    }

    #[test]
    fn a_good_token_names_the_session() {
        let (key, keys) = provider_key();
        let (of, jti, exp) =
            check(&sign(&key, "logout+jwt", "provider-1", &claims()), &keys).unwrap();
        assert_eq!(of.sid.as_deref(), Some("s-1"));
        assert_eq!(of.sub.as_deref(), Some("urn:fdc:gov.uk:2022:x"));
        assert_eq!((jti.as_str(), exp), ("j-1", NOW + 115));
    }

    #[test]
    fn every_rule_rejects() {
        let (key, keys) = provider_key();
        let changes: Vec<(&str, Value)> = vec![
            ("iss", json!("http://evil.localhost/")),
            ("aud", json!("driving-licence")),
            ("exp", json!(NOW - 61)),
            ("iat", json!(NOW + 3600)),
            ("iat", json!(NOW - 3600)),
            ("events", json!({})),
            ("events", json!({ BACKCHANNEL_LOGOUT_EVENT: "yes" })),
            ("nonce", json!("n")),
            ("jti", json!("")),
        ];
        for (claim, value) in changes {
            let mut claims = claims();
            claims[claim] = value.clone();
            let token = sign(&key, "logout+jwt", "provider-1", &claims);
            assert!(
                matches!(check(&token, &keys), Err(Error::LogoutTokenRejected(_))),
                "{claim} = {value}"
            );
        }
        let mut claims = claims();
        claims.as_object_mut().unwrap().remove("sub");
        claims.as_object_mut().unwrap().remove("sid");
        assert!(check(&sign(&key, "logout+jwt", "provider-1", &claims), &keys).is_err());
        // An ID token (typ JWT) is not a logout token; nor is one under an unknown key or
        // signed by another key.
        assert!(check(&sign(&key, "JWT", "provider-1", &self::claims()), &keys).is_err());
        assert!(
            check(
                &sign(&key, "logout+jwt", "provider-2", &self::claims()),
                &keys
            )
            .is_err()
        );
        let (other, _) = provider_key();
        assert!(
            check(
                &sign(&other, "logout+jwt", "provider-1", &self::claims()),
                &keys
            )
            .is_err()
        );
    }

    #[test]
    fn a_jti_is_used_once() {
        let guard = ReplayGuard::default();
        assert!(guard.first_use("j-1", NOW + 120, NOW));
        assert!(!guard.first_use("j-1", NOW + 120, NOW + 10));
        assert!(guard.first_use("j-2", NOW + 120, NOW + 10));
        // Forgotten only once the token could no longer pass the exp check anyway.
        assert!(guard.first_use("j-1", NOW + 120, NOW + 200));
    }
}
