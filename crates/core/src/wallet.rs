//! The proven identity in a wallet (issue 17 §3): the provider as a credential issuer under
//! OpenID for Verifiable Credential Issuance 1.0 (OID4VCI), pre-authorized code flow only,
//! issuing an SD-JWT VC (`dc+sd-jwt`) of the proven identity, each claim selectively
//! disclosable, bound to the wallet's key, signed with the identity key of `did.json`, with an
//! entry in a Token Status List that closing the account or losing the identity sets.
//!
//! Codes, access tokens and nonces live in the short-lived store under the SHA-256 of their
//! value (a store dump holds nothing usable); each is single-use where the standard says so.

use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use identity_proofing::status_list::StatusList;
use identity_proofing::{AgeThreshold, ConfidenceLevel, ProvenIdentity, age_over};
use jsonwebtoken::jwk::Jwk;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde_json::{Map, Value, json};

use crate::error::{Error, OAuthError, Result};
use crate::identity::IdentityService;
use crate::oidc::grants::hash_token;
use crate::oidc::keys::KeySet;
use crate::oidc::userinfo_claims::utc_day;
use crate::random::random_token;
use one_login_store::Database;
use one_login_store::ephemeral::EphemeralStore;

/// The one credential offered (OID4VCI §12.2.4 `credential_configurations_supported` key).
pub const CONFIGURATION_ID: &str = "UKIdentityCredential";
/// OID4VCI §4.1.1: the pre-authorized code grant type.
pub const PRE_AUTHORIZED_GRANT: &str = "urn:ietf:params:oauth:grant-type:pre-authorized_code";
/// OID4VCI Appendix F.1: the `typ` of a key proof JWT.
pub const PROOF_TYPE: &str = "openid4vci-proof+jwt";
/// The status list's path under the issuer, and its size: 2^17 one-bit entries (16 KiB before
/// compression), chosen at random so that indices say nothing about who or when.
pub const STATUS_LIST_PATH: &str = "status/identity";
pub const STATUS_LIST_SIZE: u32 = 1 << 17;
/// How long a verifier may cache the status list token.
pub const STATUS_LIST_TTL: i64 = 300;
/// How long an offer's code, an access token and a nonce live.
pub const OFFER_TTL: Duration = Duration::from_secs(300);
const ACCESS_TTL: Duration = Duration::from_secs(300);
const NONCE_TTL: Duration = Duration::from_secs(300);
/// How long an issued credential is valid: the age it states was true when it was issued.
pub const CREDENTIAL_VALIDITY: i64 = 90 * 24 * 3600;
/// How far a proof's `iat` may be from the provider's clock.
const PROOF_LEEWAY: i64 = 300;
/// What a used code or nonce is replaced with, until it would have expired.
const USED: &[u8] = b"used";

/// The credential issuer identifier: the issuer without its final `/` (OID4VCI §12.2.2 makes
/// the metadata URL by inserting `/.well-known/openid-credential-issuer` before any path).
pub fn credential_issuer(issuer: &str) -> &str {
    issuer.trim_end_matches('/')
}

/// The credential type (`vct`, draft-ietf-oauth-sd-jwt-vc §3.2.2.2).
pub fn vct(issuer: &str) -> String {
    format!("{}/credentials/identity", credential_issuer(issuer))
}

fn key_of(kind: &str, secret: &str) -> String {
    format!("wallet:{kind}:{}", hash_token(secret))
}

/// `/.well-known/openid-credential-issuer` (OID4VCI §12.2).
pub fn issuer_metadata(issuer: &str) -> Value {
    let id = credential_issuer(issuer);
    let claim = |path: &[&str], en: &str, cy: &str| json!({"path": path, "display": [{"name": en, "locale": "en"}, {"name": cy, "locale": "cy"}]});
    json!({
        "credential_issuer": id,
        // The token endpoint is the OpenID provider's, whose issuer differs from `id` by its
        // trailing slash: named, so wallets do not look for metadata at `id` (OID4VCI §12.2.4).
        "authorization_servers": [issuer],
        "credential_endpoint": format!("{id}/credential"),
        "nonce_endpoint": format!("{id}/nonce"),
        "display": [{"name": "GOV.UK One Login", "locale": "en"}, {"name": "GOV.UK One Login", "locale": "cy"}],
        "credential_configurations_supported": {
            CONFIGURATION_ID: {
                "format": identity_proofing::sd_jwt::SD_JWT_VC_TYPE,
                "vct": vct(issuer),
                "cryptographic_binding_methods_supported": ["jwk"],
                "credential_signing_alg_values_supported": ["ES256"],
                "proof_types_supported": {"jwt": {"proof_signing_alg_values_supported": ["ES256"]}},
                "credential_metadata": {
                    "display": [{"name": "Proven identity", "locale": "en"},
                                {"name": "Hunaniaeth wedi’i phrofi", "locale": "cy"}],
                    "claims": [
                        claim(&["given_name"], "Given names", "Enwau cyntaf"),
                        claim(&["family_name"], "Family name", "Cyfenw"),
                        claim(&["birthdate"], "Date of birth", "Dyddiad geni"),
                        claim(&["address"], "Address", "Cyfeiriad"),
                        claim(&["age_over_18"], "Over 18", "Dros 18 oed"),
                    ],
                },
            }
        },
    })
}

/// A credential offer by value (OID4VCI §4.1), as a link and its JSON.
#[derive(Debug, Clone)]
pub struct Offer {
    /// `openid-credential-offer://?credential_offer=...`, for a link and a QR code.
    pub uri: String,
    pub json: Value,
}

/// A new offer of the identity credential to the citizen of `account_id`: a pre-authorized
/// code (256 random bits, single use, five minutes) that stands for them at the token
/// endpoint. No transaction code (`tx_code`): the offer is shown only to the signed-in citizen.
pub async fn offer(store: &dyn EphemeralStore, issuer: &str, account_id: &str) -> Result<Offer> {
    let code = random_token();
    store
        .put(&key_of("offer", &code), account_id.as_bytes(), OFFER_TTL)
        .await?;
    let json = json!({
        "credential_issuer": credential_issuer(issuer),
        "credential_configuration_ids": [CONFIGURATION_ID],
        "grants": {PRE_AUTHORIZED_GRANT: {"pre-authorized_code": code}},
    });
    let encoded: String =
        url::form_urlencoded::byte_serialize(json.to_string().as_bytes()).collect();
    Ok(Offer {
        uri: format!("openid-credential-offer://?credential_offer={encoded}"),
        json,
    })
}

/// The token request with a pre-authorized code (OID4VCI §6.1): the code is taken once; a
/// second use, an unknown or an expired code is `invalid_grant`. Anonymous: the code is the
/// only credential (`pre-authorized_grant_anonymous_access_supported`).
pub async fn redeem(store: &dyn EphemeralStore, code: Option<&str>) -> Result<Value> {
    let code =
        code.ok_or_else(|| OAuthError::invalid_request("pre-authorized_code is required"))?;
    let account = match store.swap(&key_of("offer", code), USED).await? {
        Some(value) if value != USED => {
            String::from_utf8(value).map_err(|_| Error::Corrupt("wallet offer".into()))?
        }
        Some(_) => {
            return Err(
                OAuthError::invalid_grant("the pre-authorized code was already used").into(),
            );
        }
        None => {
            return Err(
                OAuthError::invalid_grant("the pre-authorized code is unknown or expired").into(),
            );
        }
    };
    let access_token = random_token();
    store
        .put(
            &key_of("access", &access_token),
            account.as_bytes(),
            ACCESS_TTL,
        )
        .await?;
    Ok(json!({
        "access_token": access_token,
        "token_type": "Bearer",
        "expires_in": ACCESS_TTL.as_secs(),
    }))
}

/// The nonce endpoint (OID4VCI §7): a fresh `c_nonce`, single use, five minutes.
pub async fn nonce(store: &dyn EphemeralStore) -> Result<Value> {
    let nonce = random_token();
    store
        .put(&key_of("nonce", &nonce), b"fresh", NONCE_TTL)
        .await?;
    Ok(json!({ "c_nonce": nonce }))
}

/// What the credential endpoint needs besides the request.
pub struct Issuance<'a> {
    pub issuer: &'a str,
    pub identity: &'a IdentityService,
    pub keys: &'a KeySet,
    pub db: &'a Database,
    pub store: &'a dyn EphemeralStore,
}

fn credential_error(error: &'static str, description: &str) -> Error {
    OAuthError::new(400, error, description).into()
}

/// The account an access token from [`redeem`] stands for; `invalid_token` otherwise.
pub async fn account_for(store: &dyn EphemeralStore, access_token: &str) -> Result<String> {
    let value = store
        .get(&key_of("access", access_token))
        .await?
        .filter(|value| value != USED)
        .ok_or_else(|| OAuthError::invalid_token("the access token is not valid"))?;
    String::from_utf8(value).map_err(|_| Error::Corrupt("wallet access token".into()))
}

/// The credential endpoint (OID4VCI §8): one credential of [`CONFIGURATION_ID`], bound to the
/// key in the request's one `jwt` proof.
pub async fn issue(
    issuance: &Issuance<'_>,
    access_token: &str,
    request: &Value,
    now: i64,
) -> Result<Value> {
    let account_id = account_for(issuance.store, access_token).await?;
    if request
        .get("credential_configuration_id")
        .and_then(Value::as_str)
        != Some(CONFIGURATION_ID)
    {
        return Err(credential_error(
            "unknown_credential_configuration",
            "credential_configuration_id must be UKIdentityCredential",
        ));
    }
    let proofs = request
        .get("proofs")
        .and_then(|p| p.get("jwt"))
        .and_then(Value::as_array)
        .filter(|p| p.len() == 1)
        .and_then(|p| p[0].as_str())
        .ok_or_else(|| {
            credential_error(
                "invalid_proof",
                "exactly one jwt proof is required (proofs.jwt)",
            )
        })?;
    let holder_key = check_proof(issuance.store, issuance.issuer, proofs, now).await?;
    let held = issuance
        .identity
        .evidence(issuance.db, issuance.keys, &account_id, now)
        .await?;
    let identity = identity_proofing::prove(&held, ConfidenceLevel::P2).map_err(|_| {
        credential_error(
            "credential_request_denied",
            "the identity is not proven to P2 now",
        )
    })?;
    // One credential per access token: each takes an index of the status list, which one
    // token must not be able to use up. Taken only now, so a refused request can be mended.
    match issuance
        .store
        .swap(&key_of("access", access_token), USED)
        .await?
    {
        Some(value) if value != USED => {}
        _ => return Err(OAuthError::invalid_token("the access token was used").into()),
    }
    let idx = issuance
        .db
        .wallet_credentials()
        .issue(
            &account_id,
            now,
            now + CREDENTIAL_VALIDITY,
            STATUS_LIST_SIZE,
        )
        .await?;
    let credential = issuance.identity.sd_jwt_vc(
        issuance.keys,
        visible_claims(issuance.issuer, holder_key, idx, now),
        disclosable_claims(&identity, utc_day(now)),
        now,
    )?;
    tracing::info!(account = %account_id, "identity credential issued to a wallet");
    Ok(json!({ "credentials": [{ "credential": credential }] }))
}

/// The claims every verifier sees: issuer, times, type, the wallet's key, the status entry.
fn visible_claims(issuer: &str, holder_key: Value, idx: u32, now: i64) -> Map<String, Value> {
    let mut claims = Map::new();
    claims.insert("iss".into(), credential_issuer(issuer).into());
    claims.insert("iat".into(), now.into());
    claims.insert("exp".into(), (now + CREDENTIAL_VALIDITY).into());
    claims.insert("vct".into(), vct(issuer).into());
    claims.insert("cnf".into(), json!({ "jwk": holder_key }));
    claims.insert(
        "status".into(),
        json!({"status_list": {"idx": idx, "uri": format!("{}/{STATUS_LIST_PATH}", credential_issuer(issuer))}}),
    );
    claims
}

/// The claims the holder chooses to disclose, each on its own: names, birth date, current
/// address (OpenID Connect Core §5.1.1 shape), and whether 18 or over on the day of issue.
pub fn disclosable_claims(identity: &ProvenIdentity, today: time::Date) -> Vec<(String, Value)> {
    let mut claims = Vec::new();
    if let Some(name) = identity.name.first() {
        claims.push(("given_name".into(), name.given_names().join(" ").into()));
        if let Some(family) = name.family_name() {
            claims.push(("family_name".into(), family.into()));
        }
    }
    if let Some(birth) = identity.birth_date.first() {
        claims.push(("birthdate".into(), birth.value.to_string().into()));
    }
    if let Some(address) = identity
        .address
        .iter()
        .find(|a| a.valid_until.is_none())
        .or(identity.address.first())
    {
        let street = [
            address.building_number.as_deref(),
            address.street_name.as_deref(),
        ]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
        let mut value =
            json!({"postal_code": address.postal_code, "country": address.address_country});
        if !street.is_empty() {
            value["street_address"] = street.into();
        }
        if let Some(locality) = &address.address_locality {
            value["locality"] = locality.clone().into();
        }
        claims.push(("address".into(), value));
    }
    if let Some(over) = age_over(identity, AgeThreshold::Over18, today) {
        claims.push((AgeThreshold::Over18.claim().into(), over.into()));
    }
    claims
}

/// OID4VCI Appendix F.1: a proof JWT typed `openid4vci-proof+jwt`, ES256, the wallet's public
/// key in the header `jwk` (no `kid`, no `x5c`), signed by that key, `aud` the credential
/// issuer, recent `iat`, and a `nonce` from the nonce endpoint, which is used up here. The
/// wallet's public key, as a JWK for `cnf`.
async fn check_proof(
    store: &dyn EphemeralStore,
    issuer: &str,
    proof: &str,
    now: i64,
) -> Result<Value> {
    let invalid = |why: &str| credential_error("invalid_proof", why);
    let header =
        jsonwebtoken::decode_header(proof).map_err(|_| invalid("the proof is not a JWT"))?;
    if header.typ.as_deref() != Some(PROOF_TYPE) || header.alg != Algorithm::ES256 {
        return Err(invalid("the proof must be an ES256 openid4vci-proof+jwt"));
    }
    if header.kid.is_some() || header.x5c.is_some() {
        return Err(invalid("the proof names its key by jwk only"));
    }
    let jwk: Jwk = header.jwk.ok_or_else(|| invalid("the proof has no jwk"))?;
    if header_jwk_has_private_part(proof) {
        return Err(invalid("the proof's jwk must be a public key"));
    }
    let key = DecodingKey::from_jwk(&jwk).map_err(|_| invalid("the proof's jwk is not usable"))?;
    let mut validation = Validation::new(Algorithm::ES256);
    // OID4VCI 1.0 App. F.1: `aud` (the issuer) is required; jsonwebtoken checks an audience
    // only when the claim is present unless it is also a required claim.
    validation.set_required_spec_claims(&["aud"]);
    validation.validate_exp = false;
    validation.set_audience(&[credential_issuer(issuer)]);
    let claims = jsonwebtoken::decode::<Map<String, Value>>(proof, &key, &validation)
        .map_err(|_| invalid("the proof's signature or audience is wrong"))?
        .claims;
    let iat = claims
        .get("iat")
        .and_then(Value::as_i64)
        .ok_or_else(|| invalid("the proof has no iat"))?;
    // abs_diff: an `iat` of i64::MIN must not overflow into "recent".
    if iat.abs_diff(now) > PROOF_LEEWAY.unsigned_abs() {
        return Err(invalid("the proof is not recent"));
    }
    let nonce = claims
        .get("nonce")
        .and_then(Value::as_str)
        .ok_or_else(|| credential_error("invalid_nonce", "the proof has no nonce"))?;
    match store.swap(&key_of("nonce", nonce), USED).await? {
        Some(value) if value != USED => {}
        _ => {
            return Err(credential_error(
                "invalid_nonce",
                "the proof's nonce is unknown, used or expired: ask the nonce endpoint again",
            ));
        }
    }
    let mut public = serde_json::to_value(&jwk).map_err(|e| Error::Internal(e.to_string()))?;
    if let Some(object) = public.as_object_mut() {
        object.retain(|name, _| matches!(name.as_str(), "kty" | "crv" | "x" | "y"));
    }
    Ok(public)
}

/// Whether the proof's header `jwk` carries a private key (`d`), read from the header as sent:
/// jsonwebtoken's `Jwk` drops `d` when it parses, so it cannot tell (OID4VCI 1.0 App. F.1).
fn header_jwk_has_private_part(proof: &str) -> bool {
    proof
        .split('.')
        .next()
        .and_then(|segment| URL_SAFE_NO_PAD.decode(segment).ok())
        .and_then(|bytes| serde_json::from_slice::<Value>(&bytes).ok())
        .is_some_and(|header| header.get("jwk").and_then(|jwk| jwk.get("d")).is_some())
}

/// The status list token: every unexpired credential whose identity was lost or whose account
/// is closed is revoked (draft-ietf-oauth-status-list §5).
pub async fn status_list_token(
    identity: &IdentityService,
    keys: &KeySet,
    db: &Database,
    issuer: &str,
    now: i64,
) -> Result<String> {
    let mut list = StatusList::new(STATUS_LIST_SIZE as usize);
    for idx in db.wallet_credentials().revoked(now).await? {
        list.revoke(idx as usize);
    }
    let uri = format!("{}/{STATUS_LIST_PATH}", credential_issuer(issuer));
    identity.status_list_token(keys, &list, &uri, now, STATUS_LIST_TTL)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_metadata_names_the_endpoints_under_the_issuer() {
        let metadata = issuer_metadata("https://id.example/");
        assert_eq!(metadata["credential_issuer"], "https://id.example");
        assert_eq!(
            metadata["credential_endpoint"],
            "https://id.example/credential"
        );
        assert_eq!(metadata["nonce_endpoint"], "https://id.example/nonce");
        let config = &metadata["credential_configurations_supported"][CONFIGURATION_ID];
        assert_eq!(config["format"], "dc+sd-jwt");
        assert_eq!(config["vct"], "https://id.example/credentials/identity");
        assert_eq!(metadata["authorization_servers"][0], "https://id.example/");
    }

    /// A compact JWS of `header` and `claims` signed by `key`, the header exactly as given.
    fn signed(header: &Value, claims: &Value, key: &jsonwebtoken::EncodingKey) -> String {
        let message = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        );
        let signature =
            jsonwebtoken::crypto::sign(message.as_bytes(), key, Algorithm::ES256).expect("signs");
        format!("{message}.{signature}")
    }

    // OID4VCI 1.0 App. F.1: `aud` is required, the header key is public, `iat` is recent.
    #[tokio::test]
    async fn key_proofs_need_an_audience_a_public_key_and_a_sane_iat() {
        use identity_proofing::CredentialSigner;
        let store = one_login_store::ephemeral::MemoryStore::new(1 << 20);
        let issuer = "https://id.example/";
        let now = 1_800_000_000;
        let pem = CredentialSigner::generate_pkcs8_pem().unwrap();
        let signer = CredentialSigner::from_pkcs8_pem("w", "w", pem.as_bytes()).unwrap();
        let key = jsonwebtoken::EncodingKey::from_ec_pem(pem.as_bytes()).unwrap();
        let mut jwk = serde_json::to_value(signer.public_jwk().unwrap()).unwrap();
        jwk.as_object_mut().unwrap().remove("kid");
        let header = json!({"alg": "ES256", "typ": PROOF_TYPE, "jwk": jwk});
        let mut with_private = header.clone();
        with_private["jwk"]["d"] = json!("AAAA");
        let fresh_nonce = || async {
            nonce(&store).await.unwrap()["c_nonce"]
                .as_str()
                .unwrap()
                .to_owned()
        };
        let refused = [
            signed(
                &header,
                &json!({"iat": now, "nonce": fresh_nonce().await}),
                &key,
            ),
            signed(
                &with_private,
                &json!({"aud": "https://id.example", "iat": now, "nonce": fresh_nonce().await}),
                &key,
            ),
            signed(
                &header,
                &json!({"aud": "https://id.example", "iat": i64::MIN, "nonce": fresh_nonce().await}),
                &key,
            ),
        ];
        for proof in refused {
            assert!(check_proof(&store, issuer, &proof, now).await.is_err());
        }
        let good = signed(
            &header,
            &json!({"aud": "https://id.example", "iat": now, "nonce": fresh_nonce().await}),
            &key,
        );
        let cnf = check_proof(&store, issuer, &good, now).await.unwrap();
        assert_eq!(cnf["kty"], "EC");
        assert!(cnf.get("d").is_none());
        // Its nonce is used up.
        assert!(check_proof(&store, issuer, &good, now).await.is_err());
    }
}
