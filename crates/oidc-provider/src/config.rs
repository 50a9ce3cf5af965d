//! Configuration: `config/default.toml` (or `--config FILE`) overlaid by `ONE_LOGIN__*`
//! environment variables, `__` between nesting levels (`ONE_LOGIN__SERVER__LISTEN`).
//!
//! Unknown keys are errors (`deny_unknown_fields`), and [`Config::load`] validates every value
//! after parsing, so the server never starts half-configured: each failure names the key.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use figment::Figment;
use figment::providers::{Env, Format, Toml};
use serde::Deserialize;
use url::Url;

use crate::error::{Error, Result};

/// The environment prefix of every override.
pub const ENV_PREFIX: &str = "ONE_LOGIN__";
/// Where the configuration is read from when no `--config` is given.
pub const DEFAULT_CONFIG_FILE: &str = "config/default.toml";

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Public base URL of the provider, ending with `/`. Empty: `http://localhost:<port>/`.
    #[serde(default)]
    pub issuer: String,
    /// Where the SQLite file, signing keys and the mail outbox live unless configured otherwise.
    pub data_dir: PathBuf,
    pub server: ServerConfig,
    pub database: DatabaseConfig,
    pub ephemeral: EphemeralConfig,
    pub session: SessionConfig,
    pub sign_in: SignInConfig,
    pub passwords: PasswordConfig,
    pub mail: MailConfig,
    /// Folder of relying-party registrations, one TOML file per client.
    pub clients_dir: PathBuf,
    pub keys: KeysConfig,
    pub tokens: TokensConfig,
    pub identity: IdentityConfig,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IdentityConfig {
    /// Base64 of 32 bytes: the AES-256-GCM key that seals identity credentials at rest. Empty:
    /// a key made on first start in `<data_dir>/identity-encryption.key`.
    #[serde(default)]
    pub encryption_key: String,
    /// Earlier keys, still used to open what they sealed (rotation: move the current key here).
    #[serde(default)]
    pub previous_encryption_keys: Vec<String>,
    /// How long a check's evidence credential counts towards an identity.
    #[serde(with = "humantime_serde")]
    pub credential_validity: Duration,
    /// Lifetime of the core identity JWT a relying party gets from userinfo.
    #[serde(with = "humantime_serde")]
    pub core_identity_ttl: Duration,
    /// Failed document checks, and failed question sets, allowed per account and per document
    /// within `attempt_window` (issue 11.5), across journeys and sessions.
    pub max_attempts: u32,
    /// The window over which proving attempts are counted.
    #[serde(with = "humantime_serde")]
    pub attempt_window: Duration,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeysConfig {
    /// A rotated-in key is published this long before it signs, so relying parties that cache
    /// the JWKS know it in time.
    #[serde(with = "humantime_serde")]
    pub publish_before_use: Duration,
    /// A retired key stays published this long, outliving every token it signed.
    #[serde(with = "humantime_serde")]
    pub publish_after_retirement: Duration,
    /// How often each replica reloads the keys from the database.
    #[serde(with = "humantime_serde")]
    pub refresh_interval: Duration,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TokensConfig {
    #[serde(with = "humantime_serde")]
    pub authorization_code_ttl: Duration,
    #[serde(with = "humantime_serde")]
    pub id_token_ttl: Duration,
    #[serde(with = "humantime_serde")]
    pub access_token_ttl: Duration,
    /// Absolute lifetime of a grant's refresh tokens, from the sign-in that made it.
    #[serde(with = "humantime_serde")]
    pub refresh_token_ttl: Duration,
    #[serde(with = "humantime_serde")]
    pub logout_token_ttl: Duration,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerConfig {
    pub listen: SocketAddr,
    /// PEM certificate chain; with `tls_key`, the server speaks https itself.
    #[serde(default)]
    pub tls_cert: Option<PathBuf>,
    #[serde(default)]
    pub tls_key: Option<PathBuf>,
    /// Take the client address from the last `X-Forwarded-For` entry. Only behind a proxy that
    /// sets it (RFC 9700 §4.13: forwarded headers are trusted only from known proxies).
    #[serde(default)]
    pub trust_forwarded_for: bool,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatabaseConfig {
    /// `sqlite://…` or `postgres://…`. Empty: `sqlite://<data_dir>/one-login.sqlite`.
    #[serde(default)]
    pub url: String,
    pub max_connections: u32,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EphemeralConfig {
    /// `redis://…` (or `rediss://…`). Empty: in this process's memory.
    #[serde(default)]
    pub url: String,
    /// Upper bound on entries kept by the in-memory store.
    pub memory_max_entries: u64,
    /// Put before every Redis key, so several deployments can share one server.
    pub key_prefix: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SessionConfig {
    #[serde(with = "humantime_serde")]
    pub idle_timeout: Duration,
    #[serde(with = "humantime_serde")]
    pub max_age: Duration,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignInConfig {
    /// Wrong passwords or codes in a row before the account is locked.
    pub max_failed_attempts: u32,
    #[serde(with = "humantime_serde")]
    pub lockout_duration: Duration,
    /// Form submissions one client address may make to the sign-in and create-account routes
    /// within `rate_limit_window`.
    pub rate_limit_per_ip: u32,
    #[serde(with = "humantime_serde")]
    pub rate_limit_window: Duration,
    /// How long the code emailed to a new citizen stays valid.
    #[serde(with = "humantime_serde")]
    pub email_code_ttl: Duration,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PasswordConfig {
    /// argon2id memory cost in KiB.
    pub memory_kib: u32,
    pub iterations: u32,
    pub parallelism: u32,
    /// Hashes computed at once; 0 means one per CPU core.
    pub max_concurrent_hashes: usize,
}

#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum MailTransport {
    /// Writes each message to `<data_dir>/outbox/` and to the log: for demos and tests.
    Outbox,
    Smtp,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MailConfig {
    pub from: String,
    pub transport: MailTransport,
    /// `smtp://user:pass@host:587?tls=required` or `smtps://…` (lettre's URL form).
    #[serde(default)]
    pub smtp_url: String,
}

/// Which durable database a URL names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DatabaseKind {
    Sqlite,
    Postgres,
}

impl Config {
    /// Reads `file` (which must exist) and the environment, then validates.
    pub fn load(file: &Path) -> Result<Config> {
        if !file.is_file() {
            return Err(Error::config(
                "--config",
                format!("{} is not a readable file", file.display()),
            ));
        }
        Self::from_figment(Figment::new().merge(Toml::file_exact(file)))
    }

    /// Reads `file`, then `overrides` (TOML) over it, then the environment: for tests and tools.
    pub fn load_with_overrides(file: &Path, overrides: &str) -> Result<Config> {
        if !file.is_file() {
            return Err(Error::config(
                "--config",
                format!("{} is not a readable file", file.display()),
            ));
        }
        Self::from_figment(
            Figment::new()
                .merge(Toml::file_exact(file))
                .merge(Toml::string(overrides)),
        )
    }

    /// Parses a TOML document plus the environment: for tests and tools.
    pub fn from_toml_str(toml: &str) -> Result<Config> {
        Self::from_figment(Figment::new().merge(Toml::string(toml)))
    }

    fn from_figment(figment: Figment) -> Result<Config> {
        let figment = figment.merge(Env::prefixed(ENV_PREFIX).split("__"));
        let mut config: Config = figment.extract().map_err(config_error_from_figment)?;
        config.finish()?;
        Ok(config)
    }

    /// Fills the derived defaults and checks every value.
    fn finish(&mut self) -> Result<()> {
        if self.issuer.trim().is_empty() {
            self.issuer = format!("http://localhost:{}/", self.server.listen.port());
        }
        let issuer = Url::parse(&self.issuer)
            .map_err(|e| Error::config("issuer", format!("not a URL: {e}")))?;
        if !self.issuer.ends_with('/') {
            return Err(Error::config("issuer", "must end with '/'"));
        }
        if issuer.query().is_some() || issuer.fragment().is_some() {
            // OpenID Connect Discovery §3: the issuer has no query or fragment.
            return Err(Error::config(
                "issuer",
                "must not have a query or a fragment",
            ));
        }
        match issuer.scheme() {
            "https" => {}
            "http" if is_loopback_host(&issuer) => {}
            "http" => {
                return Err(Error::config(
                    "issuer",
                    "must be https unless the host is localhost (RFC 9700 §2.6)",
                ));
            }
            other => {
                return Err(Error::config(
                    "issuer",
                    format!("unsupported scheme {other}"),
                ));
            }
        }
        if self.data_dir.as_os_str().is_empty() {
            return Err(Error::config("data_dir", "must not be empty"));
        }
        match (&self.server.tls_cert, &self.server.tls_key) {
            (None, None) => {}
            (Some(cert), Some(key)) => {
                for (name, path) in [("server.tls_cert", cert), ("server.tls_key", key)] {
                    if !path.is_file() {
                        return Err(Error::config(
                            name,
                            format!("{} is not a readable file", path.display()),
                        ));
                    }
                }
            }
            (Some(_), None) => {
                return Err(Error::config(
                    "server.tls_key",
                    "required when server.tls_cert is set",
                ));
            }
            (None, Some(_)) => {
                return Err(Error::config(
                    "server.tls_cert",
                    "required when server.tls_key is set",
                ));
            }
        }
        if self.database.url.trim().is_empty() {
            self.database.url = format!(
                "sqlite://{}?mode=rwc",
                self.data_dir.join("one-login.sqlite").display()
            );
        }
        self.database_kind()?;
        if self.database.max_connections == 0 {
            return Err(Error::config(
                "database.max_connections",
                "must be at least 1",
            ));
        }
        if !self.ephemeral.url.is_empty() {
            let url = Url::parse(&self.ephemeral.url)
                .map_err(|e| Error::config("ephemeral.url", format!("not a URL: {e}")))?;
            if !matches!(url.scheme(), "redis" | "rediss") {
                return Err(Error::config(
                    "ephemeral.url",
                    "must be redis://… or rediss://…, or empty for in-memory",
                ));
            }
        }
        positive("session.idle_timeout", self.session.idle_timeout)?;
        positive("session.max_age", self.session.max_age)?;
        if self.session.idle_timeout > self.session.max_age {
            return Err(Error::config(
                "session.idle_timeout",
                "must not be longer than session.max_age",
            ));
        }
        if self.sign_in.max_failed_attempts == 0 {
            return Err(Error::config(
                "sign_in.max_failed_attempts",
                "must be at least 1",
            ));
        }
        if self.sign_in.rate_limit_per_ip == 0 {
            return Err(Error::config(
                "sign_in.rate_limit_per_ip",
                "must be at least 1",
            ));
        }
        positive("sign_in.lockout_duration", self.sign_in.lockout_duration)?;
        positive("sign_in.rate_limit_window", self.sign_in.rate_limit_window)?;
        positive("sign_in.email_code_ttl", self.sign_in.email_code_ttl)?;
        // OWASP Password Storage cheat sheet: argon2id with at least 19 MiB, t=2, p=1.
        if self.passwords.memory_kib < 19_456 {
            return Err(Error::config(
                "passwords.memory_kib",
                "must be at least 19456 (19 MiB)",
            ));
        }
        if self.passwords.iterations < 2 {
            return Err(Error::config("passwords.iterations", "must be at least 2"));
        }
        if !(1..=16).contains(&self.passwords.parallelism) {
            return Err(Error::config(
                "passwords.parallelism",
                "must be from 1 to 16",
            ));
        }
        positive(
            "keys.publish_after_retirement",
            self.keys.publish_after_retirement,
        )?;
        positive("keys.refresh_interval", self.keys.refresh_interval)?;
        if self.keys.publish_after_retirement
            < self.tokens.access_token_ttl.max(self.tokens.id_token_ttl)
        {
            return Err(Error::config(
                "keys.publish_after_retirement",
                "must outlive the longest token (tokens.access_token_ttl, tokens.id_token_ttl)",
            ));
        }
        positive(
            "tokens.authorization_code_ttl",
            self.tokens.authorization_code_ttl,
        )?;
        if self.tokens.authorization_code_ttl > Duration::from_secs(600) {
            // RFC 6749 §4.1.2: a maximum of 10 minutes; RFC 9700 advises far less.
            return Err(Error::config(
                "tokens.authorization_code_ttl",
                "must be 10 minutes or less",
            ));
        }
        positive("tokens.id_token_ttl", self.tokens.id_token_ttl)?;
        positive("tokens.access_token_ttl", self.tokens.access_token_ttl)?;
        positive("tokens.refresh_token_ttl", self.tokens.refresh_token_ttl)?;
        positive("tokens.logout_token_ttl", self.tokens.logout_token_ttl)?;
        if !self.identity.encryption_key.trim().is_empty() {
            crate::identity::sealing::decode_key(&self.identity.encryption_key)
                .map_err(|why| Error::config("identity.encryption_key", why))?;
        }
        for (i, key) in self.identity.previous_encryption_keys.iter().enumerate() {
            crate::identity::sealing::decode_key(key).map_err(|why| {
                Error::config(format!("identity.previous_encryption_keys[{i}]"), why)
            })?;
        }
        positive(
            "identity.credential_validity",
            self.identity.credential_validity,
        )?;
        positive(
            "identity.core_identity_ttl",
            self.identity.core_identity_ttl,
        )?;
        if self.identity.core_identity_ttl > Duration::from_secs(3600) {
            return Err(Error::config(
                "identity.core_identity_ttl",
                "must be at most 1h: relying parties check it soon after userinfo",
            ));
        }
        if self.identity.max_attempts == 0 {
            return Err(Error::config("identity.max_attempts", "must be at least 1"));
        }
        if self.identity.attempt_window < Duration::from_secs(60) {
            return Err(Error::config(
                "identity.attempt_window",
                "must be at least 1m: it is how long failed proving attempts count",
            ));
        }
        if self.mail.from.parse::<lettre::message::Mailbox>().is_err() {
            return Err(Error::config(
                "mail.from",
                "not a mailbox such as 'One Login <no-reply@example.gov.uk>'",
            ));
        }
        if self.mail.transport == MailTransport::Smtp {
            let url = Url::parse(&self.mail.smtp_url)
                .map_err(|e| Error::config("mail.smtp_url", format!("not a URL: {e}")))?;
            if !matches!(url.scheme(), "smtp" | "smtps") {
                return Err(Error::config(
                    "mail.smtp_url",
                    "must be smtp://… or smtps://…",
                ));
            }
        }
        Ok(())
    }

    pub fn database_kind(&self) -> Result<DatabaseKind> {
        let url = &self.database.url;
        if url.starts_with("sqlite:") {
            Ok(DatabaseKind::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(DatabaseKind::Postgres)
        } else {
            Err(Error::config(
                "database.url",
                "must start with sqlite: or postgres://, or be empty for the SQLite default",
            ))
        }
    }

    /// Whether the provider is reached over https, which decides the cookie attributes.
    pub fn issuer_is_https(&self) -> bool {
        self.issuer.starts_with("https://")
    }

    /// The issuer's URL joined with a path relative to it (`"account"`).
    pub fn url(&self, relative: &str) -> String {
        format!("{}{}", self.issuer, relative.trim_start_matches('/'))
    }

    pub fn outbox_dir(&self) -> PathBuf {
        self.data_dir.join("outbox")
    }
}

fn positive(key: &str, value: Duration) -> Result<()> {
    if value.is_zero() {
        return Err(Error::config(key, "must be longer than zero"));
    }
    Ok(())
}

fn is_loopback_host(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d == "localhost" || d.ends_with(".localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

/// Turns figment's error into ours, naming the key as an operator would write it.
fn config_error_from_figment(error: figment::Error) -> Error {
    let key = if error.path.is_empty() {
        "(top level)".to_owned()
    } else {
        error.path.join(".")
    };
    let source = error
        .metadata
        .as_ref()
        .map(|m| match &m.source {
            Some(source) => format!(" (from {} {source})", m.name),
            None => format!(" (from {})", m.name),
        })
        .unwrap_or_default();
    Error::config(key, format!("{}{source}", error.kind))
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = r#"
        data_dir = "data"
        clients_dir = "config/clients"
        [server]
        listen = "127.0.0.1:8080"
        [database]
        max_connections = 5
        [ephemeral]
        memory_max_entries = 1000
        key_prefix = "one-login:"
        [session]
        idle_timeout = "30m"
        max_age = "12h"
        [sign_in]
        max_failed_attempts = 5
        lockout_duration = "15m"
        rate_limit_per_ip = 30
        rate_limit_window = "1m"
        email_code_ttl = "15m"
        [passwords]
        memory_kib = 19456
        iterations = 2
        parallelism = 1
        max_concurrent_hashes = 0
        [mail]
        from = "One Login <no-reply@localhost>"
        transport = "outbox"
        [keys]
        publish_before_use = "10m"
        publish_after_retirement = "1d"
        refresh_interval = "1m"
        [tokens]
        authorization_code_ttl = "60s"
        id_token_ttl = "2m"
        access_token_ttl = "3m"
        refresh_token_ttl = "30d"
        logout_token_ttl = "2m"
        [identity]
        credential_validity = "180d"
        core_identity_ttl = "30m"
        max_attempts = 3
        attempt_window = "24h"
    "#;

    fn with(extra: &str) -> Result<Config> {
        // Keys added to a table must sit inside it: put overrides before the first table.
        Config::from_toml_str(&format!("{extra}\n{MINIMAL}"))
    }

    #[test]
    fn defaults_derive_issuer_and_sqlite_url() {
        let config = with("").unwrap();
        assert_eq!(config.issuer, "http://localhost:8080/");
        assert!(
            config
                .database
                .url
                .starts_with("sqlite://data/one-login.sqlite")
        );
        assert_eq!(config.database_kind().unwrap(), DatabaseKind::Sqlite);
        assert!(!config.issuer_is_https());
        assert_eq!(config.url("/authorize"), "http://localhost:8080/authorize");
    }

    #[test]
    fn unknown_key_is_named() {
        let err = with("colour = \"blue\"").unwrap_err().to_string();
        assert!(err.contains("colour"), "{err}");
    }

    #[test]
    fn missing_key_is_named() {
        let err = Config::from_toml_str("data_dir = \"x\"")
            .unwrap_err()
            .to_string();
        assert!(err.contains("server") || err.contains("missing"), "{err}");
    }

    #[test]
    fn bad_values_name_their_key() {
        let cases = [
            ("issuer = \"http://example.gov.uk/\"", "issuer"),
            ("issuer = \"https://example.gov.uk\"", "issuer"),
            ("issuer = \"https://example.gov.uk/?a=b\"", "issuer"),
            ("issuer = \"not a url\"", "issuer"),
        ];
        for (extra, key) in cases {
            let err = with(extra).unwrap_err().to_string();
            assert!(err.contains(key), "{extra}: {err}");
        }
        let err =
            Config::from_toml_str(&MINIMAL.replace("memory_kib = 19456", "memory_kib = 1024"))
                .unwrap_err()
                .to_string();
        assert!(err.contains("passwords.memory_kib"), "{err}");
        let err = Config::from_toml_str(&MINIMAL.replace("\"30m\"", "\"13h\""))
            .unwrap_err()
            .to_string();
        assert!(err.contains("session.idle_timeout"), "{err}");
        let err = Config::from_toml_str(
            &MINIMAL.replace("\"15m\"\n        rate", "\"soon\"\n        rate"),
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("sign_in.lockout_duration"), "{err}");
        let err = Config::from_toml_str(&MINIMAL.replace(
            "max_connections = 5",
            "max_connections = 5\nurl = \"mysql://x\"",
        ))
        .unwrap_err()
        .to_string();
        assert!(err.contains("database.url"), "{err}");
        for (from, to, key) in [
            (
                "max_attempts = 3",
                "max_attempts = 0",
                "identity.max_attempts",
            ),
            (
                "core_identity_ttl = \"30m\"",
                "core_identity_ttl = \"2h\"",
                "identity.core_identity_ttl",
            ),
            (
                "attempt_window = \"24h\"",
                "attempt_window = \"10s\"",
                "identity.attempt_window",
            ),
            (
                "max_attempts = 3",
                "max_attempts = 3\nencryption_key = \"c2hvcnQ=\"",
                "identity.encryption_key",
            ),
        ] {
            let err = Config::from_toml_str(&MINIMAL.replace(from, to))
                .unwrap_err()
                .to_string();
            assert!(err.contains(key), "{err}");
        }
        let err = Config::from_toml_str(&MINIMAL.replace(
            "memory_max_entries = 1000",
            "memory_max_entries = 1000\nurl = \"http://x\"",
        ))
        .unwrap_err()
        .to_string();
        assert!(err.contains("ephemeral.url"), "{err}");
        let err = Config::from_toml_str(&MINIMAL.replace("listen = \"127.0.0.1:8080\"", "listen = \"127.0.0.1:8080\"\ntls_cert = \"/nonexistent.pem\"\ntls_key = \"/nonexistent.key\""))
            .unwrap_err()
            .to_string();
        assert!(err.contains("server.tls_cert"), "{err}");
        let err = Config::from_toml_str(
            &MINIMAL.replace("transport = \"outbox\"", "transport = \"smtp\""),
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("mail.smtp_url"), "{err}");
    }

    #[test]
    fn https_issuer_and_loopback_http_are_accepted() {
        assert!(
            with("issuer = \"https://signin.example.gov.uk/\"")
                .unwrap()
                .issuer_is_https()
        );
        assert!(with("issuer = \"http://127.0.0.1:9000/\"").is_ok());
    }

    #[test]
    fn shipped_default_config_is_valid() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../config/default.toml");
        let config = Config::load(&path).unwrap();
        assert_eq!(config.server.listen.port(), 8080);
    }
}
