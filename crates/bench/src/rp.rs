//! The bench's relying party: its registration file and PKCE; its ES256 key pair and the client
//! assertions it signs (RFC 7523, a fresh `jti` each time) are the relying-party kit's, the
//! same code a department's service signs with.

use one_login_rp::ClientKey;
use serde_json::json;

use crate::error::{Error, Result};
pub use one_login_test_support::pkce;
use one_login_test_support::toml_inline;

pub const CLIENT_ID: &str = "one-login-bench";
/// Never fetched: the tool reads the code from the `Location` header. Port 9 is "discard".
pub const REDIRECT_URI: &str = "http://127.0.0.1:9/callback";
/// The second client of `identity-reuse`: another host, so another pairwise sector (the
/// citizen's `sub` there differs), as a second department reusing a proven identity.
pub const REUSE_CLIENT_ID: &str = "one-login-bench-reuse";
pub const REUSE_REDIRECT_URI: &str = "http://localhost:9/callback";
/// The identity claim both clients may ask for (`claims` in their registrations).
pub const CORE_IDENTITY_CLAIM: &str = "https://vocab.account.gov.uk/v1/coreIdentityJWT";
pub const JWT_BEARER: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

pub struct RelyingParty {
    pub client_id: &'static str,
    pub redirect_uri: &'static str,
    key: ClientKey,
    /// Where assertions are addressed: the token endpoint.
    audience: String,
}

impl RelyingParty {
    /// A new key pair for a provider at `issuer` (ending with `/`).
    pub fn new(issuer: &str, client_id: &'static str, redirect_uri: &'static str) -> Result<Self> {
        let key = ClientKey::generate().map_err(|e| Error::Signing(e.to_string()))?;
        Ok(RelyingParty {
            client_id,
            redirect_uri,
            key,
            audience: format!("{issuer}token"),
        })
    }

    /// The client's file for the provider's `clients_dir` (config/clients/README.md). Both
    /// bench clients may ask for identity (P1-P3) and the core identity JWT.
    pub fn registration(&self) -> Result<String> {
        let jwks = json!(self.key.jwks());
        Ok(format!(
            "client_id = {:?}\nname = \"Load test service\"\n\
             redirect_uris = [{:?}]\n\
             token_endpoint_auth_method = \"private_key_jwt\"\njwks = {}\n\
             scopes = [\"openid\", \"email\", \"offline_access\"]\n\
             claims = [{CORE_IDENTITY_CLAIM:?}]\nidentity_verification_supported = true\n\
             id_token_signed_response_alg = \"ES256\"\nrequire_pkce = true\nrequire_nonce = true\n",
            self.client_id,
            self.redirect_uri,
            toml_inline(&jwks)
        ))
    }

    /// A client assertion for One Login's token endpoint (`<issuer>token`), signed now with a
    /// fresh `jti`.
    pub fn assertion(&self) -> Result<String> {
        self.assertion_for(&self.audience)
    }

    /// The same addressed to `token_endpoint`, as the provider's discovery document names it.
    pub fn assertion_for(&self, token_endpoint: &str) -> Result<String> {
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        self.key
            .assertion(self.client_id, token_endpoint, now)
            .map_err(|e| Error::Signing(e.to_string()))
    }

    /// The client's public key set as JSON, for a provider registered by other means than a
    /// clients folder (the anchor takes it in its environment).
    pub fn public_jwks(&self) -> Result<String> {
        serde_json::to_string(&self.key.jwks()).map_err(|e| Error::Signing(e.to_string()))
    }
}
