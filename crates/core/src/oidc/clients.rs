//! Relying parties ("clients"): registered by configuration, one TOML file per client in
//! `clients_dir`, checked strictly at start-up and synced to the database. Field names follow
//! OpenID Connect Dynamic Client Registration metadata where one exists.

use std::collections::{BTreeSet, HashMap};
use std::path::Path;
use std::sync::{Arc, RwLock};

use jsonwebtoken::Algorithm;
use jsonwebtoken::jwk::JwkSet;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use url::Url;

use crate::error::{Error, Result};
use crate::i18n::Language;
use one_login_store::Database;

/// Scopes a client may be allowed.
pub const SUPPORTED_SCOPES: [&str; 4] = ["openid", "email", "phone", "offline_access"];

pub const CORE_IDENTITY_CLAIM: &str = "https://vocab.account.gov.uk/v1/coreIdentityJWT";
pub const ADDRESS_CLAIM: &str = "https://vocab.account.gov.uk/v1/address";
pub const PASSPORT_CLAIM: &str = "https://vocab.account.gov.uk/v1/passport";
pub const DRIVING_PERMIT_CLAIM: &str = "https://vocab.account.gov.uk/v1/drivingPermit";
pub const RETURN_CODE_CLAIM: &str = "https://vocab.account.gov.uk/v1/returnCode";
/// OpenID Connect for Identity Assurance 1.0: the verified name and birth date, standard form.
pub const VERIFIED_CLAIMS: &str = "verified_claims";

/// Whether the citizen has reached an age (issue 17 §2), derived from the proven birth date
/// when userinfo is asked, so the service is never told the birth date itself.
pub const AGE_OVER_16_CLAIM: &str = "age_over_16";
pub const AGE_OVER_18_CLAIM: &str = "age_over_18";
pub const AGE_OVER_21_CLAIM: &str = "age_over_21";
/// Inside `verified_claims` (OIDC4IDA §6), the claims a client may select by name. A request
/// selecting some is recorded as `verified_claims` plus `verified_claims/<name>` for each.
pub const CLAIMS_IN_VERIFIED_CLAIMS: [&str; 6] = [
    "given_name",
    "family_name",
    "birthdate",
    AGE_OVER_16_CLAIM,
    AGE_OVER_18_CLAIM,
    AGE_OVER_21_CLAIM,
];
/// The prefix of a claim selected inside `verified_claims`.
pub const VERIFIED_CLAIM_PREFIX: &str = "verified_claims/";

/// Claims about a proven identity: given only at P2 and above, and only from userinfo.
pub const IDENTITY_CLAIMS: [&str; 8] = [
    CORE_IDENTITY_CLAIM,
    ADDRESS_CLAIM,
    PASSPORT_CLAIM,
    DRIVING_PERMIT_CLAIM,
    VERIFIED_CLAIMS,
    AGE_OVER_16_CLAIM,
    AGE_OVER_18_CLAIM,
    AGE_OVER_21_CLAIM,
];

/// Whether `name` (as a grant records it) is about a proven identity.
pub fn is_identity_claim(name: &str) -> bool {
    IDENTITY_CLAIMS.contains(&name) || name.starts_with(VERIFIED_CLAIM_PREFIX)
}

/// Claims a client may be allowed to request by name (the `claims` request parameter).
pub const SUPPORTED_CLAIMS: [&str; 13] = [
    "email",
    "email_verified",
    "phone_number",
    "phone_number_verified",
    CORE_IDENTITY_CLAIM,
    ADDRESS_CLAIM,
    PASSPORT_CLAIM,
    DRIVING_PERMIT_CLAIM,
    RETURN_CODE_CLAIM,
    VERIFIED_CLAIMS,
    AGE_OVER_16_CLAIM,
    AGE_OVER_18_CLAIM,
    AGE_OVER_21_CLAIM,
];

/// How a client proves itself at the token endpoint (RFC 7591 §2 names).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuthMethod {
    PrivateKeyJwt,
    ClientSecretPost,
    ClientSecretBasic,
    None,
}

impl AuthMethod {
    pub fn as_str(self) -> &'static str {
        match self {
            AuthMethod::PrivateKeyJwt => "private_key_jwt",
            AuthMethod::ClientSecretPost => "client_secret_post",
            AuthMethod::ClientSecretBasic => "client_secret_basic",
            AuthMethod::None => "none",
        }
    }
}

/// Where a `private_key_jwt` client's public keys are.
#[derive(Debug, Clone)]
pub enum ClientKeys {
    /// Shared, so a token request takes a reference rather than a copy of the set.
    Inline(Arc<JwkSet>),
    /// Fetched with a timeout and cached (`oidc::client_auth`).
    Remote(Url),
}

/// A relying party, checked.
#[derive(Debug, Clone)]
pub struct Client {
    pub client_id: String,
    /// Shown to citizens on the consent page.
    pub name: String,
    /// The name on Welsh pages (issue 15); without it, `name`.
    pub name_cy: Option<String>,
    pub redirect_uris: Vec<String>,
    pub post_logout_redirect_uris: Vec<String>,
    pub backchannel_logout_uri: Option<Url>,
    pub auth_method: AuthMethod,
    /// SHA-256 of the secret, for the secret methods. Secrets are long and random, so a fast
    /// hash is enough and keeps the token endpoint fast (RFC 6819 §5.1.4.1.3 asks for a hash).
    secret_hash: Option<[u8; 32]>,
    pub keys: Option<ClientKeys>,
    pub scopes: BTreeSet<String>,
    pub claims: BTreeSet<String>,
    pub id_token_alg: Algorithm,
    /// The host pairwise subjects are derived for (OpenID Connect Core §8.1).
    pub sector: String,
    pub require_pkce: bool,
    pub identity_verification_supported: bool,
    pub require_nonce: bool,
    /// Whether a refresh response carries a new ID token (OpenID Connect Core §12.2 makes it
    /// optional; the kit needs none, and leaving it out saves a signature per refresh).
    pub id_token_on_refresh: bool,
}

impl Client {
    /// The service's name as the citizen's pages say it, in `language`.
    pub fn name_in(&self, language: Language) -> &str {
        match (language, &self.name_cy) {
            (Language::Cy, Some(welsh)) => welsh,
            _ => &self.name,
        }
    }

    pub fn is_public(&self) -> bool {
        self.auth_method == AuthMethod::None
    }

    /// Exact string comparison (RFC 9700 §4.1.3, OpenID Connect Core §3.1.2.1).
    pub fn has_redirect_uri(&self, uri: &str) -> bool {
        self.redirect_uris.iter().any(|r| r == uri)
    }

    pub fn has_post_logout_redirect_uri(&self, uri: &str) -> bool {
        self.post_logout_redirect_uris.iter().any(|r| r == uri)
    }

    /// Constant-time comparison of a presented secret with the registered one.
    pub fn secret_matches(&self, presented: &str) -> bool {
        match &self.secret_hash {
            Some(hash) => bool::from(Sha256::digest(presented.as_bytes())[..].ct_eq(hash)),
            None => false,
        }
    }
}

/// A client's file as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ClientFile {
    client_id: String,
    name: String,
    #[serde(default)]
    name_cy: Option<String>,
    redirect_uris: Vec<String>,
    #[serde(default)]
    post_logout_redirect_uris: Vec<String>,
    #[serde(default)]
    backchannel_logout_uri: Option<String>,
    token_endpoint_auth_method: AuthMethod,
    #[serde(default)]
    client_secret: Option<String>,
    #[serde(default)]
    jwks: Option<serde_json::Value>,
    #[serde(default)]
    jwks_uri: Option<String>,
    scopes: Vec<String>,
    #[serde(default)]
    claims: Vec<String>,
    #[serde(default = "default_alg")]
    id_token_signed_response_alg: String,
    #[serde(default)]
    sector_identifier_uri: Option<String>,
    #[serde(default = "yes")]
    require_pkce: bool,
    #[serde(default)]
    identity_verification_supported: bool,
    #[serde(default = "yes")]
    require_nonce: bool,
    #[serde(default)]
    id_token_on_refresh: bool,
}

fn default_alg() -> String {
    "ES256".to_owned()
}

fn yes() -> bool {
    true
}

/// Whether `url` may receive codes or tokens: https, or http on this machine (RFC 9700 §2.6,
/// RFC 6749 §3.1.2: absolute, no fragment).
fn check_endpoint(url: &str) -> std::result::Result<Url, String> {
    let parsed = Url::parse(url).map_err(|e| format!("{url:?} is not an absolute URL: {e}"))?;
    if parsed.fragment().is_some() || url.contains('#') {
        return Err(format!("{url:?} must not have a fragment"));
    }
    let loopback = match parsed.host() {
        Some(url::Host::Domain(d)) => d == "localhost",
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    };
    match parsed.scheme() {
        "https" => Ok(parsed),
        "http" if loopback => Ok(parsed),
        "http" => Err(format!("{url:?} must be https (http only on localhost)")),
        other => Err(format!(
            "{url:?} has the scheme {other:?}; only https is accepted"
        )),
    }
}

fn sector_host(url: &Url) -> String {
    let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
    host.strip_prefix("www.").map(str::to_owned).unwrap_or(host)
}

impl ClientFile {
    fn check(self, file: &str) -> Result<Client> {
        let fail = |field: &str, reason: String| Error::config(format!("{file}: {field}"), reason);
        let id_ok = !self.client_id.is_empty()
            && self.client_id.len() <= 128
            && self
                .client_id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b));
        if !id_ok {
            return Err(fail(
                "client_id",
                "1 to 128 letters, digits or - . _ ~".into(),
            ));
        }
        let fail = |field: &str, reason: String| {
            Error::config(
                format!("{file} (client {}): {field}", self.client_id),
                reason,
            )
        };
        if self.name.trim().is_empty() {
            return Err(fail("name", "must not be empty".into()));
        }
        if self.redirect_uris.is_empty() {
            return Err(fail("redirect_uris", "at least one is needed".into()));
        }
        let mut redirect_urls = Vec::new();
        for uri in &self.redirect_uris {
            redirect_urls.push(check_endpoint(uri).map_err(|e| fail("redirect_uris", e))?);
        }
        for uri in &self.post_logout_redirect_uris {
            check_endpoint(uri).map_err(|e| fail("post_logout_redirect_uris", e))?;
        }
        let backchannel_logout_uri = self
            .backchannel_logout_uri
            .as_deref()
            .map(check_endpoint)
            .transpose()
            .map_err(|e| fail("backchannel_logout_uri", e))?;
        let secret_hash = match (self.token_endpoint_auth_method, &self.client_secret) {
            (AuthMethod::ClientSecretPost | AuthMethod::ClientSecretBasic, Some(secret)) => {
                if secret.len() < 32 {
                    return Err(fail(
                        "client_secret",
                        "must be at least 32 characters".into(),
                    ));
                }
                Some(Sha256::digest(secret.as_bytes()).into())
            }
            (AuthMethod::ClientSecretPost | AuthMethod::ClientSecretBasic, None) => {
                return Err(fail(
                    "client_secret",
                    "required for the secret methods".into(),
                ));
            }
            (_, Some(_)) => {
                return Err(fail(
                    "client_secret",
                    "only for client_secret_post or client_secret_basic".into(),
                ));
            }
            (_, None) => None,
        };
        let keys = match (self.token_endpoint_auth_method, self.jwks, self.jwks_uri) {
            (AuthMethod::PrivateKeyJwt, Some(_), Some(_)) => {
                return Err(fail("jwks", "give jwks or jwks_uri, not both".into()));
            }
            (AuthMethod::PrivateKeyJwt, Some(jwks), None) => {
                let set: JwkSet = serde_json::from_value(jwks)
                    .map_err(|e| fail("jwks", format!("not a JWK set: {e}")))?;
                if set.keys.is_empty() {
                    return Err(fail("jwks", "has no keys".into()));
                }
                for key in &set.keys {
                    jsonwebtoken::DecodingKey::from_jwk(key)
                        .map_err(|e| fail("jwks", format!("unusable key: {e}")))?;
                }
                Some(ClientKeys::Inline(Arc::new(set)))
            }
            (AuthMethod::PrivateKeyJwt, None, Some(uri)) => Some(ClientKeys::Remote(
                check_endpoint(&uri).map_err(|e| fail("jwks_uri", e))?,
            )),
            (AuthMethod::PrivateKeyJwt, None, None) => {
                return Err(fail(
                    "jwks",
                    "private_key_jwt needs jwks or jwks_uri".into(),
                ));
            }
            (_, None, None) => None,
            _ => return Err(fail("jwks", "only for private_key_jwt".into())),
        };
        let scopes: BTreeSet<String> = self.scopes.into_iter().collect();
        if !scopes.contains("openid") {
            return Err(fail("scopes", "must include openid".into()));
        }
        if let Some(unknown) = scopes
            .iter()
            .find(|s| !SUPPORTED_SCOPES.contains(&s.as_str()))
        {
            return Err(fail(
                "scopes",
                format!("{unknown:?} is not offered; offered: {SUPPORTED_SCOPES:?}"),
            ));
        }
        let claims: BTreeSet<String> = self.claims.into_iter().collect();
        if let Some(unknown) = claims
            .iter()
            .find(|c| !SUPPORTED_CLAIMS.contains(&c.as_str()))
        {
            return Err(fail("claims", format!("{unknown:?} is not offered")));
        }
        let id_token_alg = match self.id_token_signed_response_alg.as_str() {
            "ES256" => Algorithm::ES256,
            "RS256" => Algorithm::RS256,
            other => {
                return Err(fail(
                    "id_token_signed_response_alg",
                    format!("{other:?}: ES256 or RS256"),
                ));
            }
        };
        let sector = match &self.sector_identifier_uri {
            Some(uri) => {
                sector_host(&check_endpoint(uri).map_err(|e| fail("sector_identifier_uri", e))?)
            }
            None => {
                let hosts: BTreeSet<String> = redirect_urls.iter().map(sector_host).collect();
                if hosts.len() > 1 {
                    // OpenID Connect Core §8.1: several hosts need a sector identifier.
                    return Err(fail(
                        "sector_identifier_uri",
                        "required when redirect_uris have several hosts".into(),
                    ));
                }
                hosts.into_iter().next().unwrap_or_default()
            }
        };
        let is_public = self.token_endpoint_auth_method == AuthMethod::None;
        if is_public && !self.require_pkce {
            return Err(fail(
                "require_pkce",
                "public clients (auth method none) must use PKCE".into(),
            ));
        }
        Ok(Client {
            client_id: self.client_id,
            name: self.name.trim().to_owned(),
            name_cy: self
                .name_cy
                .map(|name| name.trim().to_owned())
                .filter(|name| !name.is_empty()),
            redirect_uris: self.redirect_uris,
            post_logout_redirect_uris: self.post_logout_redirect_uris,
            backchannel_logout_uri,
            auth_method: self.token_endpoint_auth_method,
            secret_hash,
            keys,
            scopes,
            claims,
            id_token_alg,
            sector,
            require_pkce: self.require_pkce,
            identity_verification_supported: self.identity_verification_supported,
            require_nonce: self.require_nonce,
            id_token_on_refresh: self.id_token_on_refresh,
        })
    }
}

/// The clients by id.
type ClientMap = HashMap<String, Arc<Client>>;

/// Every registered client, by id. Read on every request; replaced whole by [`Self::reload`]
/// (SIGHUP), so a request sees either the old set or the new one. Clones share the set.
#[derive(Debug, Clone, Default)]
pub struct ClientRegistry {
    clients: Arc<RwLock<Arc<ClientMap>>>,
}

/// What is wrong with a folder of registrations: each problem names its file.
#[derive(Debug, Default)]
pub struct Checked {
    clients: ClientMap,
    pub problems: Vec<Error>,
}

/// Reads and checks every `*.toml` in `dir`, carrying on past a bad file so every problem is
/// reported (a missing folder is no clients).
pub fn check_folder(dir: &Path) -> Checked {
    let mut checked = Checked::default();
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return checked,
        Err(e) => {
            checked.problems.push(Error::config(
                "clients_dir",
                format!("{}: {e}", dir.display()),
            ));
            return checked;
        }
    };
    let mut paths: Vec<_> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    let mut files: HashMap<String, String> = HashMap::new();
    for path in paths
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
    {
        let file = path.display().to_string();
        let client = std::fs::read_to_string(&path)
            .map_err(|e| Error::config(&file, e.to_string()))
            .and_then(|text| parse_client(&file, &text));
        let client = match client {
            Ok(client) => client,
            Err(e) => {
                checked.problems.push(e);
                continue;
            }
        };
        if let Some(other) = files.insert(client.client_id.clone(), file.clone()) {
            checked.problems.push(Error::config(
                format!("{file}: client_id"),
                format!("{:?} is also registered in {other}", client.client_id),
            ));
            continue;
        }
        checked
            .clients
            .insert(client.client_id.clone(), Arc::new(client));
    }
    checked
}

impl Checked {
    /// How many files were valid.
    pub fn len(&self) -> usize {
        self.clients.len()
    }

    pub fn is_empty(&self) -> bool {
        self.clients.is_empty()
    }

    /// The clients when there was no problem, else the first problem.
    fn into_clients(mut self) -> Result<ClientMap> {
        if self.problems.is_empty() {
            Ok(self.clients)
        } else {
            Err(self.problems.swap_remove(0))
        }
    }
}

impl ClientRegistry {
    /// Reads and checks every `*.toml` in `dir` (a missing folder is no clients).
    pub fn load(dir: &Path) -> Result<Self> {
        let clients = check_folder(dir).into_clients()?;
        Ok(ClientRegistry {
            clients: Arc::new(RwLock::new(Arc::new(clients))),
        })
    }

    /// Reads `dir` again and, when every file is valid, puts its clients in place of the
    /// current ones; otherwise keeps the current ones and returns the first problem. Returns
    /// how many clients are now registered.
    pub fn reload(&self, dir: &Path) -> Result<usize> {
        let clients = Arc::new(check_folder(dir).into_clients()?);
        let count = clients.len();
        match self.clients.write() {
            Ok(mut current) => *current = clients,
            Err(poisoned) => *poisoned.into_inner() = clients,
        }
        Ok(count)
    }

    /// The current set: a lock held only long enough to clone an `Arc`.
    fn current(&self) -> Arc<ClientMap> {
        match self.clients.read() {
            Ok(current) => current.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    pub fn get(&self, client_id: &str) -> Option<Arc<Client>> {
        self.current().get(client_id).cloned()
    }

    pub fn all(&self) -> Vec<Arc<Client>> {
        let mut all: Vec<_> = self.current().values().cloned().collect();
        all.sort_by(|a, b| a.client_id.cmp(&b.client_id));
        all
    }

    /// Writes the registrations to the database, for tools and reports.
    pub async fn sync(&self, db: &Database, now: i64) -> Result<()> {
        for client in self.all() {
            db.clients()
                .upsert(&client.client_id, &client.name, &describe(&client), now)
                .await?;
        }
        Ok(())
    }
}

/// A client's settings without secrets, as `one-login clients show` prints them.
pub fn describe(client: &Client) -> String {
    let value = serde_json::json!({
        "client_id": client.client_id,
        "name": client.name,
        "redirect_uris": client.redirect_uris,
        "post_logout_redirect_uris": client.post_logout_redirect_uris,
        "backchannel_logout_uri": client.backchannel_logout_uri.as_ref().map(Url::as_str),
        "token_endpoint_auth_method": client.auth_method.as_str(),
        "jwks": match &client.keys {
            Some(ClientKeys::Inline(set)) => format!("{} inline key(s)", set.keys.len()),
            Some(ClientKeys::Remote(url)) => url.to_string(),
            None => "none".to_owned(),
        },
        "scopes": client.scopes,
        "claims": client.claims,
        "id_token_signed_response_alg": crate::oidc::keys::algorithm_name(client.id_token_alg),
        "sector": client.sector,
        "require_pkce": client.require_pkce,
        "identity_verification_supported": client.identity_verification_supported,
        "require_nonce": client.require_nonce,
        "id_token_on_refresh": client.id_token_on_refresh,
    });
    serde_json::to_string_pretty(&value).unwrap_or_default()
}

/// A new client's file, with a comment on each key: `private_key_jwt` with the public keys at
/// `<redirect_uri's origin>/.well-known/jwks.json` (or `jwks_uri`), the way GOV.UK One Login
/// registers services. Checked as [`ClientRegistry::load`] would before it is returned.
pub fn new_registration(
    client_id: &str,
    name: &str,
    redirect_uri: &str,
    jwks_uri: Option<&str>,
) -> Result<String> {
    let fail = |key: &str, why: String| Error::config(key, why);
    let redirect = check_endpoint(redirect_uri).map_err(|e| fail("--redirect-uri", e))?;
    let jwks_uri = match jwks_uri {
        Some(uri) => uri.to_owned(),
        None => format!(
            "{}/.well-known/jwks.json",
            redirect.origin().ascii_serialization()
        ),
    };
    let text = format!(
        r#"# Relying party {client_id:?}: one TOML file per service in clients_dir. A running provider
# reads it on SIGHUP (`kill -HUP <pid>`); check a folder with `one-login clients check DIR`.
# config/clients/README.md lists every key.

# Letters, digits, - . _ ~ : the service sends it as client_id.
client_id = {client_id:?}
# Shown to citizens on the consent page.
name = {name:?}
# The name on Welsh pages; without it, name.
# name_cy = "..."
# Where citizens come back with a code: matched exactly; https (http only on localhost).
redirect_uris = [{redirect_uri:?}]
# Where the service may send citizens after signing out (post_logout_redirect_uri).
post_logout_redirect_uris = []
# Called server to server when the citizen signs out elsewhere (back-channel logout).
# backchannel_logout_uri = "https://service.example.gov.uk/backchannel-logout"

# The service proves itself at /token with a JWT signed by its private key (RFC 7523). Its
# public keys: jwks_uri (fetched at most once a minute) or inline, jwks = {{ keys = [ ... ] }}.
token_endpoint_auth_method = "private_key_jwt"
jwks_uri = {jwks_uri:?}

# What it may ask for. Scopes: openid, email, phone, offline_access (refresh tokens).
scopes = ["openid", "email"]
# Claims by name, e.g. "https://vocab.account.gov.uk/v1/coreIdentityJWT" (with identity).
claims = []
# May it ask for a proven identity (vtr with P1-P3)?
identity_verification_supported = false
# ES256 or RS256.
id_token_signed_response_alg = "ES256"
require_pkce = true
require_nonce = true
# A new ID token with each refresh too (OpenID Connect Core §12.2 makes it optional)?
id_token_on_refresh = false
"#
    );
    parse_client("the new client", &text)?;
    Ok(text)
}

/// One client's registration from the text of its TOML file, parsed and checked as
/// [`ClientRegistry::load`] does; `file` names it in errors. Public for the fuzz targets.
pub fn parse_client(file: &str, text: &str) -> Result<Client> {
    toml_from_str(text)
        .map_err(|e| Error::config(file, e))?
        .check(file)
}

fn toml_from_str(text: &str) -> std::result::Result<ClientFile, String> {
    use figment::providers::{Format, Toml};
    figment::Figment::new()
        .merge(Toml::string(text))
        .extract()
        .map_err(|e| {
            let key = if e.path.is_empty() {
                String::new()
            } else {
                format!("{}: ", e.path.join("."))
            };
            format!("{key}{}", e.kind)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"
        client_id = "driving-licence"
        name = "Renew your driving licence"
        redirect_uris = ["https://www.driving.example.gov.uk/callback"]
        token_endpoint_auth_method = "client_secret_post"
        client_secret = "0123456789abcdef0123456789abcdef"
        scopes = ["openid", "email"]
    "#;

    fn check(text: &str) -> Result<Client> {
        toml_from_str(text)
            .map_err(|e| Error::config("test.toml", e))?
            .check("test.toml")
    }

    #[test]
    fn parse_client_reads_one_file_and_names_it_in_errors() {
        let client = parse_client("dl.toml", GOOD).unwrap();
        assert_eq!(client.client_id, "driving-licence");
        let bad = parse_client("dl.toml", "client_id = 1")
            .unwrap_err()
            .to_string();
        assert!(bad.contains("dl.toml"), "{bad}");
        let unchecked = GOOD.replace("\"openid\", ", "");
        let refused = parse_client("dl.toml", &unchecked).unwrap_err().to_string();
        assert!(refused.contains("must include openid"), "{refused}");
    }

    #[test]
    fn a_good_client() {
        let client = check(GOOD).unwrap();
        assert_eq!(client.sector, "driving.example.gov.uk");
        assert!(client.has_redirect_uri("https://www.driving.example.gov.uk/callback"));
        assert!(!client.has_redirect_uri("https://www.driving.example.gov.uk/callback/"));
        assert!(!client.has_redirect_uri("https://www.driving.example.gov.uk/CALLBACK"));
        assert!(client.secret_matches("0123456789abcdef0123456789abcdef"));
        assert!(!client.secret_matches("0123456789abcdef0123456789abcdeX"));
        assert!(client.require_pkce && client.require_nonce);
        assert_eq!(client.id_token_alg, Algorithm::ES256);
        assert!(!describe(&client).contains("0123456789abcdef"));
        assert_eq!(client.name_in(Language::Cy), "Renew your driving licence");
    }

    #[test]
    fn a_welsh_name_is_shown_on_welsh_pages_only() {
        let welsh = GOOD.replace(
            "name = \"Renew your driving licence\"",
            "name = \"Renew your driving licence\"\nname_cy = \" Adnewyddu eich trwydded yrru \"",
        );
        let client = check(&welsh).unwrap();
        assert_eq!(client.name_in(Language::Cy), "Adnewyddu eich trwydded yrru");
        assert_eq!(client.name_in(Language::En), "Renew your driving licence");
        let blank = GOOD.replace("scopes =", "name_cy = \" \"\nscopes =");
        assert_eq!(
            check(&blank).unwrap().name_in(Language::Cy),
            "Renew your driving licence"
        );
    }

    #[test]
    fn bad_clients_name_the_field() {
        let cases = [
            (
                GOOD.replace("https://www.driving", "http://www.driving"),
                "redirect_uris",
            ),
            (GOOD.replace("/callback", "/callback#x"), "redirect_uris"),
            (
                GOOD.replace(
                    "https://www.driving.example.gov.uk/callback",
                    "javascript:alert(1)",
                ),
                "redirect_uris",
            ),
            (
                GOOD.replace(
                    "redirect_uris = [\"https://www.driving.example.gov.uk/callback\"]",
                    "redirect_uris = []",
                ),
                "redirect_uris",
            ),
            (
                GOOD.replace("[\"openid\", \"email\"]", "[\"email\"]"),
                "scopes",
            ),
            (
                GOOD.replace("[\"openid\", \"email\"]", "[\"openid\", \"profile\"]"),
                "scopes",
            ),
            (
                GOOD.replace("0123456789abcdef0123456789abcdef", "short"),
                "client_secret",
            ),
            (
                GOOD.replace("client_secret_post", "private_key_jwt"),
                "client_secret",
            ),
            (
                GOOD.replace("client_id = \"driving-licence\"", "client_id = \"bad id\""),
                "client_id",
            ),
            (format!("{GOOD}\ncolour = \"red\""), "colour"),
            (
                format!("{GOOD}\nid_token_signed_response_alg = \"HS256\""),
                "id_token_signed_response_alg",
            ),
            (format!("{GOOD}\nclaims = [\"favourite_colour\"]"), "claims"),
        ];
        for (text, field) in cases {
            let err = check(&text).unwrap_err().to_string();
            assert!(err.contains(field), "{field}: {err}");
        }
    }

    #[test]
    fn loopback_http_is_allowed_and_several_hosts_need_a_sector() {
        let local = GOOD.replace(
            "https://www.driving.example.gov.uk/callback",
            "http://localhost:8081/callback",
        );
        assert_eq!(check(&local).unwrap().sector, "localhost");
        let two = GOOD.replace(
            "[\"https://www.driving.example.gov.uk/callback\"]",
            "[\"https://a.example.gov.uk/cb\", \"https://b.example.gov.uk/cb\"]",
        );
        assert!(
            check(&two)
                .unwrap_err()
                .to_string()
                .contains("sector_identifier_uri")
        );
        let with_sector =
            format!("{two}\nsector_identifier_uri = \"https://sector.example.gov.uk/\"");
        assert_eq!(check(&with_sector).unwrap().sector, "sector.example.gov.uk");
    }

    #[test]
    fn public_clients_must_use_pkce() {
        let public = GOOD
            .replace("client_secret_post", "none")
            .replace("client_secret = \"0123456789abcdef0123456789abcdef\"", "");
        assert!(check(&public).unwrap().is_public());
        let err = check(&format!("{public}\nrequire_pkce = false"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("require_pkce"), "{err}");
    }

    #[test]
    fn registry_refuses_duplicate_ids() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.toml"), GOOD).unwrap();
        std::fs::write(dir.path().join("b.toml"), GOOD).unwrap();
        let err = ClientRegistry::load(dir.path()).unwrap_err().to_string();
        assert!(err.contains("also registered"), "{err}");
        std::fs::remove_file(dir.path().join("b.toml")).unwrap();
        std::fs::write(dir.path().join("notes.md"), "not a client").unwrap();
        let registry = ClientRegistry::load(dir.path()).unwrap();
        assert!(registry.get("driving-licence").is_some());
        assert_eq!(registry.all().len(), 1);
    }
}
