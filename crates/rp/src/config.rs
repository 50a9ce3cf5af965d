//! What a service tells the kit: the provider, its client id and public address, and what each
//! authorization request asks for. Every value is checked at start, and a bad one is reported
//! with its key as a TOML file would spell it (`sign_in.vtr`), so a service that reads its
//! configuration from a file can pass the reasons on as they are.

use serde::Deserialize;
use url::Url;

use crate::error::{Error, Result};
use crate::sessions::Purpose;

pub const CORE_IDENTITY_CLAIM: &str = "https://vocab.account.gov.uk/v1/coreIdentityJWT";
pub const ADDRESS_CLAIM: &str = "https://vocab.account.gov.uk/v1/address";
pub const PASSPORT_CLAIM: &str = "https://vocab.account.gov.uk/v1/passport";
pub const DRIVING_PERMIT_CLAIM: &str = "https://vocab.account.gov.uk/v1/drivingPermit";
pub const RETURN_CODE_CLAIM: &str = "https://vocab.account.gov.uk/v1/returnCode";

/// Whether the citizen has reached an age, without their birth date (One Login's data
/// minimisation: the provider derives it from the proven birth date).
pub const AGE_OVER_CLAIMS: [&str; 3] = ["age_over_16", "age_over_18", "age_over_21"];

const KNOWN_CLAIMS: [&str; 8] = [
    CORE_IDENTITY_CLAIM,
    ADDRESS_CLAIM,
    PASSPORT_CLAIM,
    DRIVING_PERMIT_CLAIM,
    RETURN_CODE_CLAIM,
    AGE_OVER_CLAIMS[0],
    AGE_OVER_CLAIMS[1],
    AGE_OVER_CLAIMS[2],
];

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
    /// Send the request as a signed request object (JAR, RFC 9101), so its parameters cannot
    /// be changed in the browser on their way to the provider.
    #[serde(default)]
    pub request_object: bool,
}

impl RequestConfig {
    /// A request for `vtr` with no scopes or claims besides `openid`.
    pub fn new(vtr: &str) -> RequestConfig {
        RequestConfig {
            vtr: vtr.to_owned(),
            scopes: Vec::new(),
            claims: Vec::new(),
            request_object: false,
        }
    }

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

/// The kit's configuration. Build it in code ([`Config::new`]) or deserialize its parts from a
/// service's own file; [`OneLogin::new`](crate::OneLogin::new) checks it.
#[derive(Debug, Clone)]
pub struct Config {
    pub provider: ProviderConfig,
    pub client_id: String,
    /// The service's public base URL, ending with `/`: `callback`, `signed-out`,
    /// `backchannel-logout` and `.well-known/jwks.json` are under it, as registered with the
    /// provider.
    pub public_url: String,
    /// The first request: signing in.
    pub sign_in: RequestConfig,
    /// A later step that asks for more (step-up), if the service has one.
    pub identity_check: Option<RequestConfig>,
    /// A step that asks only whether the citizen has reached an age (`age_over_18`), if the
    /// service has one.
    pub age_check: Option<RequestConfig>,
    /// Where a citizen goes once signed in (and when they ask to sign in again).
    pub after_sign_in: String,
}

impl Config {
    /// A configuration that signs citizens in with `vtr` (`"Cl.Cm"`) and asks for nothing
    /// more; add scopes, claims or a later identity check through the public fields.
    pub fn new(issuer: &str, client_id: &str, public_url: &str, vtr: &str) -> Config {
        Config {
            provider: ProviderConfig {
                issuer: issuer.to_owned(),
                did_url: String::new(),
                identity_issuer: String::new(),
                timeout: default_timeout(),
            },
            client_id: client_id.to_owned(),
            public_url: public_url.to_owned(),
            sign_in: RequestConfig::new(vtr),
            identity_check: None,
            age_check: None,
            after_sign_in: "/".to_owned(),
        }
    }

    /// Checks every value; errors name the key as a service's TOML file would.
    pub fn check(&self) -> Result<()> {
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
        if !self.after_sign_in.starts_with('/') || self.after_sign_in.starts_with("//") {
            return Err(Error::config(
                "after_sign_in",
                "a path on this service, starting with one '/'",
            ));
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
        if let Some(step) = &self.age_check {
            step.check("age_check")?;
            if step.claims.is_empty()
                || step
                    .claims
                    .iter()
                    .any(|c| !AGE_OVER_CLAIMS.contains(&c.as_str()))
            {
                return Err(Error::config(
                    "age_check.claims",
                    format!("an age check asks for age claims only: {AGE_OVER_CLAIMS:?}"),
                ));
            }
        }
        Ok(())
    }

    /// The request a step sends to the provider, if the service has that step.
    pub fn request_for(&self, purpose: Purpose) -> Option<&RequestConfig> {
        match purpose {
            Purpose::SignIn => Some(&self.sign_in),
            Purpose::IdentityCheck => self.identity_check.as_ref(),
            Purpose::AgeCheck => self.age_check.as_ref(),
        }
    }

    /// An address under the service's public URL (`"callback"`).
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

    /// The session cookie's name: per service, since services on one host share cookies
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

    fn good() -> Config {
        let mut config = Config::new(
            "http://localhost:8080/",
            "driving-licence",
            "http://localhost:8081/",
            "Cl.Cm.P2",
        );
        config.sign_in.scopes = vec!["email".into()];
        config.sign_in.claims = vec![CORE_IDENTITY_CLAIM.into()];
        config
    }

    fn key_of(config: &Config) -> String {
        match config.check() {
            Err(Error::Config { key, .. }) => key,
            other => panic!("expected a configuration error, got {other:?}"),
        }
    }

    #[test]
    fn a_good_configuration_has_defaults() {
        let config = good();
        config.check().unwrap();
        assert_eq!(
            config.did_url(),
            "http://localhost:8080/.well-known/did.json"
        );
        assert_eq!(config.identity_issuer(), "http://localhost:8080/");
        assert_eq!(config.url("/callback"), "http://localhost:8081/callback");
        assert_eq!(config.cookie_name(), "driving-licence-session");
        assert_eq!(config.sign_in.identity_level(), Some("P2"));
        assert_eq!(
            config.sign_in.claims_parameter().unwrap(),
            r#"{"userinfo":{"https://vocab.account.gov.uk/v1/coreIdentityJWT":null}}"#
        );
    }

    #[test]
    fn bad_values_are_named() {
        /// A change to a good configuration, and the key its error names.
        type Case = (fn(&mut Config), &'static str);
        let cases: Vec<Case> = vec![
            (|c| c.sign_in.vtr = "Cl.P2".into(), "sign_in.vtr"),
            (|c| c.sign_in.vtr = "Cl.Cm.P2.P1".into(), "sign_in.vtr"),
            (|c| c.sign_in.vtr = "Cm".into(), "sign_in.vtr"),
            (|c| c.sign_in.vtr = "Cl.Cm".into(), "sign_in.claims"),
            (
                |c| c.sign_in.scopes = vec!["profile".into()],
                "sign_in.scopes",
            ),
            (
                |c| c.sign_in.claims = vec!["https://vocab.account.gov.uk/v1/shoeSize".into()],
                "sign_in.claims",
            ),
            (
                |c| c.public_url = "http://dept.example/".into(),
                "public_url",
            ),
            (
                |c| c.provider.issuer = "http://localhost:8080".into(),
                "provider.issuer",
            ),
            (|c| c.client_id = "a b".into(), "client_id"),
            (
                |c| c.after_sign_in = "//evil.example/".into(),
                "after_sign_in",
            ),
            (
                |c| c.identity_check = Some(RequestConfig::new("Cl.Cm")),
                "identity_check.vtr",
            ),
        ];
        for (change, key) in cases {
            let mut config = good();
            change(&mut config);
            assert_eq!(key_of(&config), key);
        }
    }
}
