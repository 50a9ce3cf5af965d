//! What the fuzz targets share: registered test clients, fixed test keys, a fixed clock and a
//! runtime for the provider's async entry points. Every target calls the provider's own parsing
//! code; nothing here parses what a target fuzzes.
//!
//! The clock is fixed (`NOW`) so that signed seeds in the corpus (request objects, assertions,
//! ID tokens signed by the keys in `keys/`) stay valid run after run. The keys are test keys,
//! made for the fuzzer and used nowhere else.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::future::Future;
use std::path::Path;
use std::sync::OnceLock;
use std::time::Duration;

use async_trait::async_trait;
use base64::Engine;
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey};
use one_login_core::config::{KeysConfig, OutboundConfig};
use one_login_core::oidc::authorization_request::{
    AuthorizeError, Endpoints, Params, ValidRequest, validate,
};
use one_login_core::oidc::client_auth::ClientKeyCache;
use one_login_core::oidc::clients::{ClientKeys, ClientRegistry, IDENTITY_CLAIMS};
use one_login_core::oidc::keys::{KeyStore, Keys};
use one_login_core::oidc::signed_tokens::verify_id_token_hint;
use one_login_core::outbound::Outbound;
use one_login_store::StoredKey;
use one_login_store::ephemeral::MemoryStore;

/// The provider's fixed clock, in seconds: mid-2027.
pub const NOW: i64 = 1_800_000_000;
pub const ISSUER: &str = "https://id.example.gov.uk/";
pub const AUTHORIZE: &str = "https://id.example.gov.uk/authorize";
pub const TOKEN: &str = "https://id.example.gov.uk/token";

/// The client that signs request objects and assertions with `keys/client-es256.pem`.
pub const JWT_CLIENT: &str = "rp-jwt";
pub const CLIENT_KID: &str = "client-key";

/// The provider's key ids (see [`provider_keys`]).
pub const PROVIDER_ES256_KID: &str = "fuzz-es256";
pub const PROVIDER_RS256_KID: &str = "fuzz-rs256";

const CLIENT_PEM: &str = include_str!("../keys/client-es256.pem");
const PROVIDER_ES256_PEM: &str = include_str!("../keys/provider-es256.pem");
const PROVIDER_RS256_PEM: &str = include_str!("../keys/provider-rs256.pem");
const PROVIDER_IDENTITY_PEM: &str = include_str!("../keys/provider-identity-es256.pem");

/// Runs one of the provider's async functions to the end. Nothing here waits on the network,
/// so a current-thread runtime is enough.
pub fn block_on<F: Future>(future: F) -> F::Output {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME
        .get_or_init(|| {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap()
        })
        .block_on(future)
}

/// The clients in `clients/`, loaded by the provider's own loader.
pub fn clients() -> &'static ClientRegistry {
    static CLIENTS: OnceLock<ClientRegistry> = OnceLock::new();
    CLIENTS.get_or_init(|| {
        ClientRegistry::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("clients")).unwrap()
    })
}

/// The public keys of [`JWT_CLIENT`], as its registration holds them.
pub fn client_jwks() -> &'static JwkSet {
    static SET: OnceLock<JwkSet> = OnceLock::new();
    SET.get_or_init(|| {
        let client = clients().get(JWT_CLIENT).unwrap();
        match &client.keys {
            Some(ClientKeys::Inline(set)) => JwkSet::clone(set),
            _ => panic!("{JWT_CLIENT} must have inline keys"),
        }
    })
}

pub fn client_signing_key() -> &'static EncodingKey {
    static KEY: OnceLock<EncodingKey> = OnceLock::new();
    KEY.get_or_init(|| EncodingKey::from_ec_pem(CLIENT_PEM.as_bytes()).unwrap())
}

/// The provider's keys (ID tokens in ES256 and RS256, identity credentials), from fixed PEMs
/// through the provider's own loader.
pub fn provider_keys() -> &'static Keys {
    static KEYS: OnceLock<Keys> = OnceLock::new();
    KEYS.get_or_init(|| {
        let config = KeysConfig {
            publish_before_use: Duration::ZERO,
            publish_after_retirement: Duration::from_secs(3_600),
            refresh_interval: Duration::from_secs(60),
        };
        block_on(Keys::load(&FixedKeys, &config, NOW)).unwrap()
    })
}

/// The provider's signing key for `alg`, parsed once: parsing a PEM on every input (RSA above
/// all) cost more than the code under test.
pub fn provider_signing_key(alg: Algorithm) -> &'static EncodingKey {
    static RS256: OnceLock<EncodingKey> = OnceLock::new();
    static ES256: OnceLock<EncodingKey> = OnceLock::new();
    match alg {
        Algorithm::RS256 => RS256
            .get_or_init(|| EncodingKey::from_rsa_pem(PROVIDER_RS256_PEM.as_bytes()).unwrap()),
        _ => ES256.get_or_init(|| EncodingKey::from_ec_pem(PROVIDER_ES256_PEM.as_bytes()).unwrap()),
    }
}

/// A key store holding the fixed test keys; the loader never needs to make one.
struct FixedKeys;

#[async_trait]
impl KeyStore for FixedKeys {
    async fn all(&self) -> one_login_core::Result<Vec<StoredKey>> {
        let key = |kid: &str, alg: &str, purpose: &str, pem: &str| StoredKey {
            kid: kid.to_owned(),
            alg: alg.to_owned(),
            purpose: purpose.to_owned(),
            private_pem: pem.to_owned(),
            created_at: 0,
            active_from: 0,
            retired_at: None,
        };
        Ok(vec![
            key(PROVIDER_ES256_KID, "ES256", "tokens", PROVIDER_ES256_PEM),
            key(PROVIDER_RS256_KID, "RS256", "tokens", PROVIDER_RS256_PEM),
            key("fuzz-identity", "ES256", "identity", PROVIDER_IDENTITY_PEM),
        ])
    }

    async fn insert_first(&self, _key: &StoredKey) -> one_login_core::Result<bool> {
        panic!("the fixed key store has every key the provider needs")
    }

    async fn rotate_to(&self, _key: &StoredKey) -> one_login_core::Result<()> {
        panic!("the fuzz targets never rotate keys")
    }
}

/// The client key cache (inline keys only: the fuzz clients have no `jwks_uri`).
pub fn client_key_cache() -> &'static ClientKeyCache {
    static CACHE: OnceLock<ClientKeyCache> = OnceLock::new();
    CACHE.get_or_init(|| ClientKeyCache::new(Outbound::new(&OutboundConfig::default()).unwrap()))
}

/// The short-lived store that keeps replay marks.
pub fn ephemeral() -> &'static MemoryStore {
    static STORE: OnceLock<MemoryStore> = OnceLock::new();
    STORE.get_or_init(|| MemoryStore::new(64 << 20))
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// A compact JWS over exactly these header and payload bytes, whatever they are: lets the
/// fuzzer reach the code behind the signature check with any header and claims.
pub fn sign_raw(header: &[u8], payload: &[u8], key: &EncodingKey, alg: Algorithm) -> String {
    let message = format!("{}.{}", b64(header), b64(payload));
    let signature = jsonwebtoken::crypto::sign(message.as_bytes(), key, alg).unwrap();
    format!("{message}.{signature}")
}

/// The header [`JWT_CLIENT`] signs with.
pub fn client_header() -> Vec<u8> {
    format!(r#"{{"alg":"ES256","typ":"JWT","kid":"{CLIENT_KID}"}}"#).into_bytes()
}

/// Whether `token`'s signature verifies under `key` with `alg`, checked by jsonwebtoken's
/// primitive alone (no claim rules): the oracle for "never accepts what the key did not sign".
pub fn signed_by(token: &str, key: &DecodingKey, alg: Algorithm) -> bool {
    let Some((message, signature)) = token.rsplit_once('.') else {
        return false;
    };
    jsonwebtoken::crypto::verify(signature, message.as_bytes(), key, alg).unwrap_or(false)
}

/// Whether `token` was signed by [`JWT_CLIENT`]'s key.
pub fn signed_by_client(token: &str) -> bool {
    client_jwks()
        .keys
        .iter()
        .filter_map(|jwk| DecodingKey::from_jwk(jwk).ok())
        .any(|key| signed_by(token, &key, Algorithm::ES256))
}

/// Whether `token` was signed by one of the provider's token keys.
pub fn signed_by_provider(token: &str) -> bool {
    provider_keys().set().all().iter().any(|key| {
        DecodingKey::from_jwk(&key.public)
            .is_ok_and(|decoding| signed_by(token, &decoding, key.alg))
    })
}

/// Validates `params` as the authorization endpoint does (the client's keys for a request
/// object, the provider's keys for an `id_token_hint`), then checks what must hold of any
/// answer: a redirect only ever to a URI the client registered, a request object accepted only
/// when the client's key signed it, and nothing outside the client's registration granted.
pub fn check_authorization(params: &Params) -> Result<ValidRequest, AuthorizeError> {
    let clients = clients();
    let client = params.get("client_id").and_then(|id| clients.get(id));
    let object_keys = match (&client, params.get("request")) {
        (Some(client), Some(_)) => {
            block_on(client_key_cache().keys(client, false, NOW)).unwrap_or(None)
        }
        _ => None,
    };
    let verify_hint = |token: &str| verify_id_token_hint(provider_keys(), ISSUER, token, NOW);
    let endpoints = Endpoints {
        issuer: ISSUER,
        authorize: AUTHORIZE,
    };
    let result = validate(
        params,
        clients,
        object_keys.as_deref(),
        &verify_hint,
        &endpoints,
        NOW * 1_000,
    );
    match &result {
        Ok(valid) => {
            let request = &valid.request;
            assert_eq!(
                Some(valid.client.client_id.as_str()),
                params.get("client_id")
            );
            assert!(valid.client.has_redirect_uri(&request.redirect_uri));
            assert!(request.scopes.contains("openid"));
            assert!(request.scopes.is_subset(&valid.client.scopes));
            assert!(
                request
                    .claims
                    .userinfo
                    .iter()
                    .all(|c| valid.client.claims.contains(c))
            );
            assert!(
                request
                    .claims
                    .id_token
                    .iter()
                    .all(|c| valid.client.claims.contains(c))
            );
            assert!(
                !request
                    .claims
                    .id_token
                    .iter()
                    .any(|c| IDENTITY_CLAIMS.contains(&c.as_str()))
            );
            if let Some(challenge) = &request.code_challenge {
                assert_eq!(challenge.len(), 43);
            }
            assert!(
                request
                    .state
                    .as_ref()
                    .is_none_or(|s| s.chars().count() <= 2_048)
            );
            assert!(
                request
                    .nonce
                    .as_ref()
                    .is_none_or(|n| n.chars().count() <= 2_048)
            );
            if valid.client.is_public() {
                assert!(request.code_challenge.is_some());
            }
            assert!(request.essential_acr.windows(2).all(|w| w[0] < w[1]));
            assert!(
                request
                    .essential_acr
                    .iter()
                    .all(|acr| *acr >= request.vtr.credential)
            );
            match params.get("request") {
                Some(object) => {
                    assert!(valid.request_object.is_some());
                    assert!(
                        signed_by_client(object),
                        "accepted a request object the client did not sign"
                    );
                }
                None => assert!(valid.request_object.is_none()),
            }
        }
        Err(AuthorizeError::Redirect(error)) => {
            let client = client.expect("a redirect needs a registered client");
            assert!(
                client.has_redirect_uri(&error.redirect_uri),
                "redirected to an unregistered URI"
            );
            assert!(error.location(ISSUER).starts_with(&error.redirect_uri));
        }
        Err(AuthorizeError::Page(_)) => {}
    }
    result
}

/// The parameters of a good request from [`JWT_CLIENT`], as (name, value) pairs.
pub fn good_request() -> Vec<(String, String)> {
    [
        ("response_type", "code"),
        ("client_id", JWT_CLIENT),
        ("redirect_uri", "https://rp.example.gov.uk/callback"),
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

/// Params from pairs, as the endpoint collects them.
pub fn params(pairs: &[(String, String)]) -> Option<Params> {
    Params::collect(
        pairs
            .iter()
            .map(|(k, v)| (k.as_str().into(), v.as_str().into())),
    )
    .ok()
}

/// A page's form body as the provider reads it: its own `PageForm` extractor over a POST with
/// the form content type. `None` where the page would answer "bad request".
pub fn page_form<T: serde::de::DeserializeOwned>(body: &[u8]) -> Option<T> {
    use axum::extract::FromRequest;
    use one_login_provider::web::extract::PageForm;
    let request = axum::http::Request::builder()
        .method("POST")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(axum::body::Body::from(body.to_vec()))
        .unwrap();
    block_on(PageForm::<T>::from_request(request, &()))
        .ok()
        .map(|PageForm(form)| form)
}
