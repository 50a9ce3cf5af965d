//! The citizen's browser session: who signed in, to which level and when, plus the state of a
//! half-finished journey. Kept in the short-lived store under a hash of its id (ASVS 7.2.3), so
//! every replica sharing the store sees it.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use base64::Engine;
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::accounts::email_code::PendingCode;
use crate::config::SessionConfig;
use crate::ephemeral::EphemeralStore;
use crate::error::{Error, Result};
use crate::identity::journey::ProvingJourney;
use crate::oidc::authorize::AuthorizationRequest;

/// How strongly the citizen has signed in: the credential component of a vector of trust.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum CredentialLevel {
    /// Password only.
    #[serde(rename = "Cl")]
    Cl,
    /// Password and a second factor.
    #[serde(rename = "Cl.Cm")]
    ClCm,
}

impl CredentialLevel {
    pub fn as_str(self) -> &'static str {
        match self {
            CredentialLevel::Cl => "Cl",
            CredentialLevel::ClCm => "Cl.Cm",
        }
    }
}

/// Who is signed in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Authentication {
    pub account_id: String,
    pub email: String,
    pub level: CredentialLevel,
    /// When the citizen last presented a credential (OpenID Connect Core §2 `auth_time`).
    pub auth_time: i64,
    /// The same in milliseconds, for `max_age` (absent in sessions from before it was kept).
    #[serde(default)]
    pub auth_time_ms: Option<i64>,
    /// Methods used, as RFC 8176 names them: "pwd", "otp".
    pub amr: Vec<String>,
    /// The login session's stable id (ID token `sid`), unchanged when the cookie's id rotates
    /// or the citizen steps up (Back-Channel Logout §2.1).
    pub sid: String,
}

impl Authentication {
    /// When the citizen last presented a credential, in milliseconds; from the whole second
    /// where older sessions kept only that (it errs on the old side, so towards a new sign-in).
    pub fn authenticated_at_ms(&self) -> i64 {
        self.auth_time_ms
            .unwrap_or_else(|| self.auth_time.saturating_mul(1_000))
    }
}

/// Where a half-finished journey stands. Each page checks it and sends the citizen to the
/// step they are really at, so URLs cannot skip a step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum Journey {
    #[default]
    None,
    CreateAccount {
        email: String,
        step: CreateAccountStep,
    },
    /// An account without an authenticator app sets one up after its password.
    AddAuthenticator { totp_secret: String },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum CreateAccountStep {
    CheckEmail(PendingCode),
    ChoosePassword,
    SetUpAuthenticator {
        password_hash: String,
        totp_secret: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    pub created_at: i64,
    pub last_seen: i64,
    /// The synchroniser token every form of this session carries (RFC 6749 §10.12).
    pub csrf_token: String,
    pub auth: Option<Authentication>,
    pub journey: Journey,
    /// An authorization request waiting for the citizen to sign in, step up or consent.
    #[serde(default)]
    pub pending: Option<AuthorizationRequest>,
    /// Clients given a code in this login session: told when it ends (Back-Channel Logout §2.7).
    #[serde(default)]
    pub relying_parties: BTreeSet<String>,
    /// An identity proving journey in progress, for the pending request.
    #[serde(default)]
    pub proving: Option<ProvingJourney>,
}

/// Whether a session may still be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Liveness {
    Live,
    IdleTooLong,
    TooOld,
}

/// How often a live session's `last_seen` is written back: idle expiry is accurate to this,
/// and most requests cost no write.
const TOUCH_INTERVAL: i64 = 60;

impl Session {
    pub fn new(now: i64) -> Self {
        Session {
            created_at: now,
            last_seen: now,
            csrf_token: random_token(),
            auth: None,
            journey: Journey::None,
            pending: None,
            relying_parties: BTreeSet::new(),
            proving: None,
        }
    }

    /// Idle and absolute limits (SP 800-63B §4.2.3, ASVS 7.3.1-7.3.2).
    pub fn liveness(&self, now: i64, config: &SessionConfig) -> Liveness {
        if now - self.created_at >= config.max_age.as_secs() as i64 {
            Liveness::TooOld
        } else if now - self.last_seen >= config.idle_timeout.as_secs() as i64 {
            Liveness::IdleTooLong
        } else {
            Liveness::Live
        }
    }

    pub fn csrf_matches(&self, presented: &str) -> bool {
        !presented.is_empty() && bool::from(self.csrf_token.as_bytes().ct_eq(presented.as_bytes()))
    }

    /// The signed-in citizen, if they reached at least `level`.
    pub fn authenticated_at(&self, level: CredentialLevel) -> Option<&Authentication> {
        self.auth.as_ref().filter(|a| a.level >= level)
    }

    /// How long the store should keep it from `now`.
    fn ttl(&self, now: i64, config: &SessionConfig) -> Duration {
        let left = self.created_at + config.max_age.as_secs() as i64 - now;
        let ttl = left.min(config.idle_timeout.as_secs() as i64).max(1);
        Duration::from_secs(ttl as u64)
    }
}

/// 256 random bits, base64url: session ids and CSRF tokens.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// A session id as the cookie carries it. Only its hash reaches the store.
#[derive(Clone, PartialEq, Eq)]
pub struct SessionId(String);

impl std::fmt::Debug for SessionId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the whole id in a log (ASVS 16.2.5).
        write!(f, "SessionId({}…)", &self.0[..self.0.len().min(4)])
    }
}

impl SessionId {
    pub fn generate() -> Self {
        SessionId(random_token())
    }

    /// Accepts only what [`SessionId::generate`] makes: a tampered cookie is just no session.
    pub fn parse(cookie: &str) -> Option<Self> {
        (cookie.len() == 43
            && cookie
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'))
        .then(|| SessionId(cookie.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    fn store_key(&self) -> String {
        let digest = Sha256::digest(self.0.as_bytes());
        format!(
            "session:{}",
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(digest)
        )
    }
}

/// Loads and saves sessions in the short-lived store.
#[derive(Clone)]
pub struct Sessions {
    store: Arc<dyn EphemeralStore>,
    config: SessionConfig,
}

impl Sessions {
    pub fn new(store: Arc<dyn EphemeralStore>, config: SessionConfig) -> Self {
        Sessions { store, config }
    }

    pub fn config(&self) -> &SessionConfig {
        &self.config
    }

    /// The live session with this id, touching it when due; `None` when missing or expired.
    pub async fn load(&self, id: &SessionId, now: i64) -> Result<Option<Session>> {
        let Some(bytes) = self.store.get(&id.store_key()).await? else {
            return Ok(None);
        };
        let Ok(mut session) = serde_json::from_slice::<Session>(&bytes) else {
            // Written by an incompatible version: treat as signed out rather than fail.
            self.store.delete(&id.store_key()).await?;
            return Ok(None);
        };
        if session.liveness(now, &self.config) != Liveness::Live {
            self.store.delete(&id.store_key()).await?;
            return Ok(None);
        }
        if now - session.last_seen >= TOUCH_INTERVAL {
            session.last_seen = now;
            self.save(id, &session, now).await?;
        }
        Ok(Some(session))
    }

    pub async fn save(&self, id: &SessionId, session: &Session, now: i64) -> Result<()> {
        let bytes = serde_json::to_vec(session).map_err(|e| Error::Internal(e.to_string()))?;
        self.store
            .put(&id.store_key(), &bytes, session.ttl(now, &self.config))
            .await
    }

    /// Moves the session to a new id and a new CSRF token, deleting the old: after every
    /// credential, so an id planted before sign-in is worthless after it (ASVS 7.2.4).
    pub async fn rotate(
        &self,
        old: &SessionId,
        session: &mut Session,
        now: i64,
    ) -> Result<SessionId> {
        self.store.delete(&old.store_key()).await?;
        let id = SessionId::generate();
        session.csrf_token = random_token();
        session.last_seen = now;
        self.save(&id, session, now).await?;
        Ok(id)
    }

    pub async fn end(&self, id: &SessionId) -> Result<()> {
        self.store.delete(&id.store_key()).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ephemeral::MemoryStore;

    fn config() -> SessionConfig {
        SessionConfig {
            idle_timeout: Duration::from_secs(1800),
            max_age: Duration::from_secs(43_200),
        }
    }

    #[test]
    fn idle_and_absolute_expiry() {
        let config = config();
        let mut session = Session::new(0);
        assert_eq!(session.liveness(1799, &config), Liveness::Live);
        assert_eq!(session.liveness(1800, &config), Liveness::IdleTooLong);
        session.last_seen = 43_000;
        assert_eq!(session.liveness(43_199, &config), Liveness::Live);
        assert_eq!(session.liveness(43_200, &config), Liveness::TooOld);
    }

    #[test]
    fn csrf_comparison() {
        let session = Session::new(0);
        assert!(session.csrf_matches(&session.csrf_token.clone()));
        assert!(!session.csrf_matches(""));
        assert!(!session.csrf_matches("forged"));
    }

    #[test]
    fn levels_are_ordered() {
        let mut session = Session::new(0);
        assert!(session.authenticated_at(CredentialLevel::Cl).is_none());
        session.auth = Some(Authentication {
            account_id: "a".into(),
            email: "a@example.com".into(),
            level: CredentialLevel::Cl,
            auth_time: 0,
            auth_time_ms: None,
            amr: vec!["pwd".into()],
            sid: "s".into(),
        });
        assert!(session.authenticated_at(CredentialLevel::Cl).is_some());
        assert!(session.authenticated_at(CredentialLevel::ClCm).is_none());
        assert_eq!(
            serde_json::to_string(&CredentialLevel::ClCm).unwrap(),
            "\"Cl.Cm\""
        );
    }

    #[test]
    fn session_ids_parse_only_their_own_shape() {
        let id = SessionId::generate();
        assert_eq!(SessionId::parse(id.as_str()), Some(id.clone()));
        assert!(SessionId::parse("").is_none());
        assert!(SessionId::parse(&"a".repeat(42)).is_none());
        assert!(SessionId::parse(&format!("{}%", &id.as_str()[..42])).is_none());
        assert!(!format!("{id:?}").contains(id.as_str()));
    }

    #[tokio::test]
    async fn save_load_rotate_end() {
        let sessions = Sessions::new(Arc::new(MemoryStore::new(100)), config());
        let id = SessionId::generate();
        let mut session = Session::new(1_000);
        sessions.save(&id, &session, 1_000).await.unwrap();
        assert_eq!(
            sessions.load(&id, 1_010).await.unwrap(),
            Some(session.clone())
        );
        // Idle too long: gone, and deleted.
        assert_eq!(sessions.load(&id, 1_000 + 1_800).await.unwrap(), None);

        sessions.save(&id, &session, 1_000).await.unwrap();
        let old_csrf = session.csrf_token.clone();
        let new_id = sessions.rotate(&id, &mut session, 1_020).await.unwrap();
        assert_ne!(new_id, id);
        assert_ne!(session.csrf_token, old_csrf);
        assert_eq!(sessions.load(&id, 1_020).await.unwrap(), None);
        assert!(sessions.load(&new_id, 1_020).await.unwrap().is_some());
        sessions.end(&new_id).await.unwrap();
        assert_eq!(sessions.load(&new_id, 1_020).await.unwrap(), None);
    }
}
