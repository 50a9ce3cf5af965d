//! A department's configuration: one TOML file per department (`config/departments/`), then
//! `ONE_LOGIN_DEPARTMENT__*` environment overrides. Strict: unknown keys are errors, and every
//! bad value is reported with its key. The One Login part is the kit's ([`one_login_rp::Config`]),
//! which checks it.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use figment::Figment;
use figment::providers::{Env, Format, Toml};
use one_login_rp::{ProviderConfig, RequestConfig};
use serde::Deserialize;

use crate::error::{Error, Result};

/// Environment variables that override the file: the key path in capitals, `__` between levels.
pub const ENV_PREFIX: &str = "ONE_LOGIN_DEPARTMENT__";

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
    /// The name on the Welsh pages; without it they show `service_name`.
    #[serde(default)]
    pub service_name_cy: Option<String>,
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
    /// A step that asks only whether the citizen is over an age, if the service has one.
    #[serde(default)]
    pub age_check: Option<RequestConfig>,
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
        self.one_login().check()?;
        if self.data_dir.as_os_str().is_empty() {
            return Err(Error::config("data_dir", "must not be empty"));
        }
        Ok(())
    }

    /// Whether the service needs a proven identity (any level above P0, at sign-in or at the
    /// later step) before it takes an application.
    pub fn needs_identity(&self) -> bool {
        std::iter::once(&self.sign_in)
            .chain(self.identity_check.as_ref())
            .any(|request| request.identity_level().is_some_and(|level| level != "P0"))
    }

    /// The kit's part: the citizen lands on the application page once signed in.
    pub fn one_login(&self) -> one_login_rp::Config {
        one_login_rp::Config {
            provider: self.provider.clone(),
            client_id: self.client_id.clone(),
            public_url: self.public_url.clone(),
            sign_in: self.sign_in.clone(),
            identity_check: self.identity_check.clone(),
            age_check: self.age_check.clone(),
            after_sign_in: "/application".to_owned(),
        }
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
            Err(Error::Kit(one_login_rp::Error::Config { key, .. })) => key,
            other => panic!("expected a configuration error, got {other:?}"),
        }
    }

    #[test]
    fn a_good_file_gives_the_kit_its_part() {
        let config = Config::from_toml_str(GOOD).unwrap();
        assert_eq!(config.form, Form::RenewDrivingLicence);
        let one_login = config.one_login();
        assert_eq!(one_login.client_id, "driving-licence");
        assert_eq!(one_login.cookie_name(), "driving-licence-session");
        assert_eq!(one_login.sign_in.identity_level(), Some("P2"));
        assert!(one_login.identity_check.is_none());
        assert_eq!(one_login.after_sign_in, "/application");
        assert!(config.needs_identity());
    }

    #[test]
    fn a_service_needs_identity_when_a_request_asks_above_p0() {
        let sign_in_only = GOOD.replace("Cl.Cm.P2", "Cl.Cm").replace(
            "[\"https://vocab.account.gov.uk/v1/coreIdentityJWT\"]",
            "[]",
        );
        assert!(
            !Config::from_toml_str(&sign_in_only)
                .unwrap()
                .needs_identity()
        );
        let later = format!(
            "{sign_in_only}\n[identity_check]\nvtr = \"Cl.Cm.P2\"\nclaims = [\"https://vocab.account.gov.uk/v1/coreIdentityJWT\"]\n"
        );
        assert!(Config::from_toml_str(&later).unwrap().needs_identity());
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
