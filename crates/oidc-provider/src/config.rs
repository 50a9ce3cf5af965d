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
    #[serde(default)]
    pub secrets: SecretsConfig,
}

/// The key-encryption key: AES-256-GCM, it seals the signing keys, the authenticator secrets
/// and the pairwise-subject salt in the database (issue 11.7; checklist 38 and 56).
#[derive(Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SecretsConfig {
    /// Base64 of 32 bytes. Empty: read from `key_encryption_key_file`.
    #[serde(default)]
    pub key_encryption_key: String,
    /// A file holding the key (a mounted secret). Empty: `<data_dir>/key-encryption.key`, made
    /// on first start.
    #[serde(default)]
    pub key_encryption_key_file: Option<PathBuf>,
    /// Earlier keys, still used to open what they sealed until it is sealed again under the
    /// current key (which every start does).
    #[serde(default)]
    pub previous_key_encryption_keys: Vec<String>,
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
    /// Wrong documents or answers allowed in one proving journey before it fails.
    pub max_attempts: u32,
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
    /// PEM of the certificate authority that signed the Redis server's certificate, for
    /// `rediss://` to a server the system's roots do not know.
    #[serde(default)]
    pub tls_ca_file: Option<PathBuf>,
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

impl std::fmt::Debug for SecretsConfig {
    // Checklist 38: keys stay out of logs and panics.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SecretsConfig")
            .field(
                "key_encryption_key",
                &(!self.key_encryption_key.is_empty()).then_some("(set)"),
            )
            .field("key_encryption_key_file", &self.key_encryption_key_file)
            .field(
                "previous_key_encryption_keys",
                &self.previous_key_encryption_keys.len(),
            )
            .finish()
    }
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
        if self.database_kind()? == DatabaseKind::Postgres {
            check_postgres_url(&self.database.url)?;
        }
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
            check_redis_url(&url)?;
        }
        if let Some(ca) = &self.ephemeral.tls_ca_file {
            if !self.ephemeral.url.starts_with("rediss://") {
                return Err(Error::config(
                    "ephemeral.tls_ca_file",
                    "is for TLS: ephemeral.url must be rediss://…",
                ));
            }
            if !ca.is_file() {
                return Err(Error::config(
                    "ephemeral.tls_ca_file",
                    format!("{} is not a readable file", ca.display()),
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
            < self
                .tokens
                .access_token_ttl
                .max(self.tokens.id_token_ttl)
                .max(self.identity.core_identity_ttl)
        {
            return Err(Error::config(
                "keys.publish_after_retirement",
                "must outlive the longest token (tokens.access_token_ttl, tokens.id_token_ttl, \
                 identity.core_identity_ttl)",
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
            crate::sealing::decode_key(&self.identity.encryption_key)
                .map_err(|why| Error::config("identity.encryption_key", why))?;
        }
        for (i, key) in self.identity.previous_encryption_keys.iter().enumerate() {
            crate::sealing::decode_key(key).map_err(|why| {
                Error::config(format!("identity.previous_encryption_keys[{i}]"), why)
            })?;
        }
        if !self.secrets.key_encryption_key.trim().is_empty() {
            crate::sealing::decode_key(&self.secrets.key_encryption_key)
                .map_err(|why| Error::config("secrets.key_encryption_key", why))?;
        }
        if let Some(file) = &self.secrets.key_encryption_key_file {
            if !self.secrets.key_encryption_key.trim().is_empty() {
                return Err(Error::config(
                    "secrets.key_encryption_key_file",
                    "set either secrets.key_encryption_key or this, not both",
                ));
            }
            if !file.is_file() {
                return Err(Error::config(
                    "secrets.key_encryption_key_file",
                    format!("{} is not a readable file", file.display()),
                ));
            }
        }
        for (i, key) in self.secrets.previous_key_encryption_keys.iter().enumerate() {
            crate::sealing::decode_key(key).map_err(|why| {
                Error::config(format!("secrets.previous_key_encryption_keys[{i}]"), why)
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

/// Whether a URL's host is this machine (or a Unix socket), where TLS adds nothing.
fn is_local_host(url: &Url) -> bool {
    match url.host() {
        None => true,
        // redis:// and postgres:// are not special schemes: the url crate leaves their hosts,
        // addresses too, as text.
        Some(url::Host::Domain(d)) => {
            d.is_empty()
                || d.starts_with('%')
                || d.starts_with('/')
                || d == "localhost"
                || d.trim_start_matches('[')
                    .trim_end_matches(']')
                    .parse::<std::net::IpAddr>()
                    .is_ok_and(|ip| ip.is_loopback())
        }
        _ => is_loopback_host(url),
    }
}

/// Checklist 47 (ASVS 12.3.1, 13.2.1): Redis off this machine is reached over TLS and with a
/// password.
fn check_redis_url(url: &Url) -> Result<()> {
    if url.fragment().is_some() {
        return Err(Error::config(
            "ephemeral.url",
            "no #fragment: certificate checks stay on (#insecure is refused); name the \
             server's certificate authority in ephemeral.tls_ca_file instead",
        ));
    }
    if is_local_host(url) {
        return Ok(());
    }
    if url.scheme() != "rediss" {
        return Err(Error::config(
            "ephemeral.url",
            "a Redis server on another machine must be reached over TLS: use rediss://…",
        ));
    }
    if url.password().is_none() {
        return Err(Error::config(
            "ephemeral.url",
            "a Redis server on another machine must require a password: rediss://:PASSWORD@HOST:PORT/ \
             (or rediss://USER:PASSWORD@… with Redis ACLs)",
        ));
    }
    Ok(())
}

/// Checklist 47: PostgreSQL off this machine is reached over TLS, demanded by the URL's
/// `sslmode` (`prefer`, the default, falls back to plain text without saying so).
fn check_postgres_url(text: &str) -> Result<()> {
    let url =
        Url::parse(text).map_err(|e| Error::config("database.url", format!("not a URL: {e}")))?;
    let param = |names: &[&str]| {
        url.query_pairs()
            .find(|(k, _)| names.contains(&k.as_ref()))
            .map(|(_, v)| v.into_owned())
    };
    let sslmode = param(&["sslmode", "ssl-mode"]).map(|v| v.to_ascii_lowercase());
    // A `host` parameter overrides the URL's host (a socket folder, or a name).
    let local = match param(&["host"]) {
        Some(host) => {
            host.starts_with('/')
                || host == "localhost"
                || host
                    .parse::<std::net::IpAddr>()
                    .is_ok_and(|ip| ip.is_loopback())
        }
        None => is_local_host(&url),
    };
    match sslmode.as_deref() {
        None | Some("disable" | "allow" | "prefer") if !local => Err(Error::config(
            "database.url",
            "a PostgreSQL server on another machine must be reached over TLS: add \
             sslmode=verify-full (or verify-ca, require) to the URL",
        )),
        None | Some("disable" | "allow" | "prefer" | "require" | "verify-ca" | "verify-full") => {
            Ok(())
        }
        Some(other) => Err(Error::config(
            "database.url",
            format!(
                "sslmode={other} is not one of disable, allow, prefer, require, verify-ca, verify-full"
            ),
        )),
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

    fn with_in(table_line: &str, extra: &str) -> Result<Config> {
        Config::from_toml_str(&MINIMAL.replace(table_line, &format!("{table_line}\n{extra}")))
    }

    // Checklist 47 (ASVS 12.3.1, 13.2.1): stores on another machine over TLS, Redis with a
    // password; this machine and Unix sockets as they are.
    #[test]
    fn stores_on_another_machine_need_tls_and_redis_a_password() {
        let redis = |url: &str| with_in("[ephemeral]", &format!("url = {url:?}"));
        let postgres = |url: &str| with_in("[database]", &format!("url = {url:?}"));
        for refused in [
            "redis://redis.internal:6379/",
            "redis://:pw@10.0.0.5:6379/",
            "redis://[::2]:6379/",
            "rediss://redis.internal:6380/",
            "rediss://:pw@127.0.0.1:6380/#insecure",
        ] {
            let err = redis(refused).unwrap_err().to_string();
            assert!(err.contains("ephemeral.url"), "{refused}: {err}");
        }
        for accepted in [
            "redis://127.0.0.1:6379/",
            "redis://localhost:6379/0",
            "redis://[::1]:6379/",
            "rediss://localhost:6380/",
            "rediss://:pw@redis.internal:6380/",
            "rediss://one-login:pw@redis.internal:6380/",
        ] {
            assert!(redis(accepted).is_ok(), "{accepted}");
        }
        for refused in [
            "postgres://u:p@db.internal/one_login",
            "postgres://u:p@db.internal/one_login?sslmode=prefer",
            "postgres://u:p@db.internal/one_login?sslmode=disable",
            "postgres://u@localhost/one_login?host=db.internal",
            "postgres://u@localhost/one_login?sslmode=maybe",
        ] {
            let err = postgres(refused).unwrap_err().to_string();
            assert!(
                err.contains("database.url") && err.contains("sslmode"),
                "{refused}: {err}"
            );
        }
        for accepted in [
            "postgres://u@127.0.0.1:5432/one_login",
            "postgres://u@localhost/one_login?sslmode=disable",
            "postgresql://u@%2Fvar%2Frun%2Fpostgresql/one_login",
            "postgres://u@localhost/one_login?host=/var/run/postgresql",
            "postgres://u:p@db.internal/one_login?sslmode=require",
            "postgres://u:p@db.internal/one_login?sslmode=verify-full&sslrootcert=/etc/ca.pem",
        ] {
            assert!(postgres(accepted).is_ok(), "{accepted}");
        }
        let dir = tempfile::tempdir().unwrap();
        let ca = dir.path().join("ca.pem");
        std::fs::write(&ca, "pem").unwrap();
        let ca_line = format!("tls_ca_file = {:?}", ca.display().to_string());
        assert!(
            with_in(
                "[ephemeral]",
                &format!("url = \"rediss://localhost:6380/\"\n{ca_line}")
            )
            .is_ok()
        );
        for extra in [
            format!("url = \"redis://localhost:6379/\"\n{ca_line}"),
            "url = \"rediss://localhost:6380/\"\ntls_ca_file = \"/no/ca.pem\"".to_owned(),
        ] {
            let err = with_in("[ephemeral]", &extra).unwrap_err().to_string();
            assert!(err.contains("ephemeral.tls_ca_file"), "{err}");
        }
    }

    // Issue 11.7: the key-encryption key and its earlier keys are checked like the identity
    // key, and a key file must exist.
    #[test]
    fn key_encryption_keys_are_checked_and_named() {
        let good = crate::sealing::generate_key();
        let cases = [
            (
                "key_encryption_key = \"c2hvcnQ=\"".to_owned(),
                "secrets.key_encryption_key",
            ),
            (
                format!("previous_key_encryption_keys = [{good:?}, \"nope\"]"),
                "secrets.previous_key_encryption_keys[1]",
            ),
            (
                "key_encryption_key_file = \"/no/such.key\"".to_owned(),
                "secrets.key_encryption_key_file",
            ),
            (
                format!("key_encryption_key = {good:?}\nkey_encryption_key_file = \"Cargo.toml\""),
                "secrets.key_encryption_key_file",
            ),
        ];
        for (extra, key) in cases {
            let err = Config::from_toml_str(&format!("{MINIMAL}\n[secrets]\n{extra}"))
                .unwrap_err()
                .to_string();
            assert!(err.contains(key), "{extra}: {err}");
        }
        let config = Config::from_toml_str(&format!(
            "{MINIMAL}\n[secrets]\nkey_encryption_key = {good:?}"
        ))
        .unwrap();
        assert_eq!(config.secrets.key_encryption_key, good);
        assert!(
            !format!("{config:?}").contains(&good),
            "the key stays out of Debug"
        );
        assert!(with("").unwrap().secrets.key_encryption_key.is_empty());
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
