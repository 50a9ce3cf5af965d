//! Configuration in three layers: `config/default.toml` compiled into the binary, then an
//! optional `--config FILE`, then `ONE_LOGIN__*` environment variables, `__` between nesting
//! levels (`ONE_LOGIN__SERVER__LISTEN`). The binary so runs from any folder with no file at all.
//!
//! A relative path written in a `--config` file is taken from that file's folder, so a file
//! means the same wherever the service is started; one from the built-in defaults or the
//! environment is taken from the current directory ([`PATH_KEYS`]).
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
pub use crate::limits::rate::RateLimitConfig;
pub use one_login_store::config::{
    DatabaseConfig, DatabaseKind, DatabaseSettings, EphemeralConfig, SecretsConfig,
};

/// The environment prefix of every override.
pub const ENV_PREFIX: &str = "ONE_LOGIN__";
/// `config/default.toml` as built: the base layer under any `--config` file.
pub const BUILT_IN_DEFAULTS: &str = include_str!("../../../config/default.toml");

/// Keys whose values are filesystem paths: relative ones from a file are rebased on its folder.
/// `database.url` is one too when it names a SQLite file.
const PATH_KEYS: &[&str] = &[
    "data_dir",
    "clients_dir",
    "server.tls_cert",
    "server.tls_key",
    "ephemeral.tls_ca_file",
    "secrets.key_encryption_key_file",
];

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
    pub rate_limits: RateLimitConfig,
    pub passwords: PasswordConfig,
    pub mail: MailConfig,
    /// Folder of relying-party registrations, one TOML file per client.
    pub clients_dir: PathBuf,
    pub keys: KeysConfig,
    pub tokens: TokensConfig,
    pub identity: IdentityConfig,
    /// Requests the provider makes itself (client JWKS, back-channel logout).
    #[serde(default)]
    pub outbound: OutboundConfig,
    #[serde(default)]
    pub log: LogConfig,
    #[serde(default)]
    pub secrets: SecretsConfig,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutboundConfig {
    /// Let outbound requests reach this machine (127.0.0.0/8, ::1): the demo departments run
    /// here. Refused with an https issuer, where `allowed_hosts` names such hosts one by one.
    #[serde(default)]
    pub allow_loopback: bool,
    /// Hosts (names or IP addresses) that may resolve to internal addresses: relying parties
    /// inside the operator's own network.
    #[serde(default)]
    pub allowed_hosts: Vec<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogConfig {
    #[serde(default)]
    pub format: LogFormat,
}

/// How log events are written to standard error. Both are one line per event, with UTC times.
#[derive(Debug, Clone, Copy, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum LogFormat {
    /// For people: `time level target: message field=value`, every value escaped.
    #[default]
    Text,
    /// One JSON object per line, for log collectors.
    Json,
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
    /// A refresh token not used this long after it was issued expires (RFC 9700 §4.14.2).
    #[serde(with = "humantime_serde")]
    pub refresh_token_idle_ttl: Duration,
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
    /// Addresses or CIDR ranges of the reverse proxies in front of the provider. Only a request
    /// from one of them has its client address taken from `X-Forwarded-For` (RFC 9700 §4.13:
    /// forwarded headers are trusted only from known proxies). Empty: the header is ignored.
    #[serde(default)]
    pub trusted_proxies: Vec<String>,
    /// `trusted_proxies`, parsed by [`Config::load`].
    #[serde(skip)]
    pub trusted_proxy_ranges: crate::limits::TrustedProxies,
    /// Where `/metrics` (Prometheus text) is served: an address of its own, `"main"` for the
    /// main listener, or `""`/`"off"` for nowhere.
    #[serde(default = "default_metrics_listen")]
    pub metrics_listen: String,
    /// `metrics_listen`, parsed by [`Config::load`].
    #[serde(skip)]
    pub metrics: MetricsListen,
}

fn default_metrics_listen() -> String {
    "127.0.0.1:9464".to_owned()
}

/// Where the metrics are served (`server.metrics_listen`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum MetricsListen {
    #[default]
    Off,
    /// At `/metrics` on `server.listen`, beside the pages.
    Main,
    /// On a listener of their own: loopback by default, out of the public's reach.
    Separate(SocketAddr),
}

impl MetricsListen {
    fn parse(text: &str) -> std::result::Result<Self, String> {
        match text.trim() {
            "" | "off" => Ok(MetricsListen::Off),
            "main" => Ok(MetricsListen::Main),
            address => address.parse().map(MetricsListen::Separate).map_err(|_| {
                format!("{address:?} is not an address such as 127.0.0.1:9464, \"main\" or \"off\"")
            }),
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SessionConfig {
    #[serde(with = "humantime_serde")]
    pub idle_timeout: Duration,
    #[serde(with = "humantime_serde")]
    pub max_age: Duration,
    /// A session nobody has signed in to (an authorization request, an account being made) is
    /// kept this long after its last write, at most `idle_timeout`: abandoned journeys leave
    /// the short-lived store sooner than signed-in sessions (issue 12.2).
    #[serde(with = "humantime_serde", default = "default_journey_idle_timeout")]
    pub journey_idle_timeout: Duration,
}

fn default_journey_idle_timeout() -> Duration {
    Duration::from_secs(15 * 60)
}

/// How wrong passwords and security codes are slowed down (`accounts::throttle`). Waits, never
/// a lock: SP 800-63B §5.2.2.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignInConfig {
    /// Wrong passwords (or codes) for one email address from one client address before each
    /// further try must wait.
    pub max_failed_attempts: u32,
    /// The first wait; each further wrong try doubles it, up to `max_wait`.
    #[serde(with = "humantime_serde")]
    pub first_wait: Duration,
    #[serde(with = "humantime_serde")]
    pub max_wait: Duration,
    /// Wrong tries are forgotten this long after the last one, and at a successful sign-in.
    #[serde(with = "humantime_serde")]
    pub forget_failures_after: Duration,
    /// Wrong tries for one email address from all client addresses together before every
    /// address it has not signed in from must wait too (SP 800-63B §5.2.2: at most 100).
    pub account_max_failed_attempts: u32,
    /// How long an address an account signed in from stays exempt from the account's waits.
    #[serde(with = "humantime_serde")]
    pub remember_sign_in_address: Duration,
    /// Wrong tries from one client address, across all email addresses, per `address_window`
    /// before that address waits for the window to end (credential stuffing from one place).
    pub address_max_failures: u32,
    #[serde(with = "humantime_serde")]
    pub address_window: Duration,
    /// Wrong tries across all accounts per `breaker_window` that trip the breaker: for
    /// `breaker_cooldown` each address may then make only `address_max_failures_under_attack`.
    pub breaker_failures: u32,
    #[serde(with = "humantime_serde")]
    pub breaker_window: Duration,
    #[serde(with = "humantime_serde")]
    pub breaker_cooldown: Duration,
    pub address_max_failures_under_attack: u32,
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
    /// Hashes computed at once; 0 means one fewer than the CPU cores, at least one
    /// (`accounts::password::default_concurrent_hashes`).
    pub max_concurrent_hashes: usize,
}

#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum MailTransport {
    /// Writes each message to `<data_dir>/outbox/`: for demos and tests, never with an https
    /// issuer.
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

impl Config {
    /// Reads the built-in defaults, then `file` if given (it must exist), then the environment,
    /// then validates.
    pub fn load(file: Option<&Path>) -> Result<Config> {
        Self::load_with_overrides(file, "")
    }

    /// As [`Config::load`], with `overrides` (TOML) over the file: for tests and tools.
    pub fn load_with_overrides(file: Option<&Path>, overrides: &str) -> Result<Config> {
        let mut figment = Figment::new().merge(Toml::string(BUILT_IN_DEFAULTS));
        if let Some(file) = file {
            if !file.is_file() {
                return Err(Error::config(
                    "--config",
                    format!("{} is not a readable file", file.display()),
                ));
            }
            figment = figment.merge(Toml::file_exact(file));
        }
        Self::from_figment(figment.merge(Toml::string(overrides)))
    }

    /// Parses a TOML document plus the environment: for tests and tools.
    pub fn from_toml_str(toml: &str) -> Result<Config> {
        Self::from_figment(Figment::new().merge(Toml::string(toml)))
    }

    fn from_figment(figment: Figment) -> Result<Config> {
        let figment = rebase_file_paths(figment.merge(Env::prefixed(ENV_PREFIX).split("__")));
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
        if self.ephemeral.memory_max_entries.is_some() {
            return Err(Error::config(
                "ephemeral.memory_max_entries",
                "was replaced by ephemeral.memory_max_bytes: the in-memory store is now bounded \
                 by bytes and never evicts a live entry (default 33554432, 32 MiB)",
            ));
        }
        if self.ephemeral.memory_max_bytes < 1 << 16 {
            return Err(Error::config(
                "ephemeral.memory_max_bytes",
                "must be at least 65536 (64 KiB)",
            ));
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
        positive(
            "session.journey_idle_timeout",
            self.session.journey_idle_timeout,
        )?;
        if self.session.idle_timeout > self.session.max_age {
            return Err(Error::config(
                "session.idle_timeout",
                "must not be longer than session.max_age",
            ));
        }
        self.server.metrics = MetricsListen::parse(&self.server.metrics_listen)
            .map_err(|why| Error::config("server.metrics_listen", why))?;
        self.server.trusted_proxy_ranges =
            crate::limits::TrustedProxies::parse(&self.server.trusted_proxies)
                .map_err(|(i, why)| Error::config(format!("server.trusted_proxies[{i}]"), why))?;
        self.check_sign_in()?;
        self.check_rate_limits()?;
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
        positive(
            "tokens.refresh_token_idle_ttl",
            self.tokens.refresh_token_idle_ttl,
        )?;
        if self.tokens.refresh_token_idle_ttl > self.tokens.refresh_token_ttl {
            return Err(Error::config(
                "tokens.refresh_token_idle_ttl",
                "must not be longer than tokens.refresh_token_ttl",
            ));
        }
        positive("tokens.logout_token_ttl", self.tokens.logout_token_ttl)?;
        if !self.identity.encryption_key.trim().is_empty() {
            one_login_store::sealing::decode_key(&self.identity.encryption_key)
                .map_err(|why| Error::config("identity.encryption_key", why))?;
        }
        for (i, key) in self.identity.previous_encryption_keys.iter().enumerate() {
            one_login_store::sealing::decode_key(key).map_err(|why| {
                Error::config(format!("identity.previous_encryption_keys[{i}]"), why)
            })?;
        }
        if !self.secrets.key_encryption_key.trim().is_empty() {
            one_login_store::sealing::decode_key(&self.secrets.key_encryption_key)
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
            one_login_store::sealing::decode_key(key).map_err(|why| {
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
        if self.mail.transport == MailTransport::Outbox && self.issuer_is_https() {
            // Issue 11.9: the outbox keeps citizens' codes in plain files for a demo to read.
            return Err(Error::config(
                "mail.transport",
                "\"outbox\" is for demos on this machine; with an https issuer use \"smtp\"",
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
        self.check_outbound()?;
        Ok(())
    }

    /// Checklist 40: internal addresses are reached only where the operator says so.
    fn check_outbound(&mut self) -> Result<()> {
        if self.outbound.allow_loopback && self.issuer_is_https() {
            return Err(Error::config(
                "outbound.allow_loopback",
                "is for demos on this machine; with an https issuer name hosts in outbound.allowed_hosts",
            ));
        }
        for (i, host) in self.outbound.allowed_hosts.iter_mut().enumerate() {
            let written = host.trim();
            // Hosts as the resolver and URLs give them: lower case, IPv6 without brackets.
            let parsed = match written.parse::<std::net::IpAddr>() {
                Ok(ip) => Ok(ip.to_string()),
                Err(_) => match url::Host::parse(written) {
                    Ok(url::Host::Domain(name)) => Ok(name.to_ascii_lowercase()),
                    Ok(url::Host::Ipv4(ip)) => Ok(ip.to_string()),
                    Ok(url::Host::Ipv6(ip)) => Ok(ip.to_string()),
                    Err(e) => Err(e.to_string()),
                },
            };
            *host = parsed.map_err(|why| {
                Error::config(
                    format!("outbound.allowed_hosts[{i}]"),
                    format!("{written:?} is not a host name or IP address: {why}"),
                )
            })?;
        }
        Ok(())
    }

    fn check_sign_in(&self) -> Result<()> {
        let s = &self.sign_in;
        for (key, value) in [
            ("sign_in.max_failed_attempts", s.max_failed_attempts),
            ("sign_in.address_max_failures", s.address_max_failures),
            ("sign_in.breaker_failures", s.breaker_failures),
            (
                "sign_in.address_max_failures_under_attack",
                s.address_max_failures_under_attack,
            ),
        ] {
            at_least_one(key, value)?;
        }
        // SP 800-63B §5.2.2: no more than 100 failed attempts on one account.
        if !(1..=100).contains(&s.account_max_failed_attempts) {
            return Err(Error::config(
                "sign_in.account_max_failed_attempts",
                "must be from 1 to 100 (NIST SP 800-63B §5.2.2)",
            ));
        }
        for (key, value) in [
            ("sign_in.first_wait", s.first_wait),
            ("sign_in.max_wait", s.max_wait),
            ("sign_in.forget_failures_after", s.forget_failures_after),
            (
                "sign_in.remember_sign_in_address",
                s.remember_sign_in_address,
            ),
            ("sign_in.address_window", s.address_window),
            ("sign_in.breaker_window", s.breaker_window),
            ("sign_in.breaker_cooldown", s.breaker_cooldown),
        ] {
            positive(key, value)?;
        }
        if s.max_wait < s.first_wait {
            return Err(Error::config(
                "sign_in.max_wait",
                "must not be shorter than sign_in.first_wait",
            ));
        }
        if s.forget_failures_after < s.max_wait {
            return Err(Error::config(
                "sign_in.forget_failures_after",
                "must not be shorter than sign_in.max_wait, or waits could never grow",
            ));
        }
        Ok(())
    }

    fn check_rate_limits(&self) -> Result<()> {
        let r = &self.rate_limits;
        positive("rate_limits.window", r.window)?;
        for (key, value) in [
            ("rate_limits.sign_in", r.sign_in),
            ("rate_limits.create_account", r.create_account),
            ("rate_limits.proving", r.proving),
            ("rate_limits.forms", r.forms),
            ("rate_limits.feedback", r.feedback),
            ("rate_limits.authorize", r.authorize),
            ("rate_limits.client_api", r.client_api),
            ("rate_limits.per_client", r.per_client),
        ] {
            at_least_one(key, value)?;
        }
        Ok(())
    }

    pub fn database_kind(&self) -> Result<DatabaseKind> {
        Ok(self.database.kind()?)
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

impl<'a> From<&'a Config> for DatabaseSettings<'a> {
    fn from(config: &'a Config) -> Self {
        DatabaseSettings {
            data_dir: &config.data_dir,
            database: &config.database,
            secrets: &config.secrets,
        }
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

/// Rewrites each relative path that came from a configuration file as that file's folder joined
/// with it. Values from the built-in defaults, overrides and the environment stay as they are
/// (the current directory).
fn rebase_file_paths(figment: Figment) -> Figment {
    let mut rebased = Vec::new();
    for key in PATH_KEYS.iter().copied().chain(["database.url"]) {
        let Ok(value) = figment.find_value(key) else {
            continue;
        };
        let Some(folder) = figment
            .get_metadata(value.tag())
            .and_then(|meta| meta.source.as_ref())
            .and_then(|source| source.file_path())
            .and_then(Path::parent)
        else {
            continue;
        };
        let Some(text) = value.as_str() else {
            continue;
        };
        let new = if key == "database.url" {
            rebase_sqlite_url(text, folder)
        } else {
            rebase_path(text, folder)
        };
        if let Some(new) = new {
            rebased.push((key, new));
        }
    }
    rebased.into_iter().fold(figment, |figment, (key, value)| {
        figment.merge(figment::providers::Serialized::default(key, value))
    })
}

/// `folder/path` when `path` is relative and not empty.
fn rebase_path(path: &str, folder: &Path) -> Option<String> {
    let relative = !path.is_empty() && Path::new(path).is_relative();
    relative.then(|| folder.join(path).display().to_string())
}

/// `sqlite://` (or `sqlite:`) URLs naming a relative file, rebased on `folder`.
fn rebase_sqlite_url(url: &str, folder: &Path) -> Option<String> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let (path, query) = match rest.split_once('?') {
        Some((path, query)) => (path, Some(query)),
        None => (rest, None),
    };
    if path.starts_with(':') {
        return None; // :memory:
    }
    let path = rebase_path(path, folder)?;
    Some(match query {
        Some(query) => format!("sqlite://{path}?{query}"),
        None => format!("sqlite://{path}"),
    })
}

fn positive(key: &str, value: Duration) -> Result<()> {
    if value.is_zero() {
        return Err(Error::config(key, "must be longer than zero"));
    }
    Ok(())
}

fn at_least_one(key: &str, value: u32) -> Result<()> {
    if value == 0 {
        return Err(Error::config(key, "must be at least 1"));
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
#[path = "config_reference_tests.rs"]
mod reference_tests;

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
        memory_max_bytes = 1048576
        key_prefix = "one-login:"
        [session]
        idle_timeout = "30m"
        max_age = "12h"
        [sign_in]
        max_failed_attempts = 5
        first_wait = "5m"
        max_wait = "1h"
        forget_failures_after = "24h"
        account_max_failed_attempts = 100
        remember_sign_in_address = "30d"
        address_max_failures = 50
        address_window = "15m"
        breaker_failures = 600
        breaker_window = "1m"
        breaker_cooldown = "15m"
        address_max_failures_under_attack = 5
        email_code_ttl = "15m"
        [rate_limits]
        window = "1m"
        sign_in = 30
        create_account = 10
        proving = 30
        forms = 60
        feedback = 5
        authorize = 600
        client_api = 600
        per_client = 3000
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
        refresh_token_idle_ttl = "7d"
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
        let err =
            Config::from_toml_str(&MINIMAL.replace("first_wait = \"5m\"", "first_wait = \"soon\""))
                .unwrap_err()
                .to_string();
        assert!(err.contains("sign_in.first_wait"), "{err}");
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
            "memory_max_bytes = 1048576",
            "memory_max_bytes = 1048576\nurl = \"http://x\"",
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

    /// MINIMAL with `tables` after it.
    fn with_tables(tables: &str) -> Result<Config> {
        Config::from_toml_str(&format!("{MINIMAL}\n{tables}"))
    }

    /// MINIMAL with an https issuer and real mail.
    fn production(extra_tables: &str) -> Result<Config> {
        Config::from_toml_str(&format!(
            "issuer = \"https://signin.example.gov.uk/\"\n{}\n{extra_tables}",
            MINIMAL.replace(
                "transport = \"outbox\"",
                "transport = \"smtp\"\nsmtp_url = \"smtps://relay.example.gov.uk:465\"",
            )
        ))
    }

    #[test]
    fn the_old_entry_cap_names_the_byte_budget() {
        let err = Config::from_toml_str(
            &MINIMAL.replace("memory_max_bytes = 1048576", "memory_max_entries = 1000"),
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("ephemeral.memory_max_entries"), "{err}");
        assert!(err.contains("ephemeral.memory_max_bytes"), "{err}");
        let err = Config::from_toml_str(
            &MINIMAL.replace("memory_max_bytes = 1048576", "memory_max_bytes = 100"),
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("ephemeral.memory_max_bytes"), "{err}");
        let config =
            Config::from_toml_str(&MINIMAL.replace("memory_max_bytes = 1048576\n", "")).unwrap();
        assert_eq!(config.ephemeral.memory_max_bytes, 32 << 20);
    }

    #[test]
    fn limit_settings_name_their_key() {
        for (from, to, key) in [
            (
                "account_max_failed_attempts = 100",
                "account_max_failed_attempts = 101",
                "sign_in.account_max_failed_attempts",
            ),
            ("max_wait = \"1h\"", "max_wait = \"1m\"", "sign_in.max_wait"),
            ("sign_in = 30", "sign_in = 0", "rate_limits.sign_in"),
            (
                "listen = \"127.0.0.1:8080\"",
                "listen = \"127.0.0.1:8080\"\ntrusted_proxies = [\"10.0.0.0/8\", \"proxy\"]",
                "server.trusted_proxies[1]",
            ),
        ] {
            let err = Config::from_toml_str(&MINIMAL.replace(from, to))
                .unwrap_err()
                .to_string();
            assert!(err.contains(key), "{err}");
        }
        let config = Config::from_toml_str(&MINIMAL.replace(
            "listen = \"127.0.0.1:8080\"",
            "listen = \"127.0.0.1:8080\"\ntrusted_proxies = [\"10.0.0.0/8\", \"::1\"]",
        ))
        .unwrap();
        assert!(
            config
                .server
                .trusted_proxy_ranges
                .contains("10.1.2.3".parse().unwrap())
        );
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
        let good = one_login_store::sealing::generate_key();
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
        assert!(production("").unwrap().issuer_is_https());
        assert!(with("issuer = \"http://127.0.0.1:9000/\"").is_ok());
    }

    // Issue 11.9: the outbox (codes in plain files) is for demos, never with an https issuer.
    #[test]
    fn the_outbox_is_refused_with_an_https_issuer() {
        let err = with("issuer = \"https://signin.example.gov.uk/\"")
            .unwrap_err()
            .to_string();
        assert!(err.contains("mail.transport"), "{err}");
        assert!(with("issuer = \"http://localhost:8080/\"").is_ok());
    }

    // Issue 11.13, checklist 40: loopback is reached only by a demo; elsewhere hosts are named.
    #[test]
    fn outbound_allowances() {
        let config = with("").unwrap();
        assert!(!config.outbound.allow_loopback, "off unless configured");
        assert!(
            with("").unwrap().log.format == LogFormat::Text,
            "text logs unless configured"
        );
        let demo = with_tables("[outbound]\nallow_loopback = true").unwrap();
        assert!(demo.outbound.allow_loopback);
        let err = production("[outbound]\nallow_loopback = true")
            .unwrap_err()
            .to_string();
        assert!(err.contains("outbound.allow_loopback"), "{err}");
        let listed = production(
            "[outbound]\nallowed_hosts = [\"JWKS.Dept.Internal\", \"10.0.0.5\", \"[fd00::1]\", \"::1\"]",
        )
        .unwrap();
        assert_eq!(
            listed.outbound.allowed_hosts,
            ["jwks.dept.internal", "10.0.0.5", "fd00::1", "::1"]
        );
        for bad in ["\"\"", "\"host:443\"", "\"https://x.example/\""] {
            let err = with_tables(&format!("[outbound]\nallowed_hosts = [{bad}]"))
                .unwrap_err()
                .to_string();
            assert!(err.contains("outbound.allowed_hosts[0]"), "{bad}: {err}");
        }
        let json = with_tables("[log]\nformat = \"json\"").unwrap();
        assert_eq!(json.log.format, LogFormat::Json);
        let err = with_tables("[log]\nformat = \"xml\"")
            .unwrap_err()
            .to_string();
        assert!(err.contains("log.format"), "{err}");
    }

    // Checklist 31: refresh tokens expire when idle, within their absolute lifetime.
    #[test]
    fn refresh_idle_lifetime_fits_the_absolute_one() {
        let config = with("").unwrap();
        assert_eq!(
            config.tokens.refresh_token_idle_ttl,
            Duration::from_secs(7 * 86_400)
        );
        for (idle, key) in [
            ("\"0s\"", "tokens.refresh_token_idle_ttl"),
            ("\"31d\"", "tokens.refresh_token_idle_ttl"),
        ] {
            let err = Config::from_toml_str(&MINIMAL.replace(
                "refresh_token_idle_ttl = \"7d\"",
                &format!("refresh_token_idle_ttl = {idle}"),
            ))
            .unwrap_err()
            .to_string();
            assert!(err.contains(key), "{idle}: {err}");
        }
    }

    // Issue 16: metrics on a loopback listener of their own unless configured otherwise.
    #[test]
    fn metrics_listen() {
        let metrics = |value: &str| {
            Config::from_toml_str(&MINIMAL.replace(
                "[server]\n",
                &format!("[server]\nmetrics_listen = {value:?}\n"),
            ))
            .map(|config| config.server.metrics)
        };
        assert_eq!(
            with("").unwrap().server.metrics,
            MetricsListen::Separate("127.0.0.1:9464".parse().unwrap())
        );
        assert_eq!(metrics("main").unwrap(), MetricsListen::Main);
        assert_eq!(metrics("off").unwrap(), MetricsListen::Off);
        assert_eq!(metrics("").unwrap(), MetricsListen::Off);
        let err = metrics("everywhere").unwrap_err().to_string();
        assert!(err.contains("server.metrics_listen"), "{err}");
    }

    #[test]
    fn built_in_defaults_are_the_shipped_file_and_valid() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../config/default.toml");
        assert_eq!(std::fs::read_to_string(path).unwrap(), BUILT_IN_DEFAULTS);
        let config = Config::load(None).unwrap();
        assert_eq!(config.server.listen.port(), 8080);
        assert_eq!(
            config.data_dir,
            Path::new("data"),
            "from the current directory"
        );
    }

    // Issue 16: a file's relative paths mean the same wherever the service starts; built-in and
    // overridden ones stay relative to the current directory.
    #[test]
    fn relative_paths_in_a_file_resolve_against_its_folder() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("one-login.toml");
        std::fs::write(
            &file,
            "clients_dir = \"rps\"\n[database]\nurl = \"sqlite://db/one.sqlite?mode=rwc\"\n\
             [secrets]\nkey_encryption_key_file = \"kek\"\n",
        )
        .unwrap();
        std::fs::write(dir.path().join("kek"), "").unwrap();
        let config = Config::load(Some(&file)).unwrap();
        assert_eq!(config.clients_dir, dir.path().join("rps"));
        assert_eq!(
            config.database.url,
            format!(
                "sqlite://{}?mode=rwc",
                dir.path().join("db/one.sqlite").display()
            )
        );
        assert_eq!(
            config.secrets.key_encryption_key_file.as_deref(),
            Some(dir.path().join("kek").as_path())
        );
        assert_eq!(config.data_dir, Path::new("data"), "not in the file");
        let overridden =
            Config::load_with_overrides(Some(&file), "clients_dir = \"here\"").unwrap();
        assert_eq!(overridden.clients_dir, Path::new("here"));
        let absolute = "/srv/one-login/clients";
        std::fs::write(&file, format!("clients_dir = {absolute:?}\n")).unwrap();
        assert_eq!(
            Config::load(Some(&file)).unwrap().clients_dir,
            Path::new(absolute)
        );
    }
}
