//! Request rate limits: how many POSTs one client address may send to a kind of route per
//! window, and how many `/token` and `/revoke` requests one client may send (checklist 80:
//! ASVS 2.4.1). Fixed windows counted in the short-lived store, so every replica shares the
//! count for an address; the per-client count stays in each replica, so that the token
//! endpoint's hot path costs one counter round trip, not two.

use std::time::Duration;

use crate::error::{Error, Result};
use one_login_store::ephemeral::{EphemeralStore, MemoryStore};
use serde::Deserialize;

/// Requests one client address (or client) may send per `window`, by kind of route
/// (`limits::rate`). Only POSTs are counted.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RateLimitConfig {
    #[serde(with = "humantime_serde")]
    pub window: Duration,
    /// The sign-in forms: password, security code.
    pub sign_in: u32,
    /// The create-account forms: each sends an email, checks a code or hashes a password.
    pub create_account: u32,
    /// The identity proving forms: each may call an evidence check.
    pub proving: u32,
    /// Every other form a person sends (consent, sign out, ...).
    pub forms: u32,
    /// The feedback form: anyone may send it and each is kept, so it is held tighter than the
    /// other forms, lest it be used to fill the database.
    pub feedback: u32,
    /// Authorization requests sent as a form post.
    pub authorize: u32,
    /// `/token`, `/revoke` and `/userinfo` per client address: relying parties' servers.
    pub client_api: u32,
    /// `/token` and `/revoke` per authenticated client, counted by each replica.
    pub per_client: u32,
}

/// The kinds of route a rate limit counts separately.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RouteKind {
    SignIn,
    CreateAccount,
    Proving,
    /// Any other form a person sends.
    Forms,
    /// The feedback form: each one sent is kept.
    Feedback,
    /// An authorization request sent as a form post.
    Authorize,
    /// Requests from relying parties' servers: `/token`, `/revoke`, `/userinfo`.
    ClientApi,
}

impl RouteKind {
    /// The kind of a POST route, by its path as the router lists it. Routes added later fall
    /// under their prefix (`/sign-in/...`), else under `Forms`: limited without any change here.
    pub fn of_path(path: &str) -> RouteKind {
        let under = |prefix: &str| {
            path == prefix
                || path
                    .strip_prefix(prefix)
                    .is_some_and(|rest| rest.starts_with('/'))
        };
        match path {
            // The wallet's endpoints answer JSON like the other client endpoints.
            "/token" | "/revoke" | "/userinfo" | "/nonce" | "/credential" => RouteKind::ClientApi,
            "/authorize" => RouteKind::Authorize,
            // Getting back into an account is signing in by other steps: the same limit.
            _ if under("/sign-in")
                || under("/reset-password")
                || under("/lost-authenticator-app") =>
            {
                RouteKind::SignIn
            }
            _ if under("/create-account") => RouteKind::CreateAccount,
            _ if under("/identity") => RouteKind::Proving,
            _ if under("/feedback") => RouteKind::Feedback,
            _ => RouteKind::Forms,
        }
    }

    /// Whether the sender is a relying party's server, answered in JSON, not a person.
    pub fn is_client_api(self) -> bool {
        self == RouteKind::ClientApi
    }

    fn name(self) -> &'static str {
        match self {
            RouteKind::SignIn => "sign-in",
            RouteKind::CreateAccount => "create-account",
            RouteKind::Proving => "proving",
            RouteKind::Forms => "forms",
            RouteKind::Feedback => "feedback",
            RouteKind::Authorize => "authorize",
            RouteKind::ClientApi => "client-api",
        }
    }

    fn limit(self, config: &RateLimitConfig) -> u32 {
        match self {
            RouteKind::SignIn => config.sign_in,
            RouteKind::CreateAccount => config.create_account,
            RouteKind::Proving => config.proving,
            RouteKind::Forms => config.forms,
            RouteKind::Feedback => config.feedback,
            RouteKind::Authorize => config.authorize,
            RouteKind::ClientApi => config.client_api,
        }
    }
}

/// The rate limits, with this replica's per-client counts.
pub struct RateLimiter {
    config: RateLimitConfig,
    per_client: MemoryStore,
}

/// Bytes for this replica's per-client counts. Only authenticated (registered) clients are
/// counted, two windows' counters each at most (the old one expires a second after its
/// window): 4 MiB holds some 10,000 clients. The store never evicts a count, so a client
/// cannot escape its limit by crowding it out; were the budget ever spent, `/token` and
/// `/revoke` answer 503 `temporarily_unavailable` (fail closed) until windows expire.
const PER_CLIENT_BUDGET_BYTES: u64 = 4 << 20;

impl RateLimiter {
    pub fn new(config: &RateLimitConfig) -> Self {
        Self::with_per_client_budget(config, PER_CLIENT_BUDGET_BYTES)
    }

    fn with_per_client_budget(config: &RateLimitConfig, bytes: u64) -> Self {
        RateLimiter {
            config: config.clone(),
            per_client: MemoryStore::new(bytes),
        }
    }

    /// Counts a POST from `address` (as [`super::counted_as`] gives it) to a route of `kind`;
    /// over the limit, [`Error::RateLimited`] with the seconds until the window ends.
    pub async fn admit(
        &self,
        store: &dyn EphemeralStore,
        kind: RouteKind,
        address: &str,
        now: i64,
    ) -> Result<()> {
        let key = format!("ratelimit:{}:{address}", kind.name());
        within_window(
            store,
            &key,
            kind.limit(&self.config),
            self.config.window,
            now,
        )
        .await
    }

    /// Counts a `/token` or `/revoke` request from an authenticated client, in this replica.
    /// Counted after authentication, so nobody can spend a client's allowance by naming it.
    pub async fn admit_client(&self, client_id: &str, now: i64) -> Result<()> {
        let key = format!("ratelimit:client:{client_id}");
        within_window(
            &self.per_client,
            &key,
            self.config.per_client,
            self.config.window,
            now,
        )
        .await
    }
}

/// One more in the fixed window of `window` that holds `now`, under `key`.
async fn within_window(
    store: &dyn EphemeralStore,
    key: &str,
    limit: u32,
    window: Duration,
    now: i64,
) -> Result<()> {
    let seconds = window.as_secs().max(1) as i64;
    let index = now.div_euclid(seconds);
    let count = store
        .increment(
            &format!("{key}:{index}"),
            Duration::from_secs(seconds as u64 + 1),
        )
        .await?;
    if count <= u64::from(limit) {
        Ok(())
    } else {
        Err(Error::RateLimited {
            retry_after_seconds: ((index + 1) * seconds - now).max(1) as u64,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> RateLimitConfig {
        RateLimitConfig {
            window: Duration::from_secs(60),
            sign_in: 3,
            create_account: 3,
            proving: 3,
            forms: 3,
            feedback: 3,
            authorize: 3,
            client_api: 3,
            per_client: 2,
        }
    }

    #[test]
    fn routes_fall_under_their_prefix() {
        assert_eq!(RouteKind::of_path("/sign-in"), RouteKind::SignIn);
        assert_eq!(
            RouteKind::of_path("/sign-in/authenticator-code"),
            RouteKind::SignIn
        );
        assert_eq!(
            RouteKind::of_path("/create-account/check-email"),
            RouteKind::CreateAccount
        );
        assert_eq!(RouteKind::of_path("/identity/passport"), RouteKind::Proving);
        assert_eq!(RouteKind::of_path("/reset-password"), RouteKind::SignIn);
        assert_eq!(
            RouteKind::of_path("/lost-authenticator-app/password"),
            RouteKind::SignIn
        );
        assert_eq!(RouteKind::of_path("/token"), RouteKind::ClientApi);
        assert_eq!(RouteKind::of_path("/userinfo"), RouteKind::ClientApi);
        assert_eq!(RouteKind::of_path("/nonce"), RouteKind::ClientApi);
        assert_eq!(RouteKind::of_path("/credential"), RouteKind::ClientApi);
        assert_eq!(RouteKind::of_path("/authorize"), RouteKind::Authorize);
        assert_eq!(RouteKind::of_path("/authorize/consent"), RouteKind::Forms);
        assert_eq!(RouteKind::of_path("/sign-out"), RouteKind::Forms);
        assert_eq!(RouteKind::of_path("/feedback"), RouteKind::Feedback);
        // A prefix is a whole path segment.
        assert_eq!(RouteKind::of_path("/sign-inside"), RouteKind::Forms);
        assert!(RouteKind::ClientApi.is_client_api());
        assert!(!RouteKind::SignIn.is_client_api());
    }

    // Checklist 80: per-address limits, 429 with the time left in the window.
    #[tokio::test]
    async fn limit_per_address_kind_and_window() {
        let store = MemoryStore::new(1 << 20);
        let limiter = RateLimiter::new(&config());
        for _ in 0..3 {
            limiter
                .admit(&store, RouteKind::SignIn, "10.0.0.1", 120)
                .await
                .unwrap();
        }
        match limiter
            .admit(&store, RouteKind::SignIn, "10.0.0.1", 130)
            .await
        {
            Err(Error::RateLimited {
                retry_after_seconds,
            }) => assert_eq!(retry_after_seconds, 50),
            other => panic!("{other:?}"),
        }
        limiter
            .admit(&store, RouteKind::SignIn, "10.0.0.2", 130)
            .await
            .unwrap();
        limiter
            .admit(&store, RouteKind::Forms, "10.0.0.1", 130)
            .await
            .unwrap();
        limiter
            .admit(&store, RouteKind::SignIn, "10.0.0.1", 180)
            .await
            .unwrap();
    }

    // A full per-client store refuses (503), never forgets a count nor admits uncounted.
    #[tokio::test]
    async fn per_client_counts_fail_closed_when_full() {
        let limiter = RateLimiter::with_per_client_budget(&config(), 2_000);
        let mut admitted = 0;
        let refusal = loop {
            match limiter
                .admit_client(&format!("client-{admitted}"), 120)
                .await
            {
                Ok(()) => admitted += 1,
                Err(e) => break e,
            }
        };
        assert!(refusal.is_unavailable(), "{refusal:?}");
        assert!(admitted > 0);
        // Every client counted so far is still counted: its limit (2) still holds.
        for i in 0..admitted {
            let client = format!("client-{i}");
            limiter.admit_client(&client, 120).await.unwrap();
            assert!(matches!(
                limiter.admit_client(&client, 120).await,
                Err(Error::RateLimited { .. })
            ));
        }
    }

    // Replicas of the previous version count under the same keys: a window's count is shared.
    #[tokio::test]
    async fn counts_under_the_keys_replicas_share() {
        let store = MemoryStore::new(1 << 20);
        let limiter = RateLimiter::new(&config());
        for _ in 0..3 {
            store
                .increment(
                    "ratelimit:create-account:10.0.0.1:2",
                    Duration::from_secs(61),
                )
                .await
                .unwrap();
        }
        assert!(
            limiter
                .admit(&store, RouteKind::CreateAccount, "10.0.0.1", 120)
                .await
                .is_err()
        );
        limiter
            .admit(&store, RouteKind::ClientApi, "10.0.0.1", 120)
            .await
            .unwrap();
        assert_eq!(
            store
                .increment("ratelimit:client-api:10.0.0.1:2", Duration::from_secs(61))
                .await
                .unwrap(),
            2
        );
    }

    #[tokio::test]
    async fn limit_per_client() {
        let limiter = RateLimiter::new(&config());
        limiter.admit_client("a", 0).await.unwrap();
        limiter.admit_client("a", 0).await.unwrap();
        assert!(limiter.admit_client("a", 0).await.is_err());
        limiter.admit_client("b", 0).await.unwrap();
        limiter.admit_client("a", 60).await.unwrap();
    }
}
