//! OpenID Connect: the protocol rules, kept free of the web framework. The endpoints in
//! `web::oidc` parse requests, call these, and render.

pub mod access_tokens;
pub mod authorization_flow;
pub mod authorization_request;
pub mod backchannel_logout;
pub mod client_auth;
pub mod clients;
pub mod consent_cache;
pub mod grants;
pub mod keys;
pub mod metadata;
pub mod pairwise;
pub mod replay;
pub mod signed_tokens;
pub mod token_endpoint;
pub mod userinfo_claims;
pub mod vtr;

use crate::config::{Config, TokensConfig};
use crate::error::Result;
use crate::outbound::Outbound;
use client_auth::ClientKeyCache;
use clients::{Client, ClientRegistry};
use keys::Keys;
use one_login_store::Database;
use one_login_store::ephemeral::EphemeralStore;

/// What the protocol reads and writes: the short-lived store and the database.
#[derive(Clone, Copy)]
pub struct Stores<'a> {
    pub ephemeral: &'a dyn EphemeralStore,
    pub db: &'a Database,
}

/// The random server secret `name`, made on first start and shared by every replica, sealed at
/// rest under the key-encryption key (issue 11.7).
pub async fn server_secret(db: &Database, name: &str, now: i64) -> Result<String> {
    Ok(db
        .secrets()
        .get_or_create_sealed(name, crate::sessions::random_token, now)
        .await?)
}

/// Everything the protocol needs besides the stores: who we are, our keys, our clients.
pub struct Provider {
    pub issuer: String,
    pub clients: ClientRegistry,
    pub keys: Keys,
    pub client_keys: ClientKeyCache,
    /// Outbound HTTP (client JWKS, back-channel logout): short timeouts, no redirects, no
    /// internal addresses.
    pub http: Outbound,
    pub tokens: TokensConfig,
    /// Mints and opens access tokens, which carry their grant sealed.
    pub access_tokens: access_tokens::AccessTokens,
    subject_salt: String,
    /// The discovery document, serialised once (`metadata::StaticDocument`).
    discovery: std::sync::OnceLock<metadata::StaticDocument>,
}

impl Provider {
    /// Loads clients and keys (making keys and the subject salt on first start).
    pub async fn load(config: &Config, db: &Database, now: i64) -> Result<Self> {
        let clients = ClientRegistry::load(&config.clients_dir)?;
        clients.sync(db, now).await?;
        let keys = Keys::load(db, &config.keys, now).await?;
        let subject_salt = server_secret(db, one_login_store::PAIRWISE_SUBJECT_SALT, now).await?;
        let access_token_key = server_secret(db, one_login_store::ACCESS_TOKEN_KEY, now).await?;
        let http = Outbound::new(&config.outbound)?;
        Ok(Provider {
            issuer: config.issuer.clone(),
            clients,
            keys,
            client_keys: ClientKeyCache::new(http.clone()),
            http,
            tokens: config.tokens.clone(),
            access_tokens: access_tokens::AccessTokens::new(access_token_key.as_bytes())?,
            subject_salt,
            discovery: std::sync::OnceLock::new(),
        })
    }

    /// Reads the relying parties from `clients_dir` and the signing keys from the database
    /// again (SIGHUP). A folder with any invalid file changes nothing: the error names the file
    /// and the current clients stay. Returns how many clients are registered.
    pub async fn reload(
        &self,
        clients_dir: &std::path::Path,
        db: &Database,
        now: i64,
    ) -> Result<usize> {
        // Both are tried: a database outage does not hold back a client folder's change.
        let clients = self.clients.reload(clients_dir);
        let keys = self.keys.reload(db).await;
        let count = clients?;
        keys?;
        self.clients.sync(db, now).await?;
        Ok(count)
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.issuer, path.trim_start_matches('/'))
    }

    /// The citizen's pairwise `sub` as `client` sees it.
    pub fn subject_for(&self, client: &Client, account_id: &str) -> String {
        pairwise::subject(&client.sector, account_id, &self.subject_salt)
    }

    /// The trustmark URL, the `vtm` of every ID token.
    pub fn trustmark(&self) -> String {
        self.url("trustmark")
    }
}
