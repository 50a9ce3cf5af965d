//! The authorization request (OpenID Connect Core §3.1.2, RFC 6749 §4.1.1): parsed, checked
//! against the client, and either accepted or refused with the right kind of error.

use std::collections::{BTreeMap, BTreeSet};

use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::clients::{
    AuthMethod, CLAIMS_IN_VERIFIED_CLAIMS, Client, ClientRegistry, RETURN_CODE_CLAIM,
    VERIFIED_CLAIM_PREFIX, VERIFIED_CLAIMS, is_identity_claim,
};
use super::replay::{SingleUse, UsedProofs};
use super::signed_tokens::IdTokenHint;
use super::vtr::{IdentityLevel, VectorOfTrust, parse_vtr};
use crate::authentication::{Authentication, CredentialLevel};
use crate::error::Error;
pub use one_login_store::Consent;
use one_login_store::ephemeral::EphemeralStore;

/// Longest `state`, `nonce` or `login_hint` accepted: enough for any real client, and it keeps
/// redirect URLs within what browsers and proxies carry.
const MAX_VALUE_CHARS: usize = 2_048;

/// Parameters as sent, each at most once (RFC 6749 §3.1). Empty values count as absent.
#[derive(Debug, Clone, Default)]
pub struct Params(BTreeMap<String, String>);

impl Params {
    /// Collects `pairs`; a repeated parameter is named in the error.
    pub fn collect<'a>(
        pairs: impl IntoIterator<Item = (std::borrow::Cow<'a, str>, std::borrow::Cow<'a, str>)>,
    ) -> Result<Params, String> {
        let mut map = BTreeMap::new();
        for (name, value) in pairs {
            if map.insert(name.to_string(), value.to_string()).is_some() {
                return Err(name.into_owned());
            }
        }
        map.retain(|_, v: &mut String| !v.is_empty());
        Ok(Params(map))
    }

    pub fn from_query(query: &str) -> Result<Params, String> {
        Params::collect(url::form_urlencoded::parse(query.as_bytes()))
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str)
    }

    fn set(&mut self, name: &str, value: String) {
        self.0.insert(name.to_owned(), value);
    }
}

/// `prompt` (Core §3.1.2.1).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Prompt {
    pub none: bool,
    pub login: bool,
    pub consent: bool,
}

/// Claims asked for by name through the `claims` parameter (Core §5.5), kept only where the
/// client may have them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestedClaims {
    pub userinfo: BTreeSet<String>,
    pub id_token: BTreeSet<String>,
}

/// A checked authorization request. Stored with the session while the citizen signs in: what
/// is absent is left out of the record, which every journey keeps (issue 12.2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthorizationRequest {
    pub client_id: String,
    pub redirect_uri: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    pub scopes: BTreeSet<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nonce: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code_challenge: Option<String>,
    pub prompt: Prompt,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_age: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub login_hint: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ui_locale: Option<String>,
    pub claims: RequestedClaims,
    pub vtr: VectorOfTrust,
    /// When the request arrived, in whole seconds.
    pub received_at: i64,
    /// When the request arrived, in milliseconds: `max_age` is measured from here.
    #[serde(default)]
    pub received_at_ms: i64,
    /// A sign-in was completed while this request waited. It alone meets `prompt=login` and
    /// `max_age=0` (Core §3.1.2.1): exact, whatever the clock's resolution.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub signed_in_since_received: bool,
    /// The `sub` of a verified `id_token_hint` (Core §3.1.2.1): the only citizen this request
    /// may be answered for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hint_subject: Option<String>,
    /// The credential levels an essential `acr` claim accepts (Core §5.5.1.1), lowest first, none
    /// below the vector's own level; empty when `acr` was not asked for as essential.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub essential_acr: Vec<CredentialLevel>,
}

impl AuthorizationRequest {
    /// The credential level the sign-in must reach: the vector's, raised (never lowered) by an
    /// essential `acr` (checklist 35).
    pub fn credential_required(&self) -> CredentialLevel {
        self.essential_acr
            .first()
            .map_or(self.vtr.credential, |acr| (*acr).max(self.vtr.credential))
    }

    /// The `acr` to put in the ID token for a sign-in at `level`: one of the values an essential
    /// `acr` asked for (Core §5.5.1.1: the highest that `level` meets), else the level itself.
    pub fn acr_for(&self, level: CredentialLevel) -> CredentialLevel {
        self.essential_acr
            .iter()
            .rev()
            .find(|acr| **acr <= level)
            .copied()
            .unwrap_or(level)
    }
}

/// An error for the client, sent to its redirect URI (RFC 6749 §4.1.2.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorRedirect {
    pub redirect_uri: String,
    pub state: Option<String>,
    pub error: &'static str,
    pub description: String,
}

impl ErrorRedirect {
    /// The URL to send the browser to, with `iss` (RFC 9207 §2) against mix-up attacks.
    pub fn location(&self, issuer: &str) -> String {
        let mut pairs = vec![
            ("error", self.error),
            ("error_description", self.description.as_str()),
        ];
        if let Some(state) = &self.state {
            pairs.push(("state", state));
        }
        pairs.push(("iss", issuer));
        append_query(&self.redirect_uri, &pairs)
    }
}

/// `uri` with `pairs` added to its query, keeping what it had.
pub fn append_query(uri: &str, pairs: &[(&str, &str)]) -> String {
    let encoded = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish();
    let separator = if uri.contains('?') { '&' } else { '?' };
    format!("{uri}{separator}{encoded}")
}

/// Why a request was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthorizeError {
    /// No client or redirect URI to trust: tell the person, never redirect (RFC 9700 §4.11.2).
    Page(&'static str),
    Redirect(ErrorRedirect),
}

/// Where the authorization endpoint lives, for the request object's audience.
pub struct Endpoints<'a> {
    pub issuer: &'a str,
    pub authorize: &'a str,
}

/// A request object may be at most this far from its expiry (issue 11.14).
const MAX_REQUEST_OBJECT_LIFETIME: i64 = 3_600;

/// A verified request object's identity, to be marked used before the request proceeds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestObjectUse {
    pub client_id: String,
    pub jti: String,
    pub exp: i64,
}

impl RequestObjectUse {
    /// Marks the object used, in the shared store until it expires. `false`: seen before
    /// (issue 11.14: a request object is single-use, like an assertion's `jti`, Core §9).
    pub async fn mark_used(&self, store: &dyn EphemeralStore, now: i64) -> Result<bool, Error> {
        let object = SingleUse::RequestObject {
            client_id: &self.client_id,
            jti: &self.jti,
        };
        UsedProofs::new(store)
            .first_use(object, self.exp, now)
            .await
    }
}

/// An accepted authorization request.
#[derive(Debug, Clone)]
pub struct ValidRequest {
    pub request: AuthorizationRequest,
    pub client: std::sync::Arc<Client>,
    /// Present when the request came in a request object, which must then be marked used.
    pub request_object: Option<RequestObjectUse>,
}

impl ValidRequest {
    /// The error to send to the client when its request object was used before.
    pub fn replayed(&self) -> ErrorRedirect {
        ErrorRedirect {
            redirect_uri: self.request.redirect_uri.clone(),
            state: self.request.state.clone(),
            error: "invalid_request_object",
            description: "the request object has been used before".to_owned(),
        }
    }
}

/// Checks `params` from `client`'s point of view. `request_object_keys` are the client's
/// public keys when `params` carries a `request` object; `verify_hint` verifies an
/// `id_token_hint` as an ID token of ours. `now_ms` is the time in milliseconds.
pub fn validate(
    params: &Params,
    clients: &ClientRegistry,
    request_object_keys: Option<&JwkSet>,
    verify_hint: &dyn Fn(&str) -> Option<IdTokenHint>,
    endpoints: &Endpoints<'_>,
    now_ms: i64,
) -> Result<ValidRequest, AuthorizeError> {
    let now = now_ms.div_euclid(1_000);
    let client_id = params.get("client_id").ok_or(AuthorizeError::Page(
        "The service did not say which service it is.",
    ))?;
    let client = clients.get(client_id).ok_or(AuthorizeError::Page(
        "The service you came from is not registered with GOV.UK One Login.",
    ))?;

    // A request object's values win over the query's (Core §6.1), once it is verified.
    let object = params
        .get("request")
        .map(|jwt| verify_request_object(jwt, &client, request_object_keys, endpoints, now));
    let mut merged = params.clone();
    if let Some(Ok((values, _))) = &object {
        for (name, value) in values {
            merged.set(name, value.clone());
        }
    }
    let redirect_uri = merged
        .get("redirect_uri")
        .filter(|uri| client.has_redirect_uri(uri))
        .ok_or(AuthorizeError::Page(
            "The service sent you from an address it has not registered.",
        ))?
        .to_owned();
    let state = merged.get("state").map(str::to_owned);
    let refuse = |error: &'static str, description: &str| {
        AuthorizeError::Redirect(ErrorRedirect {
            redirect_uri: redirect_uri.clone(),
            state: state
                .clone()
                .filter(|s| s.chars().count() <= MAX_VALUE_CHARS),
            error,
            description: description.to_owned(),
        })
    };
    let request_object = match object {
        Some(Err(why)) => return Err(refuse("invalid_request_object", &why)),
        Some(Ok((_, used))) => Some(used),
        None => None,
    };
    if params.get("request_uri").is_some() {
        return Err(refuse(
            "request_uri_not_supported",
            "request_uri is not supported",
        ));
    }
    if params.get("registration").is_some() {
        return Err(refuse(
            "registration_not_supported",
            "registration is not supported",
        ));
    }
    if state
        .as_ref()
        .is_some_and(|s| s.chars().count() > MAX_VALUE_CHARS)
    {
        return Err(refuse("invalid_request", "state is too long"));
    }
    // Core §6.1: the query's response_type and client_id must match the request object's.
    if merged.get("client_id") != Some(client.client_id.as_str()) {
        return Err(refuse(
            "invalid_request_object",
            "client_id in the request object does not match",
        ));
    }
    if params.get("request").is_some() && params.get("response_type") != merged.get("response_type")
    {
        return Err(refuse(
            "invalid_request_object",
            "response_type in the request object does not match",
        ));
    }
    match merged.get("response_type") {
        Some("code") => {}
        Some(_) => {
            return Err(refuse(
                "unsupported_response_type",
                "only response_type=code is supported",
            ));
        }
        None => return Err(refuse("invalid_request", "response_type is required")),
    }
    if !matches!(merged.get("response_mode"), None | Some("query")) {
        return Err(refuse(
            "invalid_request",
            "only response_mode=query is supported",
        ));
    }
    let scopes: BTreeSet<String> = merged
        .get("scope")
        .unwrap_or_default()
        .split(' ')
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect();
    if !scopes.contains("openid") {
        return Err(refuse("invalid_scope", "scope must include openid"));
    }
    if let Some(scope) = scopes.iter().find(|s| !client.scopes.contains(*s)) {
        return Err(refuse(
            "invalid_scope",
            &format!("scope {scope} is not allowed for this client"),
        ));
    }
    let nonce = merged.get("nonce").map(str::to_owned);
    if nonce
        .as_ref()
        .is_some_and(|n| n.chars().count() > MAX_VALUE_CHARS)
    {
        return Err(refuse("invalid_request", "nonce is too long"));
    }
    if client.require_nonce && nonce.is_none() {
        return Err(refuse("invalid_request", "nonce is required"));
    }
    let code_challenge =
        check_pkce(&merged, &client).map_err(|why| refuse("invalid_request", why))?;
    let prompt =
        parse_prompt(merged.get("prompt")).map_err(|why| refuse("invalid_request", why))?;
    let max_age =
        match merged.get("max_age") {
            None => None,
            Some(value) => Some(value.parse::<i64>().ok().filter(|v| *v >= 0).ok_or_else(
                || {
                    refuse(
                        "invalid_request",
                        "max_age must be a whole number of seconds",
                    )
                },
            )?),
        };
    let vtr = match merged.get("vtr") {
        None => VectorOfTrust::default(),
        Some(value) => {
            parse_vtr(value).map_err(|_| refuse("invalid_request", "Request vtr not valid"))?
        }
    };
    if vtr.identity.is_some() {
        if !client.identity_verification_supported {
            return Err(refuse(
                "invalid_request",
                "identity verification is not enabled for this client",
            ));
        }
        if matches!(
            client.auth_method,
            AuthMethod::ClientSecretPost | AuthMethod::ClientSecretBasic
        ) {
            return Err(refuse(
                "invalid_request",
                "identity requests need private_key_jwt client authentication",
            ));
        }
    }
    let (mut claims, acr_values) = match merged.get("claims") {
        None => (RequestedClaims::default(), None),
        Some(json) => parse_claims(json, &client).map_err(|why| refuse("invalid_request", why))?,
    };
    let essential_acr = match acr_values {
        None => Vec::new(),
        Some(values) => essential_acr_levels(&values, vtr.credential).ok_or_else(|| {
            refuse(
                "unmet_authentication_requirements",
                "no acr value asked for as essential can be met with the vtr asked for",
            )
        })?,
    };
    // Core §3.1.2.1: the hint must be an ID token we issued to this very client (checklist 60:
    // verified, expiry tolerated, aud = the client). A bad one is refused, not ignored: the
    // client meant to name the citizen.
    let hint_subject = match merged.get("id_token_hint") {
        None => None,
        Some(token) => Some(
            verify_hint(token)
                .filter(|hint| hint.client_id == client.client_id)
                .ok_or_else(|| {
                    refuse(
                        "invalid_request",
                        "id_token_hint is not an ID token issued to this client",
                    )
                })?
                .sub,
        ),
    };
    // The contract: identity claims are honoured only at P2 and above, and only from
    // userinfo; a return code only when identity was asked for at all.
    let identity_claims_allowed = vtr.identity >= Some(IdentityLevel::P2);
    claims
        .id_token
        .retain(|c| !is_identity_claim(c) && c != RETURN_CODE_CLAIM);
    claims.userinfo.retain(|c| {
        (identity_claims_allowed || !is_identity_claim(c))
            && (vtr.identity.is_some() || c != RETURN_CODE_CLAIM)
    });
    let login_hint = merged
        .get("login_hint")
        .filter(|h| h.chars().count() <= 256)
        .map(str::to_owned);
    let ui_locale = merged.get("ui_locales").and_then(|locales| {
        locales
            .split(' ')
            .find(|l| matches!(*l, "en" | "cy"))
            .map(str::to_owned)
    });
    Ok(ValidRequest {
        request: AuthorizationRequest {
            client_id: client.client_id.clone(),
            redirect_uri,
            state,
            scopes,
            nonce,
            code_challenge,
            prompt,
            max_age,
            login_hint,
            ui_locale,
            claims,
            vtr,
            received_at: now,
            received_at_ms: now_ms,
            signed_in_since_received: false,
            hint_subject,
            essential_acr,
        },
        client,
        request_object,
    })
}

/// The levels an essential `acr` with `values` accepts (Core §5.5.1.1), lowest first: values
/// naming a credential level this provider issues as `acr`, at or above the vector's `floor`
/// (an `acr` never lowers what `vtr` asked for). `None` when no value is left: no sign-in can
/// meet the request.
fn essential_acr_levels(values: &[String], floor: CredentialLevel) -> Option<Vec<CredentialLevel>> {
    let levels: BTreeSet<CredentialLevel> = values
        .iter()
        .filter_map(|value| match value.as_str() {
            "Cl" => Some(CredentialLevel::Cl),
            "Cl.Cm" => Some(CredentialLevel::ClCm),
            _ => None,
        })
        .filter(|level| *level >= floor)
        .collect();
    (!levels.is_empty()).then(|| levels.into_iter().collect())
}

/// RFC 7636 §4.3, with RFC 9700 §2.1.1: S256 only; required where the client says so, and
/// always for public clients.
fn check_pkce(params: &Params, client: &Client) -> Result<Option<String>, &'static str> {
    let challenge = params.get("code_challenge");
    match (challenge, params.get("code_challenge_method")) {
        (None, Some(_)) => Err("code_challenge_method without code_challenge"),
        (None, None) if client.require_pkce || client.is_public() => {
            Err("code_challenge is required (PKCE, S256)")
        }
        (None, None) => Ok(None),
        (Some(_), None | Some("plain")) => {
            Err("code_challenge_method must be S256; plain is not supported")
        }
        (Some(_), Some(method)) if method != "S256" => Err("code_challenge_method must be S256"),
        (Some(challenge), Some(_)) => {
            // A base64url SHA-256 digest: 43 characters of the unreserved set.
            if challenge.len() == 43
                && challenge
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
            {
                Ok(Some(challenge.to_owned()))
            } else {
                Err("code_challenge is not a base64url SHA-256 digest")
            }
        }
    }
}

fn parse_prompt(value: Option<&str>) -> Result<Prompt, &'static str> {
    let mut prompt = Prompt::default();
    for word in value
        .unwrap_or_default()
        .split(' ')
        .filter(|w| !w.is_empty())
    {
        match word {
            "none" => prompt.none = true,
            "login" => prompt.login = true,
            "consent" => prompt.consent = true,
            "select_account" => {}
            _ => return Err("prompt has an unknown value"),
        }
    }
    if prompt.none && (prompt.login || prompt.consent) {
        // Core §3.1.2.1: none with any other value is an error.
        return Err("prompt=none cannot be combined with other values");
    }
    Ok(prompt)
}

/// The `claims` parameter (Core §5.5): names under `userinfo` and `id_token`, each mapped to
/// null or an object. Names the client may not have are dropped, not refused. Also returns the
/// values of an `acr` asked for as essential in the ID token (Core §5.5.1.1).
fn parse_claims(
    json: &str,
    client: &Client,
) -> Result<(RequestedClaims, Option<Vec<String>>), &'static str> {
    let value: Value = serde_json::from_str(json).map_err(|_| "claims is not valid JSON")?;
    let object = value.as_object().ok_or("claims must be a JSON object")?;
    let acr_values = match object.get("id_token").and_then(|t| t.get("acr")) {
        Some(acr) if acr.get("essential") == Some(&Value::Bool(true)) => {
            match (acr.get("value"), acr.get("values")) {
                (None, None) => None,
                (Some(Value::String(value)), None) => Some(vec![value.clone()]),
                (None, Some(Value::Array(values))) => Some(
                    values
                        .iter()
                        .map(|v| v.as_str().map(str::to_owned))
                        .collect::<Option<Vec<_>>>()
                        .ok_or("acr values must be strings")?,
                ),
                _ => return Err("acr must have a string value or an array of values"),
            }
        }
        _ => None,
    };
    let mut requested = RequestedClaims::default();
    for (member, target) in [
        ("userinfo", &mut requested.userinfo),
        ("id_token", &mut requested.id_token),
    ] {
        match object.get(member) {
            None | Some(Value::Null) => {}
            Some(Value::Object(names)) => {
                for (name, detail) in names {
                    if !(detail.is_null() || detail.is_object()) {
                        return Err("each requested claim must be null or an object");
                    }
                    if !client.claims.contains(name) {
                        continue;
                    }
                    if name == VERIFIED_CLAIMS && !select_verified_claims(detail, target)? {
                        continue;
                    }
                    target.insert(name.clone());
                }
            }
            Some(_) => return Err("claims members must be objects"),
        }
    }
    Ok((requested, acr_values))
}

/// OIDC4IDA §6: a `verified_claims` request may select claims under its `claims` member; each
/// one this provider can verify is recorded as `verified_claims/<name>`, so userinfo releases
/// and the consent page names only those. Without a selection (`null`, or no `claims`), the
/// whole verified name and birth date, as before. Returns whether `verified_claims` is kept: a
/// selection of nothing this provider verifies gets none (§6.5: claims that cannot be provided
/// are left out). Only one request object is read; an array of them is refused.
fn select_verified_claims(
    detail: &Value,
    target: &mut BTreeSet<String>,
) -> Result<bool, &'static str> {
    let Some(selection) = detail.get("claims") else {
        return Ok(true);
    };
    let selection = selection
        .as_object()
        .ok_or("verified_claims claims must be a JSON object")?;
    let mut kept = false;
    for (name, claim_detail) in selection {
        if !(claim_detail.is_null() || claim_detail.is_object()) {
            return Err("each requested claim must be null or an object");
        }
        if CLAIMS_IN_VERIFIED_CLAIMS.contains(&name.as_str()) {
            target.insert(format!("{VERIFIED_CLAIM_PREFIX}{name}"));
            kept = true;
        }
    }
    Ok(kept)
}

/// Algorithms a client may sign request objects and assertions with (RFC 8725 §3.1: never
/// `none`, never a shared-secret MAC with a public key).
pub const CLIENT_ALGORITHMS: [Algorithm; 7] = [
    Algorithm::RS256,
    Algorithm::RS384,
    Algorithm::RS512,
    Algorithm::PS256,
    Algorithm::PS384,
    Algorithm::PS512,
    Algorithm::ES256,
];

/// The key in `keys` that verifies `token`: by `kid`, or the only key of the right type.
pub fn client_key_for(
    token: &str,
    keys: &JwkSet,
) -> Result<(DecodingKey, Algorithm), &'static str> {
    let header = jsonwebtoken::decode_header(token).map_err(|_| "not a signed JWT")?;
    if !CLIENT_ALGORITHMS.contains(&header.alg) {
        return Err("signing algorithm not accepted");
    }
    if header.jku.is_some() || header.x5u.is_some() || header.jwk.is_some() {
        // RFC 8725 §3.10: keys come only from the registration, never from the token.
        return Err("keys in the token header are not accepted");
    }
    let jwk = match &header.kid {
        Some(kid) => keys.find(kid).ok_or("unknown key id")?,
        None => match keys.keys.as_slice() {
            [only] => only,
            _ => return Err("kid is required when the client has several keys"),
        },
    };
    let key = DecodingKey::from_jwk(jwk).map_err(|_| "unusable client key")?;
    Ok((key, header.alg))
}

/// Verifies a request object (RFC 9101, Core §6.1) and returns its members as parameter
/// strings (JSON values such as `vtr` and `claims` re-serialised), and its `jti` and `exp`.
fn verify_request_object(
    jwt: &str,
    client: &Client,
    keys: Option<&JwkSet>,
    endpoints: &Endpoints<'_>,
    now: i64,
) -> Result<(BTreeMap<String, String>, RequestObjectUse), String> {
    let keys = keys.ok_or("this client has no keys to verify a request object")?;
    let (key, alg) = client_key_for(jwt, keys).map_err(str::to_owned)?;
    let mut validation = Validation::new(alg);
    validation.required_spec_claims.clear();
    validation.validate_exp = false;
    validation.validate_aud = false;
    let claims = jsonwebtoken::decode::<BTreeMap<String, Value>>(jwt, &key, &validation)
        .map_err(|_| "request object signature is not valid".to_owned())?
        .claims;
    if claims.get("iss").and_then(Value::as_str) != Some(client.client_id.as_str()) {
        return Err("request object iss must be the client_id".into());
    }
    let audience_ok = match claims.get("aud") {
        Some(Value::String(aud)) => aud == endpoints.authorize || aud == endpoints.issuer,
        Some(Value::Array(auds)) => auds.iter().any(|a| {
            a.as_str()
                .is_some_and(|a| a == endpoints.authorize || a == endpoints.issuer)
        }),
        _ => false,
    };
    if !audience_ok {
        return Err("request object aud must be the authorization endpoint".into());
    }
    // Issue 11.14: an expiry at most an hour ahead and a jti, so a captured object can be
    // neither replayed (it is marked used until it expires) nor kept for later.
    let exp = claims
        .get("exp")
        .map(|exp| exp.as_i64().ok_or("request object exp must be a number"))
        .transpose()?
        .ok_or("request object must have an exp")?;
    if exp <= now {
        return Err("request object has expired".into());
    }
    if exp > now + MAX_REQUEST_OBJECT_LIFETIME {
        return Err("request object exp must be at most an hour ahead".into());
    }
    let jti = claims
        .get("jti")
        .and_then(Value::as_str)
        .filter(|jti| !jti.is_empty() && jti.len() <= MAX_VALUE_CHARS)
        .ok_or("request object must have a jti")?
        .to_owned();
    if claims
        .get("nbf")
        .and_then(Value::as_i64)
        .is_some_and(|nbf| nbf > now + 60)
    {
        return Err("request object is not valid yet".into());
    }
    let mut values = BTreeMap::new();
    for (name, value) in claims {
        if matches!(
            name.as_str(),
            "iss" | "aud" | "exp" | "iat" | "nbf" | "jti" | "request" | "request_uri"
        ) {
            continue;
        }
        let text = match value {
            Value::String(s) => s,
            Value::Null => continue,
            other => other.to_string(),
        };
        values.insert(name, text);
    }
    let used = RequestObjectUse {
        client_id: client.client_id.clone(),
        jti,
        exp,
    };
    Ok((values, used))
}

/// Whether the stored consent covers everything the request asks for.
fn consent_covers(consent: &Consent, request: &AuthorizationRequest) -> bool {
    request.scopes.is_subset(&consent.scopes)
        && request.claims.userinfo.is_subset(&consent.claims)
        && request.claims.id_token.is_subset(&consent.claims)
}

/// What to do with a valid request, given the session and the stored consent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Ask for email and password (and then the code).
    SignIn,
    /// Signed in with the password only: ask for the second factor.
    StepUp,
    Consent,
    /// Send the citizen back with a code.
    Issue,
    /// Cannot be done without showing a page, and the client said not to (`prompt=none`).
    Refuse(&'static str, &'static str),
}

/// Whether `auth` is recent enough for `request` (Core §3.1.2.1). A sign-in completed while the
/// request waited always is. Otherwise `prompt=login` and `max_age=0` (its equivalent) are never
/// met, and `max_age` is measured in milliseconds from the request's arrival, so a sign-in a
/// moment too old is not rounded into the allowance.
fn recent_enough(request: &AuthorizationRequest, auth: &Authentication) -> bool {
    if request.signed_in_since_received {
        return true;
    }
    if request.prompt.login || request.max_age == Some(0) {
        return false;
    }
    request.max_age.is_none_or(|max| {
        request.received_at_ms - auth.authenticated_at_ms() <= max.saturating_mul(1_000)
    })
}

/// The rules of Core §3.1.2.3-§3.1.2.4 and the vectors of trust, as one function.
/// `auth_subject` is the signed-in citizen's `sub` as the request's client knows it; it is
/// needed only when the request carries an `id_token_hint`.
pub fn decide(
    request: &AuthorizationRequest,
    auth: Option<&Authentication>,
    auth_subject: Option<&str>,
    consent: Option<&Consent>,
) -> Decision {
    let Some(auth) = auth.filter(|a| recent_enough(request, a)) else {
        return if request.prompt.none {
            Decision::Refuse("login_required", "the citizen is not signed in")
        } else {
            Decision::SignIn
        };
    };
    // Core §3.1.2.2: with an id_token_hint, only the citizen it names may be answered for. The
    // GOV.UK contract answers login_required when someone else is (or has just) signed in:
    // never a code for another account, whatever the prompt.
    if let Some(hinted) = &request.hint_subject
        && auth_subject != Some(hinted.as_str())
    {
        return Decision::Refuse(
            "login_required",
            "the citizen signed in is not the one the service named",
        );
    }
    if auth.level < request.credential_required() {
        return if request.prompt.none {
            Decision::Refuse("login_required", "a stronger sign-in is needed")
        } else {
            Decision::StepUp
        };
    }
    if request.prompt.consent || !consent.is_some_and(|c| consent_covers(c, request)) {
        return if request.prompt.none {
            Decision::Refuse(
                "consent_required",
                "the citizen has not agreed to share this",
            )
        } else {
            Decision::Consent
        };
    }
    Decision::Issue
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::oidc::clients::parse_client;
    use proptest::prelude::*;

    pub(crate) const REDIRECT: &str = "https://rp.example.gov.uk/callback";

    fn registry() -> (ClientRegistry, tempfile::TempDir) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("rp.toml"),
            format!(
                "client_id = \"rp\"\nname = \"RP\"\nredirect_uris = [\"{REDIRECT}\"]\n\
                 token_endpoint_auth_method = \"none\"\nscopes = [\"openid\", \"email\"]\nclaims = [\"email\"]\n"
            ),
        )
        .unwrap();
        (ClientRegistry::load(dir.path()).unwrap(), dir)
    }

    const ENDPOINTS: Endpoints<'static> = Endpoints {
        issuer: "https://id.example/",
        authorize: "https://id.example/authorize",
    };

    pub(crate) fn good() -> Vec<(String, String)> {
        [
            ("response_type", "code"),
            ("client_id", "rp"),
            ("redirect_uri", REDIRECT),
            ("scope", "openid email"),
            ("state", "s"),
            ("nonce", "n"),
            (
                "code_challenge",
                "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
            ),
            ("code_challenge_method", "S256"),
        ]
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
    }

    pub(crate) fn params(pairs: &[(String, String)]) -> Params {
        Params::collect(
            pairs
                .iter()
                .map(|(k, v)| (k.as_str().into(), v.as_str().into())),
        )
        .unwrap()
    }

    /// A hint verifier for requests without a hint: no token verifies.
    fn no_hints(_: &str) -> Option<IdTokenHint> {
        None
    }

    /// The request `pairs` make, received at `received_ms`.
    fn request_with(pairs: &[(String, String)], received_ms: i64) -> AuthorizationRequest {
        let (clients, _dir) = registry();
        validate(
            &params(pairs),
            &clients,
            None,
            &no_hints,
            &ENDPOINTS,
            received_ms,
        )
        .unwrap()
        .request
    }

    pub(crate) fn with(extra: &[(&str, &str)]) -> Vec<(String, String)> {
        let mut pairs = good();
        for (name, value) in extra {
            pairs.retain(|(n, _)| n != name);
            pairs.push(((*name).to_owned(), (*value).to_owned()));
        }
        pairs
    }

    /// A sign-in at `level`, at `at_ms` milliseconds.
    fn signed_in(level: CredentialLevel, at_ms: i64) -> Authentication {
        Authentication {
            account_id: "a".into(),
            email: "a@example.com".into(),
            level,
            auth_time: at_ms.div_euclid(1_000),
            auth_time_ms: Some(at_ms),
            amr: vec![],
            sid: "s".into(),
        }
    }

    fn consent_to(request: &AuthorizationRequest) -> Consent {
        Consent {
            scopes: request.scopes.clone(),
            claims: Default::default(),
        }
    }

    #[test]
    fn a_good_request_is_accepted() {
        let (clients, _dir) = registry();
        let ValidRequest {
            request, client, ..
        } = validate(&params(&good()), &clients, None, &no_hints, &ENDPOINTS, 0).unwrap();
        assert_eq!(client.client_id, "rp");
        assert_eq!(request.vtr.to_string(), "Cl.Cm");
        assert!(request.scopes.contains("email"));
    }

    /// Issue 17 §2: age claims by name, and claims selected inside `verified_claims` (OIDC4IDA
    /// §6), recorded so that userinfo and the consent page give only those.
    #[test]
    fn age_claims_and_selected_verified_claims_are_recorded() {
        let client = parse_client(
            "age.toml",
            &format!(
                "client_id = \"age\"\nname = \"Age\"\nredirect_uris = [\"{REDIRECT}\"]\n\
                 token_endpoint_auth_method = \"none\"\nscopes = [\"openid\"]\n\
                 claims = [\"age_over_18\", \"verified_claims\"]\n"
            ),
        )
        .unwrap();
        let userinfo = |json: &str| parse_claims(json, &client).map(|(c, _)| c.userinfo);
        let names = |list: &[&str]| Ok(list.iter().map(|n| (*n).to_owned()).collect());
        // age_over_21 is not registered for this client: dropped, not refused.
        assert_eq!(
            userinfo(r#"{"userinfo": {"age_over_18": null, "age_over_21": null}}"#),
            names(&["age_over_18"])
        );
        assert_eq!(
            userinfo(
                r#"{"userinfo": {"verified_claims": {"verification": {"trust_framework": null},
                    "claims": {"age_over_18": null, "shoe_size": null}}}}"#
            ),
            names(&["verified_claims", "verified_claims/age_over_18"])
        );
        // No selection: the whole verified name and birth date, as before.
        assert_eq!(
            userinfo(r#"{"userinfo": {"verified_claims": null}}"#),
            names(&["verified_claims"])
        );
        // A selection of nothing this provider verifies: no verified_claims at all.
        assert_eq!(
            userinfo(r#"{"userinfo": {"verified_claims": {"claims": {"shoe_size": null}}}}"#),
            names(&[])
        );
        assert_eq!(
            userinfo(r#"{"userinfo": {"verified_claims": {"claims": ["age_over_18"]}}}"#),
            Err("verified_claims claims must be a JSON object")
        );
        assert!(is_identity_claim("verified_claims/age_over_18"));
        assert!(is_identity_claim("age_over_16"));
        assert!(!is_identity_claim("email"));
    }

    #[test]
    fn repeated_parameters_are_named() {
        assert_eq!(Params::from_query("a=1&b=2&a=3").unwrap_err(), "a");
        assert_eq!(Params::from_query("a=&a=1").unwrap_err(), "a");
        assert_eq!(
            Params::from_query("a=&b=1").unwrap().get("a"),
            None,
            "empty means absent (RFC 6749 §3.1)"
        );
    }

    #[test]
    fn decisions() {
        let request = request_with(&good(), 100_000);
        let auth = |level, auth_time: i64| signed_in(level, auth_time * 1_000);
        let consent = consent_to(&request);
        use crate::authentication::CredentialLevel::{Cl, ClCm};
        assert_eq!(decide(&request, None, None, None), Decision::SignIn);
        assert_eq!(
            decide(&request, Some(&auth(Cl, 90)), None, Some(&consent)),
            Decision::StepUp
        );
        assert_eq!(
            decide(&request, Some(&auth(ClCm, 90)), None, None),
            Decision::Consent
        );
        assert_eq!(
            decide(&request, Some(&auth(ClCm, 90)), None, Some(&consent)),
            Decision::Issue
        );
        let narrower = Consent {
            scopes: ["openid".to_owned()].into(),
            claims: Default::default(),
        };
        assert_eq!(
            decide(&request, Some(&auth(ClCm, 90)), None, Some(&narrower)),
            Decision::Consent
        );
        let mut none = request.clone();
        none.prompt.none = true;
        assert_eq!(
            decide(&none, None, None, None),
            Decision::Refuse("login_required", "the citizen is not signed in")
        );
        assert!(matches!(
            decide(&none, Some(&auth(ClCm, 90)), None, None),
            Decision::Refuse("consent_required", _)
        ));
        let mut login = request.clone();
        login.prompt.login = true;
        assert_eq!(
            decide(&login, Some(&auth(ClCm, 90)), None, Some(&consent)),
            Decision::SignIn
        );
        login.signed_in_since_received = true;
        assert_eq!(
            decide(&login, Some(&auth(ClCm, 100)), None, Some(&consent)),
            Decision::Issue
        );
        let mut aged = request;
        aged.max_age = Some(5);
        assert_eq!(
            decide(&aged, Some(&auth(ClCm, 90)), None, Some(&consent)),
            Decision::SignIn
        );
        assert_eq!(
            decide(&aged, Some(&auth(ClCm, 96)), None, Some(&consent)),
            Decision::Issue
        );
    }

    // Core §3.1.2.1 (checklist 8): prompt=login is met only by a sign-in made after the request
    // arrived. A sign-in earlier in the same second is not one (whole seconds said it was).
    #[test]
    fn prompt_login_is_met_only_by_a_sign_in_after_the_request() {
        use crate::authentication::CredentialLevel::ClCm;
        let mut request = request_with(&with(&[("prompt", "login")]), 100_700);
        let consent = consent_to(&request);
        let same_second_before = signed_in(ClCm, 100_200);
        assert_eq!(
            decide(&request, Some(&same_second_before), None, Some(&consent)),
            Decision::SignIn
        );
        // Not even a sign-in stamped later than the request: only one made for it counts.
        assert_eq!(
            decide(
                &request,
                Some(&signed_in(ClCm, 101_000)),
                None,
                Some(&consent)
            ),
            Decision::SignIn
        );
        request.signed_in_since_received = true;
        assert_eq!(
            decide(&request, Some(&same_second_before), None, Some(&consent)),
            Decision::Issue
        );
    }

    // Core §3.1.2.1: max_age=0 is prompt=login; other max_age values compare milliseconds from
    // the request's arrival, and a sign-in made for the request always meets them.
    #[test]
    fn max_age_compares_milliseconds_and_zero_always_asks() {
        use crate::authentication::CredentialLevel::ClCm;
        let mut zero = request_with(&with(&[("max_age", "0")]), 100_700);
        let consent = consent_to(&zero);
        let earlier_that_second = signed_in(ClCm, 100_200);
        assert_eq!(
            decide(&zero, Some(&earlier_that_second), None, Some(&consent)),
            Decision::SignIn
        );
        zero.signed_in_since_received = true;
        assert_eq!(
            decide(&zero, Some(&earlier_that_second), None, Some(&consent)),
            Decision::Issue,
            "the sign-in made for the request, however long ago the clock says"
        );
        let five = request_with(&with(&[("max_age", "5")]), 100_950);
        // 5.05 s before: too old, though whole seconds make it 5.
        assert_eq!(
            decide(&five, Some(&signed_in(ClCm, 95_900)), None, Some(&consent)),
            Decision::SignIn
        );
        assert_eq!(
            decide(&five, Some(&signed_in(ClCm, 95_950)), None, Some(&consent)),
            Decision::Issue
        );
        // Sessions from before milliseconds were kept count from the start of their second.
        let mut old = signed_in(ClCm, 95_999);
        old.auth_time_ms = None;
        assert_eq!(old.authenticated_at_ms(), 95_000);
        assert_eq!(
            decide(&five, Some(&old), None, Some(&consent)),
            Decision::SignIn
        );
    }

    // Core §3.1.2.2 and the GOV.UK re-authentication contract: a request with an id_token_hint
    // is answered only for the citizen it names; anyone else signed in (before, or just now
    // for prompt=login) gets login_required, never a code, a step-up or consent.
    #[test]
    fn a_hint_for_another_citizen_is_answered_login_required() {
        use crate::authentication::CredentialLevel::{Cl, ClCm};
        let refused = Decision::Refuse(
            "login_required",
            "the citizen signed in is not the one the service named",
        );
        let mut request = request_with(&good(), 100_000);
        request.hint_subject = Some("sub-ada".into());
        let consent = consent_to(&request);
        let auth = signed_in(ClCm, 90_000);
        assert_eq!(
            decide(&request, Some(&auth), Some("sub-ada"), Some(&consent)),
            Decision::Issue
        );
        assert_eq!(
            decide(&request, Some(&auth), Some("sub-bob"), Some(&consent)),
            refused
        );
        assert_eq!(
            decide(&request, Some(&auth), None, Some(&consent)),
            refused,
            "an unknown subject is not the hinted one"
        );
        assert_eq!(
            decide(
                &request,
                Some(&signed_in(Cl, 90_000)),
                Some("sub-bob"),
                None
            ),
            refused,
            "no step-up for someone else"
        );
        assert_eq!(decide(&request, None, None, None), Decision::SignIn);
        let mut none = request.clone();
        none.prompt.none = true;
        assert_eq!(
            decide(&none, Some(&auth), Some("sub-bob"), Some(&consent)),
            refused
        );
        let mut login = request;
        login.prompt.login = true;
        assert_eq!(
            decide(&login, Some(&auth), Some("sub-bob"), Some(&consent)),
            Decision::SignIn,
            "an earlier sign-in: the citizen is asked to sign in"
        );
        login.signed_in_since_received = true;
        assert_eq!(
            decide(&login, Some(&auth), Some("sub-bob"), Some(&consent)),
            refused,
            "signed in again, as someone else"
        );
        assert_eq!(
            decide(&login, Some(&auth), Some("sub-ada"), Some(&consent)),
            Decision::Issue
        );
    }

    // Core §3.1.2.1, checklist 60: the hint is verified and must be for this client.
    #[test]
    fn id_token_hints_must_verify_for_this_client() {
        let (clients, _dir) = registry();
        let verify = |token: &str| {
            let client_id = match token {
                "for-rp" => "rp",
                "for-another" => "another",
                _ => return None,
            };
            Some(IdTokenHint {
                client_id: client_id.into(),
                sub: "sub-ada".into(),
                sid: Some("s".into()),
            })
        };
        let run = |hint: &str| {
            validate(
                &params(&with(&[("id_token_hint", hint)])),
                &clients,
                None,
                &verify,
                &ENDPOINTS,
                0,
            )
        };
        assert_eq!(
            run("for-rp").unwrap().request.hint_subject.as_deref(),
            Some("sub-ada")
        );
        for bad in ["for-another", "forged"] {
            let Err(AuthorizeError::Redirect(error)) = run(bad) else {
                panic!("{bad} accepted");
            };
            assert_eq!(error.error, "invalid_request", "{bad}");
        }
    }

    // Core §5.5.1.1, checklist 35: an essential acr is met with one of its values or the request
    // fails (unmet_authentication_requirements); it can raise the vtr's level, never lower it.
    #[test]
    fn an_essential_acr_raises_the_level_or_fails_never_downgrades() {
        use crate::authentication::CredentialLevel::{Cl, ClCm};
        let acr =
            |member: &str| format!("{{\"id_token\":{{\"acr\":{{\"essential\":true,{member}}}}}}}");
        let (clients, _dir) = registry();
        let outcome = |extra: &[(&str, &str)]| {
            validate(
                &params(&with(extra)),
                &clients,
                None,
                &no_hints,
                &ENDPOINTS,
                0,
            )
        };
        for (vtr, member) in [
            ("[\"Cl.Cm\"]", "\"values\":[\"Cl\"]"),
            ("[\"Cl.Cm\"]", "\"value\":\"Cl\""),
            ("[\"Cl\"]", "\"values\":[\"Cl.Cm.P2\",\"urn:example:gold\"]"),
            ("[\"Cl\"]", "\"values\":[]"),
        ] {
            let Err(AuthorizeError::Redirect(error)) =
                outcome(&[("vtr", vtr), ("claims", &acr(member))])
            else {
                panic!("{vtr} {member} accepted");
            };
            assert_eq!(
                error.error, "unmet_authentication_requirements",
                "{vtr} {member}"
            );
        }
        let Err(AuthorizeError::Redirect(error)) = outcome(&[("claims", &acr("\"values\":[1]"))])
        else {
            panic!("a number accepted as an acr value");
        };
        assert_eq!(error.error, "invalid_request");

        let raised = outcome(&[
            ("vtr", "[\"Cl\"]"),
            ("claims", &acr("\"values\":[\"Cl.Cm\"]")),
        ])
        .unwrap()
        .request;
        assert_eq!(raised.credential_required(), ClCm);
        let consent = consent_to(&raised);
        assert_eq!(
            decide(&raised, Some(&signed_in(Cl, 0)), None, Some(&consent)),
            Decision::StepUp
        );
        assert_eq!(raised.acr_for(ClCm), ClCm);

        let either = outcome(&[
            ("vtr", "[\"Cl\"]"),
            ("claims", &acr("\"values\":[\"Cl\",\"Cl.Cm\"]")),
        ])
        .unwrap()
        .request;
        assert_eq!(either.credential_required(), Cl);
        assert_eq!(either.acr_for(Cl), Cl);
        assert_eq!(either.acr_for(ClCm), ClCm);
        let password_only = outcome(&[("vtr", "[\"Cl\"]"), ("claims", &acr("\"value\":\"Cl\""))])
            .unwrap()
            .request;
        assert_eq!(
            password_only.acr_for(ClCm),
            Cl,
            "a stronger sign-in meets the class asked for, and says so"
        );
        // Not essential: nothing changes.
        let voluntary = outcome(&[("claims", "{\"id_token\":{\"acr\":{\"values\":[\"Cl\"]}}}")])
            .unwrap()
            .request;
        assert!(voluntary.essential_acr.is_empty());
        assert_eq!(voluntary.acr_for(ClCm), ClCm);
    }

    fn name() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("response_type".to_owned()),
            Just("client_id".to_owned()),
            Just("redirect_uri".to_owned()),
            Just("scope".to_owned()),
            Just("state".to_owned()),
            Just("nonce".to_owned()),
            Just("code_challenge".to_owned()),
            Just("code_challenge_method".to_owned()),
            Just("prompt".to_owned()),
            Just("max_age".to_owned()),
            Just("vtr".to_owned()),
            Just("claims".to_owned()),
            Just("request".to_owned()),
            Just("request_uri".to_owned()),
            Just("response_mode".to_owned()),
            Just("ui_locales".to_owned()),
            "[a-z_]{1,12}",
        ]
    }

    fn value() -> impl Strategy<Value = String> {
        prop_oneof![
            Just(REDIRECT.to_owned()),
            Just("rp".to_owned()),
            Just("code".to_owned()),
            Just("openid".to_owned()),
            Just("[\"Cl.Cm.P2\"]".to_owned()),
            Just("{\"userinfo\":{\"email\":null}}".to_owned()),
            Just("eyJhbGciOiJub25lIn0.e30.".to_owned()),
            ".{0,64}",
            "\\PC{0,300}",
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        // RFC 9700 §4.11.2: whatever is sent, the provider never panics, and it never sends the
        // browser to a URI the client did not register.
        #[test]
        fn no_input_panics_or_redirects_anywhere_unregistered(
            changes in proptest::collection::vec((name(), value()), 0..8),
            drop in proptest::collection::vec(0usize..8, 0..3),
        ) {
            let (clients, _dir) = registry();
            let mut pairs = good();
            for index in drop {
                if index < pairs.len() { pairs.remove(index); }
            }
            for (name, value) in changes {
                pairs.retain(|(n, _)| *n != name);
                pairs.push((name, value));
            }
            let outcome = validate(&params(&pairs), &clients, None, &no_hints, &ENDPOINTS, 1_000_000);
            if let Err(AuthorizeError::Redirect(error)) = outcome {
                prop_assert_eq!(error.redirect_uri.as_str(), REDIRECT);
                let location = error.location(ENDPOINTS.issuer);
                prop_assert!(location.starts_with(REDIRECT));
            }
        }

        #[test]
        fn query_parsing_never_panics(query in "\\PC{0,200}") {
            let _ = Params::from_query(&query);
        }

        #[test]
        fn vtr_parsing_never_panics(vtr in "\\PC{0,60}") {
            let _ = super::super::vtr::parse_vtr(&vtr);
        }

        #[test]
        fn token_parsing_never_panics(token in "[A-Za-z0-9_.-]{0,200}") {
            let keys = JwkSet { keys: vec![] };
            let _ = client_key_for(&token, &keys);
        }
    }
}
