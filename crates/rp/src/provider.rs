//! The service as an OpenID Connect relying party, on the `openidconnect` crate: discovery,
//! the code flow with PKCE, `state` and `nonce`, `private_key_jwt`, ID token validation (ES256
//! only), userinfo, refresh and RP-initiated logout. Its HTTP goes through the workspace's
//! reqwest with redirects off (stack.md, pitfall 2).

use std::sync::Arc;
use std::time::Duration;

use jsonwebtoken::jwk::JwkSet;
use openidconnect::core::{
    CoreAuthDisplay, CoreAuthPrompt, CoreAuthenticationFlow, CoreErrorResponseType,
    CoreGenderClaim, CoreJsonWebKey, CoreJweContentEncryptionAlgorithm, CoreJwsSigningAlgorithm,
    CoreRevocableToken, CoreRevocationErrorResponse, CoreTokenIntrospectionResponse, CoreTokenType,
};
use openidconnect::{
    AccessTokenHash, AdditionalClaims, AuthorizationCode, ClaimsVerificationError, ClientId,
    CsrfToken, EmptyExtraTokenFields, EndpointMaybeSet, EndpointNotSet, EndpointSet, HttpRequest,
    HttpResponse, IdTokenFields, IssuerUrl, LogoutRequest, Nonce, OAuth2TokenResponse,
    PkceCodeChallenge, PkceCodeVerifier, PostLogoutRedirectUrl, ProviderMetadataWithLogout,
    RedirectUrl, RefreshToken, RequestTokenError, Scope, SignatureVerificationError,
    StandardErrorResponse, StandardTokenResponse, TokenResponse,
};
use serde::{Deserialize, Serialize};
use tokio::sync::RwLock;

use crate::config::{CORE_IDENTITY_CLAIM, Config, RequestConfig};
use crate::error::{Error, Result};
use crate::identity::{
    CoreIdentity, DidDocument, DrivingPermit, Expected, Passport, PostalAddress, ReturnCodeClaim,
    current_address, verify_core_identity,
};
use crate::keys::KeyRing;
use crate::logout_token::{self, LogoutOf, ReplayGuard};
use crate::sessions::{Pending, Purpose, SignedIn};

const JWT_BEARER: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
/// Discovery may be cached for a day; keys rotate, so re-read hourly and on an unknown key.
const METADATA_TTL: i64 = 3_600;
/// At most one forced re-read per this many seconds, whatever tokens arrive.
const MIN_REFRESH_INTERVAL: i64 = 10;

/// The ID token claims One Login adds: the session id, the level reached and the trustmark.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OneLoginIdClaims {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sid: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vot: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vtm: Option<String>,
}
impl AdditionalClaims for OneLoginIdClaims {}

/// The identity claims in userinfo.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct IdentityUserInfo {
    #[serde(
        rename = "https://vocab.account.gov.uk/v1/coreIdentityJWT",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub core_identity: Option<String>,
    #[serde(
        rename = "https://vocab.account.gov.uk/v1/address",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub address: Option<Vec<PostalAddress>>,
    #[serde(
        rename = "https://vocab.account.gov.uk/v1/drivingPermit",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub driving_permit: Option<Vec<DrivingPermit>>,
    #[serde(
        rename = "https://vocab.account.gov.uk/v1/passport",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub passport: Option<Vec<Passport>>,
    #[serde(
        rename = "https://vocab.account.gov.uk/v1/returnCode",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub return_code: Option<Vec<ReturnCodeClaim>>,
    /// Whether the citizen has reached an age, when asked for and given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub age_over_16: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub age_over_18: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub age_over_21: Option<bool>,
}
impl AdditionalClaims for IdentityUserInfo {}

type Fields = IdTokenFields<
    OneLoginIdClaims,
    EmptyExtraTokenFields,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJwsSigningAlgorithm,
>;
type Tokens = StandardTokenResponse<Fields, CoreTokenType>;
pub type IdToken = openidconnect::IdToken<
    OneLoginIdClaims,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJwsSigningAlgorithm,
>;
type RpClient = openidconnect::Client<
    OneLoginIdClaims,
    CoreAuthDisplay,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJsonWebKey,
    CoreAuthPrompt,
    StandardErrorResponse<CoreErrorResponseType>,
    Tokens,
    CoreTokenIntrospectionResponse,
    CoreRevocableToken,
    CoreRevocationErrorResponse,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;

/// What discovery told, with the provider's keys as jsonwebtoken reads them (logout tokens).
struct Discovered {
    metadata: ProviderMetadataWithLogout,
    keys: JwkSet,
    fetched_at: i64,
}

/// The provider as this service sees it.
pub struct Provider {
    config: Arc<Config>,
    http: reqwest::Client,
    keys: KeyRing,
    discovered: RwLock<Option<Arc<Discovered>>>,
    replay: ReplayGuard,
}

/// One HTTP exchange for openidconnect, over reqwest.
async fn send(http: reqwest::Client, request: HttpRequest) -> Result<HttpResponse, reqwest::Error> {
    let response = http.execute(reqwest::Request::try_from(request)?).await?;
    let mut out = HttpResponse::new(Vec::new());
    *out.status_mut() = response.status();
    *out.headers_mut() = response.headers().clone();
    *out.body_mut() = response.bytes().await?.to_vec();
    Ok(out)
}

fn unreachable(what: &str, e: impl std::fmt::Display) -> Error {
    Error::ProviderUnreachable(format!("{what}: {e}"))
}

fn token_error<E: std::error::Error + 'static>(
    e: RequestTokenError<E, StandardErrorResponse<CoreErrorResponseType>>,
) -> Error {
    match e {
        RequestTokenError::Request(e) => unreachable("token endpoint", e),
        RequestTokenError::ServerResponse(response) => Error::ProviderAnswer(format!(
            "token endpoint refused: {} {}",
            response.error(),
            response.error_description().cloned().unwrap_or_default()
        )),
        other => Error::ProviderAnswer(format!("token endpoint: {other}")),
    }
}

impl Provider {
    pub fn new(config: Arc<Config>, keys: KeyRing) -> Result<Provider> {
        let http = reqwest::Client::builder()
            // No redirects: a provider answer that redirects is an error, and never a way to
            // make this service fetch elsewhere (SSRF).
            .redirect(reqwest::redirect::Policy::none())
            .timeout(config.provider.timeout)
            .connect_timeout(config.provider.timeout.min(Duration::from_secs(5)))
            .user_agent(format!("one-login-rp ({})", config.client_id))
            .build()
            .map_err(|e| Error::Internal(format!("HTTP client: {e}")))?;
        Ok(Provider {
            config,
            http,
            keys,
            discovered: RwLock::new(None),
            replay: ReplayGuard::default(),
        })
    }

    pub fn keys(&self) -> &KeyRing {
        &self.keys
    }

    fn http(
        &self,
    ) -> impl Fn(
        HttpRequest,
    ) -> std::pin::Pin<
        Box<dyn Future<Output = Result<HttpResponse, reqwest::Error>> + Send>,
    > + use<> {
        let http = self.http.clone();
        move |request| Box::pin(send(http.clone(), request))
    }

    /// Discovery and keys, cached; `fresh` re-reads them (rate-limited) after an unknown key.
    async fn discovered(&self, fresh: bool, now: i64) -> Result<Arc<Discovered>> {
        if let Some(found) = self.discovered.read().await.clone() {
            let age = now - found.fetched_at;
            if (!fresh && age < METADATA_TTL) || (fresh && age < MIN_REFRESH_INTERVAL) {
                return Ok(found);
            }
        }
        let issuer = IssuerUrl::new(self.config.provider.issuer.clone())
            .map_err(|e| Error::config("provider.issuer", e.to_string()))?;
        let metadata = ProviderMetadataWithLogout::discover_async(issuer, &self.http())
            .await
            .map_err(|e| match e {
                openidconnect::DiscoveryError::Request(e) => unreachable("discovery", e),
                other => Error::ProviderAnswer(format!("discovery: {other}")),
            })?;
        let keys: JwkSet = self
            .http
            .get(metadata.jwks_uri().url().clone())
            .send()
            .await
            .map_err(|e| unreachable("JWKS", e))?
            .error_for_status()
            .map_err(|e| Error::ProviderAnswer(format!("JWKS: {e}")))?
            .json()
            .await
            .map_err(|e| Error::ProviderAnswer(format!("JWKS: {e}")))?;
        let found = Arc::new(Discovered {
            metadata,
            keys,
            fetched_at: now,
        });
        *self.discovered.write().await = Some(found.clone());
        Ok(found)
    }

    fn client(&self, found: &Discovered) -> Result<RpClient> {
        let redirect = RedirectUrl::new(self.config.url("callback"))
            .map_err(|e| Error::config("public_url", e.to_string()))?;
        Ok(RpClient::from_provider_metadata(
            found.metadata.clone(),
            ClientId::new(self.config.client_id.clone()),
            None,
        )
        .set_redirect_uri(redirect))
    }

    /// The authorization request for `purpose`: where to send the browser, and what the
    /// callback must match.
    pub async fn begin(
        &self,
        purpose: Purpose,
        request: &RequestConfig,
        ui_locales: Option<&str>,
        now: i64,
    ) -> Result<(url::Url, Pending)> {
        let found = self.discovered(false, now).await?;
        let client = self.client(&found)?;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let vtr = serde_json::json!([request.vtr]).to_string();
        let mut authorize = client
            .authorize_url(
                CoreAuthenticationFlow::AuthorizationCode,
                CsrfToken::new_random,
                Nonce::new_random,
            )
            .set_pkce_challenge(challenge)
            .add_extra_param("vtr", vtr);
        for scope in &request.scopes {
            authorize = authorize.add_scope(Scope::new(scope.clone()));
        }
        if let Some(claims) = request.claims_parameter() {
            authorize = authorize.add_extra_param("claims", claims);
        }
        // OpenID Connect Core §3.1.2.1: the languages for the provider's pages, best first.
        if let Some(ui_locales) = ui_locales {
            authorize = authorize.add_extra_param("ui_locales", ui_locales.to_owned());
        }
        let (url, state, nonce) = authorize.url();
        let url = if request.request_object {
            self.request_object(url, now)?
        } else {
            url
        };
        Ok((
            url,
            Pending {
                purpose,
                state: state.secret().clone(),
                nonce: nonce.secret().clone(),
                pkce_verifier: verifier.secret().clone(),
                sent_at: now,
            },
        ))
    }

    /// The same request as a signed request object (RFC 9101 §4; OpenID Connect Core §6.1):
    /// every parameter inside the JWT, and outside only those Core §6.1 requires there too.
    fn request_object(&self, url: url::Url, now: i64) -> Result<url::Url> {
        let mut claims: serde_json::Map<String, serde_json::Value> = url
            .query_pairs()
            .map(|(k, v)| (k.into_owned(), serde_json::Value::String(v.into_owned())))
            .collect();
        claims.insert("iss".into(), self.config.client_id.clone().into());
        claims.insert("aud".into(), self.config.provider.issuer.clone().into());
        claims.insert("iat".into(), now.into());
        // Short and single-use: the provider marks the jti used until it expires.
        claims.insert("exp".into(), (now + 300).into());
        claims.insert("jti".into(), uuid::Uuid::new_v4().to_string().into());
        let jwt = self
            .keys
            .current()
            .sign(&serde_json::Value::Object(claims.clone()))?;
        let mut out = url.clone();
        out.set_query(None);
        {
            let mut query = out.query_pairs_mut();
            for name in ["client_id", "response_type", "scope"] {
                if let Some(serde_json::Value::String(value)) = claims.get(name) {
                    query.append_pair(name, value);
                }
            }
            query.append_pair("request", &jwt);
        }
        Ok(out)
    }

    /// Whether `iss` on a callback (RFC 9207) is this provider's.
    pub fn is_issuer(&self, iss: &str) -> bool {
        iss == self.config.provider.issuer
    }

    fn assertion(&self, client: &RpClient, now: i64) -> Result<String> {
        let token_url = client
            .token_uri()
            .ok_or_else(|| Error::ProviderAnswer("discovery names no token endpoint".into()))?;
        self.keys
            .current()
            .assertion(&self.config.client_id, token_url.as_str(), now)
    }

    /// Verifies the ID token (signature ES256 from the provider's keys, iss, aud, exp, nonce,
    /// at_hash), re-reading the keys once if the token names one not seen yet.
    async fn verified_claims(
        &self,
        tokens: &Tokens,
        nonce: Option<&str>,
        now: i64,
    ) -> Result<(
        IdToken,
        openidconnect::IdTokenClaims<OneLoginIdClaims, CoreGenderClaim>,
    )> {
        let id_token = tokens
            .id_token()
            .ok_or_else(|| Error::ProviderAnswer("no ID token".into()))?
            .clone();
        let mut fresh = false;
        loop {
            let found = self.discovered(fresh, now).await?;
            let client = self.client(&found)?;
            let verifier = client
                .id_token_verifier()
                .set_allowed_algs([CoreJwsSigningAlgorithm::EcdsaP256Sha256]);
            let result = match nonce {
                Some(nonce) => id_token.claims(&verifier, &Nonce::new(nonce.to_owned())),
                // A refreshed ID token carries no nonce (OpenID Connect Core §12.2).
                None => id_token.claims(&verifier, |_: Option<&Nonce>| Ok(())),
            };
            match result {
                Ok(claims) => {
                    if let Some(expected) = claims.access_token_hash() {
                        let alg = id_token
                            .signing_alg()
                            .map_err(|e| Error::ProviderAnswer(format!("ID token: {e}")))?;
                        let key = id_token
                            .signing_key(&verifier)
                            .map_err(|e| Error::ProviderAnswer(format!("ID token: {e}")))?;
                        let actual = AccessTokenHash::from_token(tokens.access_token(), alg, key)
                            .map_err(|e| Error::ProviderAnswer(format!("at_hash: {e}")))?;
                        if &actual != expected {
                            return Err(Error::ProviderAnswer("at_hash does not match".into()));
                        }
                    }
                    return Ok((id_token.clone(), claims.clone()));
                }
                Err(ClaimsVerificationError::SignatureVerification(
                    SignatureVerificationError::NoMatchingKey,
                )) if !fresh => fresh = true,
                Err(e) => return Err(Error::ProviderAnswer(format!("ID token: {e}"))),
            }
        }
    }

    /// The callback's second half: exchange the code, verify the ID token, read userinfo and,
    /// when identity was asked for, verify the core identity.
    pub async fn finish(
        &self,
        pending: &Pending,
        code: String,
        request: &RequestConfig,
        now: i64,
    ) -> Result<SignedIn> {
        let found = self.discovered(false, now).await?;
        let client = self.client(&found)?;
        let tokens = client
            .exchange_code(AuthorizationCode::new(code))
            .map_err(|e| Error::ProviderAnswer(e.to_string()))?
            .set_pkce_verifier(PkceCodeVerifier::new(pending.pkce_verifier.clone()))
            .add_extra_param("client_assertion_type", JWT_BEARER)
            .add_extra_param("client_assertion", self.assertion(&client, now)?)
            .request_async(&self.http())
            .await
            .map_err(token_error)?;
        let (id_token, claims) = self
            .verified_claims(&tokens, Some(&pending.nonce), now)
            .await?;
        let sub = claims.subject().to_string();
        let info = client
            .user_info(
                tokens.access_token().clone(),
                Some(claims.subject().clone()),
            )
            .map_err(|e| Error::ProviderAnswer(e.to_string()))?
            .request_async::<IdentityUserInfo, _, CoreGenderClaim>(&self.http())
            .await
            .map_err(|e| match e {
                openidconnect::UserInfoError::Request(e) => unreachable("userinfo", e),
                other => Error::ProviderAnswer(format!("userinfo: {other}")),
            })?;
        let extra = info.additional_claims();
        let return_codes: Vec<String> = extra
            .return_code
            .iter()
            .flatten()
            .map(|c| c.code.clone())
            .collect();
        let wants_identity = request.identity_level().is_some()
            && request.claims.iter().any(|c| c == CORE_IDENTITY_CLAIM);
        // A return code instead of a core identity: signed in, but not proven (the
        // `ReturnCode` extractor tells the service why).
        let identity = if wants_identity && return_codes.is_empty() {
            Some(self.core_identity(extra, &sub, request, now).await?)
        } else {
            None
        };
        Ok(SignedIn {
            sub,
            sid: claims.additional_claims().sid.clone(),
            id_token,
            auth_time: claims.auth_time().map(|t| t.timestamp()),
            vot: claims.additional_claims().vot.clone(),
            email: info.email().map(|e| e.to_string()),
            identity,
            address: extra.address.as_deref().and_then(current_address),
            driving_permit: extra
                .driving_permit
                .as_ref()
                .and_then(|permits| permits.first().cloned()),
            passport: extra
                .passport
                .as_ref()
                .and_then(|passports| passports.first().cloned()),
            return_codes,
            age_over: [
                ("age_over_16", extra.age_over_16),
                ("age_over_18", extra.age_over_18),
                ("age_over_21", extra.age_over_21),
            ]
            .into_iter()
            .filter_map(|(name, answer)| Some((name.to_owned(), answer?)))
            .collect(),
            refresh_token: tokens.refresh_token().map(|t| t.secret().clone()),
            signed_in_at: now,
            identity_check: None,
            refreshed_at: None,
            csrf_token: String::new(),
        })
    }

    /// The core identity from userinfo, verified against the provider's DID document.
    async fn core_identity(
        &self,
        claims: &IdentityUserInfo,
        sub: &str,
        request: &RequestConfig,
        now: i64,
    ) -> Result<CoreIdentity> {
        let level = request.identity_level().unwrap_or_default();
        let jwt = claims
            .core_identity
            .as_deref()
            .ok_or_else(|| Error::ProviderAnswer("userinfo has no core identity".into()))?;
        let did_url = self.config.did_url();
        let did: DidDocument = self
            .http
            .get(&did_url)
            .send()
            .await
            .map_err(|e| unreachable("DID document", e))?
            .error_for_status()
            .map_err(|e| Error::ProviderAnswer(format!("DID document: {e}")))?
            .json()
            .await
            .map_err(|e| Error::ProviderAnswer(format!("DID document {did_url}: {e}")))?;
        verify_core_identity(
            jwt,
            &did,
            &Expected {
                issuer: self.config.identity_issuer(),
                client_id: &self.config.client_id,
                subject: sub,
                level,
            },
            now,
        )
    }

    /// New tokens from the refresh token (rotated by the provider), the new ID token checked
    /// for the same person, and the email re-read from userinfo.
    pub async fn refresh(&self, user: &SignedIn, now: i64) -> Result<SignedIn> {
        let refresh_token = user
            .refresh_token
            .clone()
            .ok_or(Error::SessionMismatch("no refresh token"))?;
        let found = self.discovered(false, now).await?;
        let client = self.client(&found)?;
        let refresh_token = RefreshToken::new(refresh_token);
        let tokens = client
            .exchange_refresh_token(&refresh_token)
            .map_err(|e| Error::ProviderAnswer(e.to_string()))?
            .add_extra_param("client_assertion_type", JWT_BEARER)
            .add_extra_param("client_assertion", self.assertion(&client, now)?)
            .request_async(&self.http())
            .await
            .map_err(token_error)?;
        let mut updated = user.clone();
        if tokens.id_token().is_some() {
            let (id_token, claims) = self.verified_claims(&tokens, None, now).await?;
            if claims.subject().as_str() != user.sub {
                return Err(Error::ProviderAnswer(
                    "refreshed ID token names someone else".into(),
                ));
            }
            updated.id_token = id_token;
        }
        let info = client
            .user_info(
                tokens.access_token().clone(),
                Some(openidconnect::SubjectIdentifier::new(user.sub.clone())),
            )
            .map_err(|e| Error::ProviderAnswer(e.to_string()))?
            .request_async::<IdentityUserInfo, _, CoreGenderClaim>(&self.http())
            .await
            .map_err(|e| Error::ProviderAnswer(format!("userinfo: {e}")))?;
        updated.email = info.email().map(|e| e.to_string());
        updated.refresh_token = tokens
            .refresh_token()
            .map(|t| t.secret().clone())
            .or(updated.refresh_token);
        updated.refreshed_at = Some(now);
        Ok(updated)
    }

    /// Where to send the browser to sign out at the provider too (RP-Initiated Logout 1.0).
    pub async fn logout_url(&self, id_token: &IdToken, state: &str, now: i64) -> Result<url::Url> {
        let found = self.discovered(false, now).await?;
        let end_session = found
            .metadata
            .additional_metadata()
            .end_session_endpoint
            .clone()
            .ok_or_else(|| {
                Error::ProviderAnswer("discovery names no end_session_endpoint".into())
            })?;
        let back = PostLogoutRedirectUrl::new(self.config.url("signed-out"))
            .map_err(|e| Error::config("public_url", e.to_string()))?;
        Ok(LogoutRequest::from(end_session)
            .set_id_token_hint(id_token)
            .set_post_logout_redirect_uri(back)
            .set_state(CsrfToken::new(state.to_owned()))
            .http_get_url())
    }

    /// Checks a back-channel logout token and that its `jti` is new.
    pub async fn verify_logout_token(&self, token: &str, now: i64) -> Result<LogoutOf> {
        // Refuse what is not even a JWT before asking the provider for anything.
        let kid = logout_token::key_id(token)?;
        let mut found = self.discovered(false, now).await?;
        if found.keys.find(&kid).is_none() {
            found = self.discovered(true, now).await?;
        }
        let expected = logout_token::Expected {
            issuer: &self.config.provider.issuer,
            client_id: &self.config.client_id,
        };
        let (of, jti, exp) = logout_token::verify(token, &found.keys, &expected, now)?;
        if !self.replay.first_use(&jti, exp, now) {
            return Err(Error::LogoutTokenRejected("jti replayed".into()));
        }
        Ok(of)
    }
}
