//! A department's configuration: one TOML file per department (`config/departments/`), then
//! `ONE_LOGIN_DEPARTMENT__*` environment overrides. Strict: unknown keys are errors, and every
//! bad value is reported with its key.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use figment::Figment;
use figment::providers::{Env, Format, Toml};
use serde::Deserialize;
use url::Url;

use crate::error::{Error, Result};

/// Environment variables that override the file: the key path in capitals, `__` between levels.
pub const ENV_PREFIX: &str = "ONE_LOGIN_DEPARTMENT__";

pub const CORE_IDENTITY_CLAIM: &str = "https://vocab.account.gov.uk/v1/coreIdentityJWT";
pub const ADDRESS_CLAIM: &str = "https://vocab.account.gov.uk/v1/address";
pub const PASSPORT_CLAIM: &str = "https://vocab.account.gov.uk/v1/passport";
pub const DRIVING_PERMIT_CLAIM: &str = "https://vocab.account.gov.uk/v1/drivingPermit";
pub const RETURN_CODE_CLAIM: &str = "https://vocab.account.gov.uk/v1/returnCode";

const KNOWN_CLAIMS: [&str; 5] = [
    CORE_IDENTITY_CLAIM,
    ADDRESS_CLAIM,
    PASSPORT_CLAIM,
    DRIVING_PERMIT_CLAIM,
    RETURN_CODE_CLAIM,
];

/// Which service's pages the department shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Form {
    /// A licence renewal form pre-filled from the verified identity and driving permit.
    RenewDrivingLicence,
    /// A benefit application: sign in first, prove identity at a later step.
    ApplyForBenefit,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Shown in the header and page titles.
    pub service_name: String,
    pub form: Form,
    /// Address and port to listen on.
    pub listen: SocketAddr,
    /// The department's public base URL, ending with `/`: its redirect, logout and JWKS
    /// addresses are made from it and must match the provider's registration.
    pub public_url: String,
    /// Where the department's signing key lives (made on first start).
    pub data_dir: PathBuf,
    pub client_id: String,
    pub provider: ProviderConfig,
    /// The first request: signing in.
    pub sign_in: RequestConfig,
    /// A later step that asks for more (step-up), if the service has one.
    #[serde(default)]
    pub identity_check: Option<RequestConfig>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProviderConfig {
    /// The provider's issuer URL, ending with `/`; discovery is read from it.
    pub issuer: String,
    /// The DID document naming the core identity signing key. Empty:
    /// `<issuer>.well-known/did.json`.
    #[serde(default)]
    pub did_url: String,
    /// The `iss` of core identity JWTs. Empty: the issuer.
    #[serde(default)]
    pub identity_issuer: String,
    /// How long to wait for the provider.
    #[serde(with = "humantime_serde", default = "default_timeout")]
    pub timeout: std::time::Duration,
}

fn default_timeout() -> std::time::Duration {
    std::time::Duration::from_secs(10)
}

/// What one authorization request asks for.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RequestConfig {
    /// One vector of trust, e.g. `Cl.Cm` or `Cl.Cm.P2`.
    pub vtr: String,
    /// Scopes besides `openid`.
    #[serde(default)]
    pub scopes: Vec<String>,
    /// Claims asked for by name in the `claims` request's `userinfo` member.
    #[serde(default)]
    pub claims: Vec<String>,
}

impl RequestConfig {
    /// The identity level asked for (`P2`), if any.
    pub fn identity_level(&self) -> Option<&str> {
        self.vtr.split('.').find(|part| part.starts_with('P'))
    }

    fn check(&self, key: &str) -> Result<()> {
        let parts: Vec<&str> = self.vtr.split('.').collect();
        let vector_ok = match parts[..] {
            ["Cl"] | ["Cl", "Cm"] => true,
            ["Cl", "Cm", level] => matches!(level, "P0" | "P1" | "P2" | "P3"),
            _ => false,
        };
        if !vector_ok {
            return Err(Error::config(
                format!("{key}.vtr"),
                format!(
                    "{:?} is not a vector of trust: Cl or Cl.Cm, then at most one of P0-P3 (which needs Cl.Cm)",
                    self.vtr
                ),
            ));
        }
        if let Some(scope) = self
            .scopes
            .iter()
            .find(|s| !matches!(s.as_str(), "email" | "phone" | "offline_access"))
        {
            return Err(Error::config(
                format!("{key}.scopes"),
                format!("{scope:?}: email, phone or offline_access (openid is always asked for)"),
            ));
        }
        if let Some(claim) = self
            .claims
            .iter()
            .find(|c| !KNOWN_CLAIMS.contains(&c.as_str()))
        {
            return Err(Error::config(
                format!("{key}.claims"),
                format!("{claim:?} is not an identity claim; known: {KNOWN_CLAIMS:?}"),
            ));
        }
        if !self.claims.is_empty() && self.identity_level().is_none_or(|l| l == "P0") {
            return Err(Error::config(
                format!("{key}.claims"),
                "identity claims are returned only at P1 or above: add a P level to vtr",
            ));
        }
        Ok(())
    }

    /// The `claims` request parameter (OpenID Connect Core §5.5), or `None` when none is asked.
    pub fn claims_parameter(&self) -> Option<String> {
        if self.claims.is_empty() {
            return None;
        }
        let userinfo: serde_json::Map<String, serde_json::Value> = self
            .claims
            .iter()
            .map(|c| (c.clone(), serde_json::Value::Null))
            .collect();
        Some(serde_json::json!({ "userinfo": userinfo }).to_string())
    }
}

impl Config {
    /// Reads `file` and the environment, then checks every value.
    pub fn load(file: &Path) -> Result<Config> {
        if !file.is_file() {
            return Err(Error::config(
                "--config",
                format!("{} is not a readable file", file.display()),
            ));
        }
        Self::from_figment(Figment::new().merge(Toml::file_exact(file)))
    }

    /// Parses TOML text plus the environment: for tests and the demo.
    pub fn from_toml_str(toml: &str) -> Result<Config> {
        Self::from_figment(Figment::new().merge(Toml::string(toml)))
    }

    fn from_figment(figment: Figment) -> Result<Config> {
        let figment = figment.merge(Env::prefixed(ENV_PREFIX).split("__"));
        let config: Config = figment.extract().map_err(|error| {
            let key = if error.path.is_empty() {
                "(top level)".to_owned()
            } else {
                error.path.join(".")
            };
            Error::config(key, error.kind.to_string())
        })?;
        config.check()?;
        Ok(config)
    }

    fn check(&self) -> Result<()> {
        if self.service_name.trim().is_empty() {
            return Err(Error::config("service_name", "must not be empty"));
        }
        check_base_url("public_url", &self.public_url)?;
        check_base_url("provider.issuer", &self.provider.issuer)?;
        if !self.provider.did_url.is_empty() {
            Url::parse(&self.provider.did_url)
                .map_err(|e| Error::config("provider.did_url", format!("not a URL: {e}")))?;
        }
        if self.provider.timeout.is_zero() {
            return Err(Error::config(
                "provider.timeout",
                "must be longer than zero",
            ));
        }
        let id_ok = !self.client_id.is_empty()
            && self
                .client_id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b));
        if !id_ok {
            return Err(Error::config("client_id", "letters, digits or - . _ ~"));
        }
        if self.data_dir.as_os_str().is_empty() {
            return Err(Error::config("data_dir", "must not be empty"));
        }
        self.sign_in.check("sign_in")?;
        if let Some(step) = &self.identity_check {
            step.check("identity_check")?;
            if step.identity_level().is_none() {
                return Err(Error::config(
                    "identity_check.vtr",
                    "a later identity check must ask for a P level",
                ));
            }
        }
        Ok(())
    }

    /// An address under the department's public URL (`"callback"`).
    pub fn url(&self, relative: &str) -> String {
        format!("{}{}", self.public_url, relative.trim_start_matches('/'))
    }

    pub fn is_https(&self) -> bool {
        self.public_url.starts_with("https://")
    }

    pub fn did_url(&self) -> String {
        if self.provider.did_url.is_empty() {
            format!("{}.well-known/did.json", self.provider.issuer)
        } else {
            self.provider.did_url.clone()
        }
    }

    pub fn identity_issuer(&self) -> &str {
        if self.provider.identity_issuer.is_empty() {
            &self.provider.issuer
        } else {
            &self.provider.identity_issuer
        }
    }

    /// The session cookie's name: per department, since departments on one host share cookies
    /// across ports; `__Host-` on https (RFC 6265bis §4.1.3.2).
    pub fn cookie_name(&self) -> String {
        let name = format!("{}-session", self.client_id);
        if self.is_https() {
            format!("__Host-{name}")
        } else {
            name
        }
    }
}

/// An absolute http(s) URL ending with `/`, https unless on this machine.
fn check_base_url(key: &str, value: &str) -> Result<()> {
    let url = Url::parse(value).map_err(|e| Error::config(key, format!("not a URL: {e}")))?;
    if !value.ends_with('/') {
        return Err(Error::config(key, "must end with '/'"));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(Error::config(key, "must not have a query or a fragment"));
    }
    let loopback = match url.host() {
        Some(url::Host::Domain(d)) => d == "localhost",
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    };
    match url.scheme() {
        "https" => Ok(()),
        "http" if loopback => Ok(()),
        _ => Err(Error::config(
            key,
            "must be https (http only on localhost or 127.0.0.1)",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"
        service_name = "Renew your driving licence"
        form = "renew-driving-licence"
        listen = "127.0.0.1:8081"
        public_url = "http://localhost:8081/"
        data_dir = "data/driving-licence"
        client_id = "driving-licence"
        [provider]
        issuer = "http://localhost:8080/"
        [sign_in]
        vtr = "Cl.Cm.P2"
        scopes = ["email"]
        claims = ["https://vocab.account.gov.uk/v1/coreIdentityJWT"]
    "#;

    fn key_of(toml: &str) -> String {
        match Config::from_toml_str(toml) {
            Err(Error::Config { key, .. }) => key,
            other => panic!("expected a configuration error, got {other:?}"),
        }
    }

    #[test]
    fn a_good_file_loads_with_defaults() {
        let config = Config::from_toml_str(GOOD).unwrap();
        assert_eq!(
            config.did_url(),
            "http://localhost:8080/.well-known/did.json"
        );
        assert_eq!(config.identity_issuer(), "http://localhost:8080/");
        assert_eq!(config.url("/callback"), "http://localhost:8081/callback");
        assert_eq!(config.cookie_name(), "driving-licence-session");
        assert_eq!(config.sign_in.identity_level(), Some("P2"));
        assert!(config.identity_check.is_none());
        assert_eq!(
            config.sign_in.claims_parameter().unwrap(),
            r#"{"userinfo":{"https://vocab.account.gov.uk/v1/coreIdentityJWT":null}}"#
        );
    }

    #[test]
    fn the_shipped_department_files_load() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../config/departments");
        let mut seen = 0;
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "toml") {
                Config::load(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
                seen += 1;
            }
        }
        assert_eq!(seen, 2);
    }

    #[test]
    fn unknown_keys_are_named() {
        assert_eq!(key_of(&format!("colour = \"red\"\n{GOOD}")), "colour");
        let nested = GOOD.replace("[sign_in]", "[sign_in]\nvtrs = \"Cl\"");
        assert_eq!(key_of(&nested), "sign_in.vtrs");
    }

    #[test]
    fn bad_values_are_named() {
        let cases = [
            (GOOD.replace("Cl.Cm.P2", "Cl.P2"), "sign_in.vtr"),
            (GOOD.replace("Cl.Cm.P2", "Cl.Cm.P2.P1"), "sign_in.vtr"),
            (GOOD.replace("Cl.Cm.P2", "Cm"), "sign_in.vtr"),
            (GOOD.replace("Cl.Cm.P2", "Cl.Cm"), "sign_in.claims"),
            (
                GOOD.replace("[\"email\"]", "[\"profile\"]"),
                "sign_in.scopes",
            ),
            (
                GOOD.replace("v1/coreIdentityJWT", "v1/shoeSize"),
                "sign_in.claims",
            ),
            (
                GOOD.replace("http://localhost:8081/", "http://dept.example/"),
                "public_url",
            ),
            (
                GOOD.replace("\"http://localhost:8080/\"", "\"http://localhost:8080\""),
                "provider.issuer",
            ),
            (GOOD.replace("127.0.0.1:8081", "nowhere"), "listen"),
            (
                GOOD.replace("client_id = \"driving-licence\"", "client_id = \"a b\""),
                "client_id",
            ),
            (
                GOOD.replace("renew-driving-licence", "renew-passport"),
                "form",
            ),
            (
                format!("{GOOD}\n[identity_check]\nvtr = \"Cl.Cm\"\n"),
                "identity_check.vtr",
            ),
        ];
        for (toml, key) in cases {
            assert_eq!(key_of(&toml), key, "{toml}");
        }
    }
}
