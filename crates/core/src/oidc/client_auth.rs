//! Client authentication at the token and revocation endpoints (RFC 6749 §2.3, OpenID Connect
//! Core §9, RFC 7523): `private_key_jwt` (preferred), `client_secret_basic`,
//! `client_secret_post`, and `none` for public clients. Each client uses only its registered
//! method; every failure is the same `invalid_client` (RFC 6749 §5.2).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use base64::Engine;
use jsonwebtoken::Validation;
use jsonwebtoken::jwk::JwkSet;
use serde::Deserialize;

use super::authorization_request::{Params, client_key_for};
use super::clients::{AuthMethod, Client, ClientKeys, ClientRegistry};
use super::replay::{SingleUse, UsedProofs};
use crate::error::{Error, OAuthError, Result};
use crate::outbound::Outbound;
use one_login_store::ephemeral::EphemeralStore;

pub const JWT_BEARER: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
/// An assertion may live at most this long (checklist 18: exp - iat of minutes, not hours).
const MAX_ASSERTION_LIFETIME: i64 = 600;
/// How far a client's clock may run ahead of ours.
const CLOCK_SKEW: i64 = 60;
/// Largest JWKS document fetched from a client (checklist 40: size-capped).
const MAX_JWKS_BYTES: usize = 64 * 1024;
/// A client's `jwks_uri` is fetched at most once in this many seconds, however many unknown
/// key ids arrive (issue 11.13): a stream of made-up `kid`s must not turn the provider against
/// the client's server.
const MIN_SECONDS_BETWEEN_FETCHES: i64 = 60;

/// Fetches and caches clients' `jwks_uri` documents (checklist 40: https, size- and
/// time-capped, cached, never from internal addresses: see [`Outbound`]).
#[derive(Clone)]
pub struct ClientKeyCache {
    http: Outbound,
    cache: moka::future::Cache<String, Arc<JwkSet>>,
    /// When each client's keys were last fetched, by client id (registered clients only, so
    /// bounded).
    fetched_at: Arc<Mutex<HashMap<String, i64>>>,
}

impl ClientKeyCache {
    pub fn new(http: Outbound) -> Self {
        ClientKeyCache {
            http,
            cache: moka::future::Cache::builder()
                .max_capacity(10_000)
                .time_to_live(Duration::from_secs(300))
                .build(),
            fetched_at: Arc::default(),
        }
    }

    /// The client's public keys: inline, or fetched (cached for 5 minutes; `fresh` skips the
    /// cache, for a key id not seen before). A fetch within a minute of the last one for the
    /// same client does not happen: the cached keys (if any) answer instead.
    pub async fn keys(
        &self,
        client: &Client,
        fresh: bool,
        now: i64,
    ) -> Result<Option<Arc<JwkSet>>> {
        match &client.keys {
            None => Ok(None),
            Some(ClientKeys::Inline(set)) => Ok(Some(set.clone())),
            Some(ClientKeys::Remote(url)) => {
                let cached = self.cache.get(url.as_str()).await;
                if !fresh && let Some(set) = cached {
                    return Ok(Some(set));
                }
                if !self.may_fetch(&client.client_id, now) {
                    return cached.map(Some).ok_or_else(|| {
                        Error::Outbound(format!(
                            "{url}: fetched less than {MIN_SECONDS_BETWEEN_FETCHES} s ago, without success"
                        ))
                    });
                }
                let set = Arc::new(self.fetch(url).await?);
                self.cache.insert(url.to_string(), set.clone()).await;
                Ok(Some(set))
            }
        }
    }

    /// Whether a fetch for `client_id` may go now; if so, it counts from now (so of racing
    /// requests one fetches).
    fn may_fetch(&self, client_id: &str, now: i64) -> bool {
        let mut fetched_at = self
            .fetched_at
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        match fetched_at.get(client_id) {
            Some(last) if now - last < MIN_SECONDS_BETWEEN_FETCHES => false,
            _ => {
                fetched_at.insert(client_id.to_owned(), now);
                true
            }
        }
    }

    async fn fetch(&self, url: &url::Url) -> Result<JwkSet> {
        let fail = |why: String| Error::Outbound(format!("fetching client keys from {url}: {why}"));
        let mut response = self
            .http
            .get(url)?
            .send()
            .await
            .map_err(|e| fail(e.to_string()))?;
        if !response.status().is_success() {
            return Err(fail(format!("status {}", response.status())));
        }
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(|e| fail(e.to_string()))? {
            body.extend_from_slice(&chunk);
            if body.len() > MAX_JWKS_BYTES {
                return Err(fail("document too large".into()));
            }
        }
        serde_json::from_slice(&body).map_err(|e| fail(e.to_string()))
    }
}

/// Where assertions may be addressed (checklist 19: the issuer or the token endpoint).
pub struct Audiences<'a> {
    pub issuer: &'a str,
    pub token_endpoint: &'a str,
}

#[derive(Debug, Deserialize)]
struct AssertionClaims {
    iss: String,
    sub: String,
    aud: serde_json::Value,
    exp: i64,
    #[serde(default)]
    iat: Option<i64>,
    #[serde(default)]
    jti: Option<String>,
}

/// What the request presented.
enum Presented {
    Assertion(String),
    Secret {
        client_id: String,
        secret: String,
        method: AuthMethod,
    },
    Nothing {
        client_id: String,
    },
}

fn presented(
    form: &Params,
    authorization: Option<&str>,
) -> std::result::Result<Presented, OAuthError> {
    let basic = authorization.and_then(|value| value.strip_prefix("Basic ").map(str::trim));
    let methods = [
        basic.is_some(),
        form.get("client_secret").is_some(),
        form.get("client_assertion").is_some(),
    ];
    if methods.iter().filter(|m| **m).count() > 1 {
        // RFC 6749 §2.3: a client uses one method per request.
        return Err(OAuthError::invalid_request(
            "use one client authentication method",
        ));
    }
    if let Some(encoded) = basic {
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(encoded)
            .map_err(|_| OAuthError::invalid_client())?;
        let text = String::from_utf8(decoded).map_err(|_| OAuthError::invalid_client())?;
        let (id, secret) = text
            .split_once(':')
            .ok_or_else(OAuthError::invalid_client)?;
        // RFC 6749 §2.3.1: both parts are form-urlencoded.
        let decode = |s: &str| {
            url::form_urlencoded::parse(format!("x={s}").as_bytes())
                .next()
                .map(|(_, v)| v.into_owned())
        };
        return Ok(Presented::Secret {
            client_id: decode(id).ok_or_else(OAuthError::invalid_client)?,
            secret: decode(secret).ok_or_else(OAuthError::invalid_client)?,
            method: AuthMethod::ClientSecretBasic,
        });
    }
    if let Some(assertion) = form.get("client_assertion") {
        if form.get("client_assertion_type") != Some(JWT_BEARER) {
            return Err(OAuthError::invalid_request(
                "client_assertion_type must be jwt-bearer",
            ));
        }
        return Ok(Presented::Assertion(assertion.to_owned()));
    }
    let client_id = form
        .get("client_id")
        .ok_or_else(OAuthError::invalid_client)?
        .to_owned();
    match form.get("client_secret") {
        Some(secret) => Ok(Presented::Secret {
            client_id,
            secret: secret.to_owned(),
            method: AuthMethod::ClientSecretPost,
        }),
        None => Ok(Presented::Nothing { client_id }),
    }
}

/// Authenticates the client of a token or revocation request.
pub async fn authenticate(
    form: &Params,
    authorization: Option<&str>,
    clients: &ClientRegistry,
    keys: &ClientKeyCache,
    replay: &dyn EphemeralStore,
    audiences: &Audiences<'_>,
    now: i64,
) -> Result<Arc<Client>> {
    let refuse = |why: &str| {
        tracing::info!(reason = why, "client authentication failed");
        Error::OAuth(OAuthError::invalid_client())
    };
    match presented(form, authorization)? {
        Presented::Secret {
            client_id,
            secret,
            method,
        } => {
            let client = clients
                .get(&client_id)
                .ok_or_else(|| refuse("unknown client"))?;
            if client.auth_method != method {
                return Err(refuse("not the client's registered method"));
            }
            if !client.secret_matches(&secret) {
                return Err(refuse("wrong secret"));
            }
            Ok(client)
        }
        Presented::Nothing { client_id } => {
            let client = clients
                .get(&client_id)
                .ok_or_else(|| refuse("unknown client"))?;
            if client.auth_method != AuthMethod::None {
                return Err(refuse("confidential client without credentials"));
            }
            Ok(client)
        }
        Presented::Assertion(assertion) => {
            // The issuer names the client; the signature then proves it.
            let unverified: AssertionClaims =
                jsonwebtoken::dangerous::insecure_decode_claims(&assertion)
                    .map_err(|_| refuse("assertion is not a JWT"))?;
            let client = clients
                .get(&unverified.iss)
                .ok_or_else(|| refuse("unknown client"))?;
            if client.auth_method != AuthMethod::PrivateKeyJwt {
                return Err(refuse("not the client's registered method"));
            }
            if form
                .get("client_id")
                .is_some_and(|id| id != client.client_id)
            {
                return Err(refuse("client_id does not match the assertion"));
            }
            // Issue 11.15: keys that cannot be fetched fail the client's authentication
            // (invalid_client), not the server (500).
            let client_ref: &Client = &client;
            let client_keys = |fresh: bool| async move {
                match keys.keys(client_ref, fresh, now).await {
                    Ok(Some(set)) => Ok(set),
                    Ok(None) => Err(refuse("client has no keys")),
                    Err(e) => {
                        tracing::warn!(client = %client_ref.client_id, error = %e, "client keys unavailable");
                        Err(refuse("client keys unavailable"))
                    }
                }
            };
            let set = client_keys(false).await?;
            let (key, alg) = match client_key_for(&assertion, &set) {
                Ok(found) => found,
                Err("unknown key id") if matches!(client.keys, Some(ClientKeys::Remote(_))) => {
                    let set = client_keys(true).await?;
                    client_key_for(&assertion, &set).map_err(refuse)?
                }
                Err(why) => return Err(refuse(why)),
            };
            let mut validation = Validation::new(alg);
            validation.required_spec_claims.clear();
            validation.validate_exp = false;
            validation.validate_aud = false;
            let claims = jsonwebtoken::decode::<AssertionClaims>(&assertion, &key, &validation)
                .map_err(|_| refuse("assertion signature"))?
                .claims;
            check_assertion(&claims, &client.client_id, audiences, now).map_err(refuse)?;
            let jti = claims
                .jti
                .as_deref()
                .ok_or_else(|| refuse("assertion has no jti"))?;
            // Kept until the assertion expires, in the shared store, so no replica accepts it
            // twice (Core §9, RFC 7523 §3).
            let assertion = SingleUse::ClientAssertion {
                client_id: &client.client_id,
                jti,
            };
            if !UsedProofs::new(replay)
                .first_use(assertion, claims.exp + CLOCK_SKEW, now)
                .await?
            {
                // Checklist 78: token reuse is logged as such, not only as a failure.
                tracing::warn!(client = %client.client_id, "client assertion replayed");
                return Err(refuse("assertion jti replayed"));
            }
            Ok(client)
        }
    }
}

/// RFC 7523 §3 and Core §9: iss = sub = client_id, aud = the issuer or the token endpoint, an
/// expiry in the near future, not issued in the future.
fn check_assertion(
    claims: &AssertionClaims,
    client_id: &str,
    audiences: &Audiences<'_>,
    now: i64,
) -> std::result::Result<(), &'static str> {
    if claims.iss != client_id || claims.sub != client_id {
        return Err("iss and sub must be the client_id");
    }
    let allowed = |aud: &str| aud == audiences.issuer || aud == audiences.token_endpoint;
    let audience_ok = match &claims.aud {
        serde_json::Value::String(aud) => allowed(aud),
        serde_json::Value::Array(list) => {
            !list.is_empty() && list.iter().all(|a| a.as_str().is_some_and(allowed))
        }
        _ => false,
    };
    if !audience_ok {
        return Err("aud must be the issuer or the token endpoint");
    }
    if claims.exp <= now - CLOCK_SKEW {
        return Err("assertion expired");
    }
    if claims.exp > now + MAX_ASSERTION_LIFETIME
        || claims
            .iat
            // Saturating: `iat` is the client's, any i64; a wrapped difference would pass.
            .is_some_and(|iat| claims.exp.saturating_sub(iat) > MAX_ASSERTION_LIFETIME)
    {
        return Err("assertion lives too long");
    }
    if claims.iat.is_some_and(|iat| iat > now + CLOCK_SKEW) {
        return Err("assertion issued in the future");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims(aud: serde_json::Value, exp: i64) -> AssertionClaims {
        AssertionClaims {
            iss: "rp".into(),
            sub: "rp".into(),
            aud,
            exp,
            iat: Some(1_000),
            jti: Some("j".into()),
        }
    }

    const AUD: Audiences<'static> = Audiences {
        issuer: "https://id.example/",
        token_endpoint: "https://id.example/token",
    };

    #[test]
    fn an_issue_time_far_in_the_past_is_too_long_a_life_not_an_overflow() {
        // fuzz/corpus/client_assertion/iat_overflow: `exp - iat` overflowed, a panic where
        // overflow is checked and a wrapped, accepted lifetime where it is not.
        let mut old = claims("https://id.example/token".into(), 1_100);
        old.iat = Some(i64::MIN);
        assert_eq!(
            check_assertion(&old, "rp", &AUD, 1_000),
            Err("assertion lives too long")
        );
    }

    #[test]
    fn assertion_rules() {
        assert!(
            check_assertion(
                &claims("https://id.example/token".into(), 1_100),
                "rp",
                &AUD,
                1_000
            )
            .is_ok()
        );
        assert!(
            check_assertion(
                &claims("https://id.example/".into(), 1_100),
                "rp",
                &AUD,
                1_000
            )
            .is_ok()
        );
        assert!(
            check_assertion(
                &claims(serde_json::json!(["https://id.example/"]), 1_100),
                "rp",
                &AUD,
                1_000
            )
            .is_ok()
        );
        assert_eq!(
            check_assertion(
                &claims("https://evil.example/".into(), 1_100),
                "rp",
                &AUD,
                1_000
            ),
            Err("aud must be the issuer or the token endpoint")
        );
        assert!(
            check_assertion(
                &claims(
                    serde_json::json!(["https://id.example/", "https://evil.example/"]),
                    1_100
                ),
                "rp",
                &AUD,
                1_000
            )
            .is_err()
        );
        assert_eq!(
            check_assertion(
                &claims("https://id.example/".into(), 900),
                "rp",
                &AUD,
                1_000
            ),
            Err("assertion expired")
        );
        assert_eq!(
            check_assertion(
                &claims("https://id.example/".into(), 99_999),
                "rp",
                &AUD,
                1_000
            ),
            Err("assertion lives too long")
        );
        assert_eq!(
            check_assertion(
                &claims("https://id.example/".into(), 1_100),
                "other",
                &AUD,
                1_000
            ),
            Err("iss and sub must be the client_id")
        );
        let mut future = claims("https://id.example/".into(), 1_500);
        future.iat = Some(1_400);
        assert_eq!(
            check_assertion(&future, "rp", &AUD, 1_000),
            Err("assertion issued in the future")
        );
    }

    #[test]
    fn one_method_per_request() {
        let form = Params::from_query("client_id=rp&client_secret=s").unwrap();
        assert!(presented(&form, Some("Basic cnA6cw==")).is_err());
        assert!(matches!(
            presented(&form, None),
            Ok(Presented::Secret {
                method: AuthMethod::ClientSecretPost,
                ..
            })
        ));
        let basic = Params::from_query("grant_type=x").unwrap();
        match presented(&basic, Some("Basic cnAlM0FzOnM=")) {
            Ok(Presented::Secret {
                client_id,
                secret,
                method,
            }) => {
                assert_eq!(
                    (client_id.as_str(), secret.as_str(), method),
                    ("rp:s", "s", AuthMethod::ClientSecretBasic)
                );
            }
            _ => panic!("basic credentials not read"),
        }
        let wrong_type =
            Params::from_query("client_assertion=x&client_assertion_type=saml").unwrap();
        assert!(presented(&wrong_type, None).is_err());
    }
}
