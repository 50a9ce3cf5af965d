//! Selective Disclosure for JWTs (SD-JWT, RFC 9901) as SD-JWT VC (`dc+sd-jwt`,
//! draft-ietf-oauth-sd-jwt-vc) uses it: the issuer signs digests of salted disclosures, the
//! holder presents only some of them with a key binding JWT, the verifier checks both.
//!
//! Written here rather than taken from a crate: the Rust crates on crates.io either implement
//! an earlier draft (`sd-jwt-rs`: draft 7, before `sd_hash`) or bring their own cryptography
//! stack (`sd-jwt-payload`: iota-crypto), while this needs only what the crate already has
//! (ES256 through `jsonwebtoken`, SHA-256 and random salts through `aws-lc-rs`). Only flat
//! credentials are handled: each selectively disclosable claim is a top-level object property
//! (RFC 9901 §4.2.1); array elements and nested `_sd` are neither issued nor accepted.

use aws_lc_rs::digest::{SHA256, digest as sha256};
use aws_lc_rs::rand::{SecureRandom, SystemRandom};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::jwk::Jwk;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde_json::{Map, Value};

use crate::error::{Error, Result};

/// The JWS `typ` of an SD-JWT VC (draft-ietf-oauth-sd-jwt-vc §3.2.1).
pub const SD_JWT_VC_TYPE: &str = "dc+sd-jwt";
/// The JWS `typ` of a key binding JWT (RFC 9901 §4.3).
pub const KB_JWT_TYPE: &str = "kb+jwt";
/// The only digest algorithm issued and accepted (RFC 9901 §4.1.1: `sha-256` is the default).
pub const SD_ALG: &str = "sha-256";
/// Claim names an issuer may not make selectively disclosable (RFC 9901 §4.2.1, and
/// draft-ietf-oauth-sd-jwt-vc §3.2.2.2 for the ones a verifier must see to process the VC).
const ALWAYS_VISIBLE: [&str; 10] = [
    "_sd", "...", "_sd_alg", "iss", "nbf", "exp", "cnf", "vct", "status", "iat",
];
/// How far a key binding JWT's `iat` may be from the verifier's clock, in seconds.
pub const KB_JWT_LEEWAY: i64 = 300;

fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

fn malformed(why: impl Into<String>) -> Error {
    Error::CredentialMalformed(why.into())
}

/// base64url(SHA-256(ASCII of `text`)): a disclosure's digest (RFC 9901 §4.2.3), and the
/// key binding JWT's `sd_hash` (§4.3.1).
pub fn digest_of(text: &str) -> String {
    b64(sha256(&SHA256, text.as_bytes()).as_ref())
}

/// One disclosure: a salt, a claim name and its value (RFC 9901 §4.2.1), with its encoding as
/// issued (digests are over the encoding, never a re-serialisation).
#[derive(Clone, Debug, PartialEq)]
pub struct Disclosure {
    pub salt: String,
    pub name: String,
    pub value: Value,
    pub encoded: String,
}

impl Disclosure {
    /// A disclosure of `name` with a fresh 128-bit salt (RFC 9901 §9.3 asks for at least 128
    /// bits from a secure random source).
    pub fn new(name: &str, value: Value) -> Result<Disclosure> {
        let mut salt = [0u8; 16];
        SystemRandom::new()
            .fill(&mut salt)
            .map_err(|_| Error::Signing("no random salt".into()))?;
        Self::with_salt(&b64(&salt), name, value)
    }

    /// A disclosure with a given salt: for the specification's examples.
    pub fn with_salt(salt: &str, name: &str, value: Value) -> Result<Disclosure> {
        if ALWAYS_VISIBLE.contains(&name) {
            return Err(malformed(format!(
                "`{name}` cannot be selectively disclosed"
            )));
        }
        let array = Value::Array(vec![salt.into(), name.into(), value.clone()]);
        let json = serde_json::to_string(&array).map_err(|e| malformed(e.to_string()))?;
        Ok(Disclosure {
            salt: salt.to_owned(),
            name: name.to_owned(),
            value,
            encoded: b64(json.as_bytes()),
        })
    }

    /// Reads an encoded disclosure of an object property: a JSON array of three elements,
    /// salt and name strings (RFC 9901 §7.1 step 3.c.ii).
    pub fn parse(encoded: &str) -> Result<Disclosure> {
        let bytes = URL_SAFE_NO_PAD
            .decode(encoded)
            .map_err(|_| malformed("a disclosure is not base64url"))?;
        let array: Vec<Value> = serde_json::from_slice(&bytes)
            .map_err(|_| malformed("a disclosure is not a JSON array"))?;
        let [Value::String(salt), Value::String(name), value] = <[Value; 3]>::try_from(array)
            .map_err(|_| malformed("a disclosure must hold a salt, a name and a value"))?
        else {
            return Err(malformed("a disclosure's salt and name must be strings"));
        };
        if ALWAYS_VISIBLE.contains(&name.as_str()) {
            return Err(malformed(format!("a disclosure of `{name}`")));
        }
        Ok(Disclosure {
            salt,
            name,
            value,
            encoded: encoded.to_owned(),
        })
    }

    /// This disclosure's digest, as the issuer lists it in `_sd`.
    pub fn digest(&self) -> String {
        digest_of(&self.encoded)
    }
}

/// An SD-JWT split at its `~`s (RFC 9901 §4): the issuer-signed JWT, the disclosures, and
/// the key binding JWT when it is a presentation with one.
#[derive(Clone, Debug, PartialEq)]
pub struct SdJwt {
    pub jwt: String,
    pub disclosures: Vec<String>,
    pub key_binding: Option<String>,
}

impl SdJwt {
    /// Splits `<JWT>~<D1>~...~<Dn>~[<KB-JWT>]`.
    pub fn parse(serialized: &str) -> Result<SdJwt> {
        let mut parts: Vec<&str> = serialized.split('~').collect();
        if parts.len() < 2 {
            return Err(malformed("an SD-JWT ends with `~` or a key binding JWT"));
        }
        let last = parts.pop().unwrap_or_default();
        let jwt = parts.remove(0).to_owned();
        if parts.iter().any(|d| d.is_empty()) {
            return Err(malformed("an empty disclosure"));
        }
        Ok(SdJwt {
            jwt,
            disclosures: parts.into_iter().map(str::to_owned).collect(),
            key_binding: (!last.is_empty()).then(|| last.to_owned()),
        })
    }

    /// The serialisation without a key binding JWT: `<JWT>~<D1>~...~<Dn>~`, over which
    /// `sd_hash` is computed (RFC 9901 §4.3.1).
    pub fn without_key_binding(&self) -> String {
        let mut out = self.jwt.clone();
        out.push('~');
        for disclosure in &self.disclosures {
            out.push_str(disclosure);
            out.push('~');
        }
        out
    }

    /// The full serialisation.
    pub fn serialize(&self) -> String {
        let mut out = self.without_key_binding();
        if let Some(kb) = &self.key_binding {
            out.push_str(kb);
        }
        out
    }
}

/// Issues an SD-JWT: `visible` as they are, each of `disclosable` as a disclosure whose digest
/// is in `_sd` (sorted, so the order of the claims is hidden: RFC 9901 §4.2.4.1), signed ES256
/// with `key` under `kid`, typed `dc+sd-jwt`. Returns `<JWT>~<D1>~...~<Dn>~`.
pub fn issue(
    key: &EncodingKey,
    kid: &str,
    mut visible: Map<String, Value>,
    disclosable: Vec<(String, Value)>,
) -> Result<String> {
    let disclosures = disclosable
        .into_iter()
        .map(|(name, value)| Disclosure::new(&name, value))
        .collect::<Result<Vec<_>>>()?;
    let mut digests: Vec<String> = disclosures.iter().map(Disclosure::digest).collect();
    digests.sort_unstable();
    for d in &disclosures {
        if visible.contains_key(&d.name) {
            return Err(malformed(format!(
                "`{}` both visible and disclosable",
                d.name
            )));
        }
    }
    visible.insert(
        "_sd".into(),
        Value::Array(digests.into_iter().map(Value::String).collect()),
    );
    visible.insert("_sd_alg".into(), SD_ALG.into());
    let mut header = Header::new(Algorithm::ES256);
    header.typ = Some(SD_JWT_VC_TYPE.to_owned());
    header.kid = Some(kid.to_owned());
    let jwt = jsonwebtoken::encode(&header, &Value::Object(visible), key)
        .map_err(|e| Error::Signing(e.to_string()))?;
    Ok(SdJwt {
        jwt,
        disclosures: disclosures.into_iter().map(|d| d.encoded).collect(),
        key_binding: None,
    }
    .serialize())
}

/// The holder's side (RFC 9901 §4.3, §6): from an issued SD-JWT, a presentation with only the
/// disclosures whose claim name `keep` accepts, bound to the holder's key by a key binding JWT
/// for `audience` with the verifier's `nonce`, issued at `now`.
pub fn present(
    issued: &str,
    keep: &dyn Fn(&str) -> bool,
    holder_key: &EncodingKey,
    audience: &str,
    nonce: &str,
    now: i64,
) -> Result<String> {
    let mut sd_jwt = SdJwt::parse(issued)?;
    let mut kept = Vec::new();
    for encoded in sd_jwt.disclosures {
        if keep(&Disclosure::parse(&encoded)?.name) {
            kept.push(encoded);
        }
    }
    sd_jwt.disclosures = kept;
    let sd_hash = digest_of(&sd_jwt.without_key_binding());
    let mut header = Header::new(Algorithm::ES256);
    header.typ = Some(KB_JWT_TYPE.to_owned());
    let claims = serde_json::json!({
        "iat": now, "aud": audience, "nonce": nonce, "sd_hash": sd_hash,
    });
    sd_jwt.key_binding = Some(
        jsonwebtoken::encode(&header, &claims, holder_key)
            .map_err(|e| Error::Signing(e.to_string()))?,
    );
    Ok(sd_jwt.serialize())
}

/// What a verifier expects of a presentation.
#[derive(Clone, Copy, Debug)]
pub struct PresentationCheck<'a> {
    /// The issuer's `iss`.
    pub issuer: &'a str,
    /// The verifier's own identifier: the key binding JWT's `aud`.
    pub audience: &'a str,
    /// The nonce the verifier gave the holder for this presentation.
    pub nonce: &'a str,
    /// The verifier's clock, in seconds.
    pub now: i64,
}

/// Verifies an SD-JWT VC presentation (RFC 9901 §7.1 and §7.3): the issuer's ES256 signature
/// with `issuer_key`, its `typ`, `iss`, `exp` and `nbf`, `_sd_alg`; every disclosure's digest
/// listed once in `_sd` and naming a claim not already there; then the key binding JWT, which
/// is required, signed with the key in `cnf.jwk`, for `audience` with `nonce`, recent, and
/// over exactly these disclosures (`sd_hash`). Returns the claims: the visible ones and the
/// disclosed ones, without `_sd` and `_sd_alg`. The status is the caller's to check.
pub fn verify_presentation(
    presentation: &str,
    issuer_key: &DecodingKey,
    check: &PresentationCheck<'_>,
) -> Result<Map<String, Value>> {
    let sd_jwt = SdJwt::parse(presentation)?;
    let key_binding = sd_jwt
        .key_binding
        .as_deref()
        .ok_or_else(|| malformed("a presentation without a key binding JWT"))?;
    let mut payload = verified_payload(&sd_jwt.jwt, SD_JWT_VC_TYPE, issuer_key)?;
    if payload.get("iss").and_then(Value::as_str) != Some(check.issuer) {
        return Err(Error::CredentialIssuer {
            expected: check.issuer.to_owned(),
            found: payload
                .get("iss")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_owned(),
        });
    }
    let time = |name: &str| payload.get(name).and_then(Value::as_i64);
    if time("exp").is_none_or(|exp| exp <= check.now) {
        return Err(Error::CredentialExpired);
    }
    if time("nbf").is_some_and(|nbf| nbf > check.now) {
        return Err(Error::CredentialNotYetValid);
    }
    if payload.remove("_sd_alg") != Some(Value::String(SD_ALG.into())) {
        return Err(malformed("_sd_alg must be sha-256"));
    }
    let listed: Vec<String> = match payload.remove("_sd") {
        None => Vec::new(),
        Some(Value::Array(digests)) => digests
            .into_iter()
            .map(|d| match d {
                Value::String(d) => Ok(d),
                _ => Err(malformed("_sd holds a non-string")),
            })
            .collect::<Result<_>>()?,
        Some(_) => return Err(malformed("_sd is not an array")),
    };
    let mut used = Vec::new();
    for encoded in &sd_jwt.disclosures {
        let disclosure = Disclosure::parse(encoded)?;
        let digest = disclosure.digest();
        // §7.1 step 3 and 4: each disclosure referenced by the signed payload, and once only.
        if !listed.contains(&digest) {
            return Err(malformed("a disclosure the issuer did not sign"));
        }
        if used.contains(&digest) {
            return Err(malformed("a disclosure given twice"));
        }
        used.push(digest);
        if payload.contains_key(&disclosure.name) {
            return Err(malformed(format!("`{}` disclosed twice", disclosure.name)));
        }
        payload.insert(disclosure.name, disclosure.value);
    }
    check_key_binding(&sd_jwt, key_binding, &payload, check)?;
    Ok(payload)
}

/// §7.3: the key binding JWT, signed by the key the issuer bound (`cnf.jwk`, RFC 7800).
fn check_key_binding(
    sd_jwt: &SdJwt,
    key_binding: &str,
    payload: &Map<String, Value>,
    check: &PresentationCheck<'_>,
) -> Result<()> {
    let jwk: Jwk = payload
        .get("cnf")
        .and_then(|cnf| cnf.get("jwk"))
        .cloned()
        .and_then(|jwk| serde_json::from_value(jwk).ok())
        .ok_or_else(|| malformed("no cnf.jwk to check the key binding with"))?;
    let holder_key = DecodingKey::from_jwk(&jwk).map_err(|e| Error::Key(e.to_string()))?;
    let claims = verified_payload(key_binding, KB_JWT_TYPE, &holder_key)?;
    let text = |name: &str| claims.get(name).and_then(Value::as_str);
    if text("aud") != Some(check.audience) {
        return Err(malformed("key binding JWT for another audience"));
    }
    let nonce_ok = text("nonce").is_some_and(|n| same_bytes(n.as_bytes(), check.nonce.as_bytes()));
    if !nonce_ok {
        return Err(malformed("key binding JWT with another nonce"));
    }
    let iat = claims
        .get("iat")
        .and_then(Value::as_i64)
        .ok_or_else(|| malformed("key binding JWT without iat"))?;
    // abs_diff: an `iat` of i64::MIN must not overflow into "recent".
    if iat.abs_diff(check.now) > KB_JWT_LEEWAY.unsigned_abs() {
        return Err(malformed("key binding JWT not recent"));
    }
    if text("sd_hash") != Some(digest_of(&sd_jwt.without_key_binding()).as_str()) {
        return Err(malformed(
            "key binding JWT over other disclosures (sd_hash)",
        ));
    }
    Ok(())
}

/// Constant-time equality, for the nonce.
fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && aws_lc_rs::constant_time::verify_slices_are_equal(a, b).is_ok()
}

/// A JWS's payload after checking its header (`alg` ES256 only, `typ` exactly `typ`) and its
/// signature with `key`. Time claims are the caller's to check.
fn verified_payload(jwt: &str, typ: &str, key: &DecodingKey) -> Result<Map<String, Value>> {
    let header = jsonwebtoken::decode_header(jwt).map_err(|e| malformed(e.to_string()))?;
    if header.alg != Algorithm::ES256 {
        return Err(Error::CredentialAlgorithm(format!("{:?}", header.alg)));
    }
    if header.typ.as_deref() != Some(typ) {
        return Err(malformed(format!("typ must be {typ}")));
    }
    let mut validation = Validation::new(Algorithm::ES256);
    validation.required_spec_claims.clear();
    validation.validate_exp = false;
    validation.validate_nbf = false;
    validation.validate_aud = false;
    jsonwebtoken::decode::<Map<String, Value>>(jwt, key, &validation)
        .map(|data| data.claims)
        .map_err(|e| match e.kind() {
            jsonwebtoken::errors::ErrorKind::InvalidSignature => Error::CredentialSignature,
            _ => malformed(e.to_string()),
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::CredentialSigner;
    use serde_json::json;

    /// RFC 9901 §4.2.1 and §4.2.3: the specification's disclosure of `family_name` and its
    /// digest, which this code did not produce.
    const RFC_DISCLOSURE: &str =
        "WyJfMjZiYzRMVC1hYzZxMktJNmNCVzVlcyIsICJmYW1pbHlfbmFtZSIsICJNw7ZiaXVzIl0";
    const RFC_DIGEST: &str = "X9yH0Ajrdm1Oij4tWso9UzzKJvPoDxwmuEcO3XAdRC0";

    #[test]
    fn the_rfc_example_disclosure_reads_and_hashes_as_published() {
        let disclosure = Disclosure::parse(RFC_DISCLOSURE).unwrap();
        assert_eq!(disclosure.salt, "_26bc4LT-ac6q2KI6cBW5es");
        assert_eq!(disclosure.name, "family_name");
        assert_eq!(disclosure.value, json!("Möbius"));
        assert_eq!(disclosure.digest(), RFC_DIGEST);
        // Ours has no spaces, another valid encoding of the same content (§4.2.1), so another
        // digest: digests are over the encoding as sent.
        let ours = Disclosure::with_salt("_26bc4LT-ac6q2KI6cBW5es", "family_name", json!("Möbius"))
            .unwrap();
        assert_eq!(
            ours.encoded,
            "WyJfMjZiYzRMVC1hYzZxMktJNmNCVzVlcyIsImZhbWlseV9uYW1lIiwiTcO2Yml1cyJd"
        );
        assert_ne!(ours.digest(), RFC_DIGEST);
    }

    #[test]
    fn bad_disclosures_are_refused() {
        for bad in [
            "not base64!",
            &b64(b"{\"a\": 1}"),
            &b64(b"[\"salt\", \"name\"]"),
            &b64(b"[1, \"name\", true]"),
            &b64(b"[\"salt\", \"_sd\", []]"),
        ] {
            assert!(Disclosure::parse(bad).is_err(), "{bad}");
        }
        assert!(Disclosure::new("cnf", json!({})).is_err());
    }

    struct Keys {
        issuer: EncodingKey,
        issuer_public: DecodingKey,
        holder: EncodingKey,
        holder_jwk: Value,
    }

    fn fresh_keys() -> Keys {
        let pem = CredentialSigner::generate_pkcs8_pem().unwrap();
        let signer =
            CredentialSigner::from_pkcs8_pem("https://id.example/", "k1", pem.as_bytes()).unwrap();
        let issuer_public = DecodingKey::from_jwk(&signer.public_jwk().unwrap()).unwrap();
        let holder_pem = CredentialSigner::generate_pkcs8_pem().unwrap();
        let holder_signer =
            CredentialSigner::from_pkcs8_pem("wallet", "h", holder_pem.as_bytes()).unwrap();
        let mut holder_jwk = serde_json::to_value(holder_signer.public_jwk().unwrap()).unwrap();
        holder_jwk.as_object_mut().unwrap().remove("kid");
        Keys {
            issuer: EncodingKey::from_ec_pem(pem.as_bytes()).unwrap(),
            issuer_public,
            holder: EncodingKey::from_ec_pem(holder_pem.as_bytes()).unwrap(),
            holder_jwk,
        }
    }

    const NOW: i64 = 1_800_000_000;

    fn issued(keys: &Keys) -> String {
        let visible = json!({"iss": "https://id.example/", "iat": NOW, "exp": NOW + 3600,
            "vct": "https://id.example/vct/identity", "cnf": {"jwk": keys.holder_jwk}})
        .as_object()
        .unwrap()
        .clone();
        issue(
            &keys.issuer,
            "k1",
            visible,
            vec![
                ("given_name".into(), json!("Kenneth")),
                ("family_name".into(), json!("Decerqueira")),
                ("birthdate".into(), json!("1965-07-08")),
                ("age_over_18".into(), json!(true)),
            ],
        )
        .unwrap()
    }

    fn check() -> PresentationCheck<'static> {
        PresentationCheck {
            issuer: "https://id.example/",
            audience: "https://shop.example/",
            nonce: "n-1",
            now: NOW + 10,
        }
    }

    fn only_age(name: &str) -> bool {
        name == "age_over_18"
    }

    #[test]
    fn a_presentation_of_the_age_alone_verifies_and_discloses_nothing_else() {
        let keys = fresh_keys();
        let issued = issued(&keys);
        let parsed = SdJwt::parse(&issued).unwrap();
        assert_eq!(parsed.disclosures.len(), 4);
        assert_eq!(parsed.key_binding, None);
        let presented = present(
            &issued,
            &only_age,
            &keys.holder,
            "https://shop.example/",
            "n-1",
            NOW + 5,
        )
        .unwrap();
        let claims = verify_presentation(&presented, &keys.issuer_public, &check()).unwrap();
        assert_eq!(claims["age_over_18"], json!(true));
        for hidden in ["given_name", "family_name", "birthdate", "_sd", "_sd_alg"] {
            assert!(!claims.contains_key(hidden), "{hidden}");
        }
        assert!(!presented.contains(&URL_SAFE_NO_PAD.encode("1965")));
    }

    #[test]
    fn tampering_and_the_wrong_verifier_are_refused() {
        let keys = fresh_keys();
        let issued = issued(&keys);
        let present_to = |aud: &str, nonce: &str, at: i64| {
            present(&issued, &only_age, &keys.holder, aud, nonce, at).unwrap()
        };
        let good = present_to("https://shop.example/", "n-1", NOW);
        let refused = |presentation: &str| {
            verify_presentation(presentation, &keys.issuer_public, &check()).is_err()
        };
        assert!(!refused(&good));
        // A disclosure the issuer did not sign (the holder's own age claim).
        let mut forged = SdJwt::parse(&good).unwrap();
        forged.disclosures = vec![Disclosure::new("age_over_18", json!(true)).unwrap().encoded];
        assert!(refused(&forged.serialize()));
        // A disclosure added after the key binding (its sd_hash no longer matches).
        let all = SdJwt::parse(&issued).unwrap();
        let mut extended = SdJwt::parse(&good).unwrap();
        extended.disclosures = all.disclosures.clone();
        assert!(refused(&extended.serialize()));
        // The same disclosure twice.
        let mut doubled = SdJwt::parse(&good).unwrap();
        doubled.disclosures.push(doubled.disclosures[0].clone());
        assert!(refused(&doubled.serialize()));
        // No key binding, another audience, another nonce, an old one.
        assert!(refused(&SdJwt::parse(&good).unwrap().without_key_binding()));
        assert!(refused(&present_to("https://other.example/", "n-1", NOW)));
        assert!(refused(&present_to("https://shop.example/", "n-2", NOW)));
        assert!(refused(&present_to(
            "https://shop.example/",
            "n-1",
            NOW - 3600
        )));
        // Signed by a key other than the one in cnf.
        let other = fresh_keys();
        let stolen = present(
            &issued,
            &only_age,
            &other.holder,
            "https://shop.example/",
            "n-1",
            NOW,
        )
        .unwrap();
        assert!(refused(&stolen));
        // The issuer's signature over a changed payload.
        let mut parts: Vec<&str> = good.splitn(2, '~').collect();
        let segments: Vec<&str> = parts[0].split('.').collect();
        let altered_payload =
            b64(br#"{"iss":"https://id.example/","exp":9999999999,"_sd":[],"_sd_alg":"sha-256"}"#);
        let altered = format!("{}.{}.{}", segments[0], altered_payload, segments[2]);
        parts[0] = &altered;
        assert!(refused(&parts.join("~")));
        // Expired by the verifier's clock.
        let late = PresentationCheck {
            now: NOW + 7200,
            ..check()
        };
        let fresh = present_to("https://shop.example/", "n-1", NOW + 7200);
        assert!(matches!(
            verify_presentation(&fresh, &keys.issuer_public, &late),
            Err(Error::CredentialExpired)
        ));
    }
}
