//! The service's sessions: what the browser's cookie (a random id) names. Kept in this
//! process's memory ([`MemorySessions`]: one replica, lost on restart) or in Redis
//! (`RedisSessions`, feature `redis`: shared by replicas), the service's choice, behind one
//! interface ([`SessionStore`]).

use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;

use async_trait::async_trait;
use base64::Engine;
use rand::RngCore;
use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::identity::{CoreIdentity, DrivingPermit, Passport, PostalAddress};
use crate::provider::IdToken;

/// A session ends after this long without a request.
pub const IDLE_SECONDS: i64 = 30 * 60;

/// 256 random bits, base64url.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// Why the service sent the citizen to the provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Purpose {
    SignIn,
    /// The later step that asks for identity (step-up).
    IdentityCheck,
    /// A step that asks only whether the citizen has reached an age (`age_over_18`).
    AgeCheck,
}

/// An authorization request on its way: what the callback must match. Its `Debug` shows no
/// secret.
#[derive(Clone, Serialize, Deserialize)]
pub struct Pending {
    pub purpose: Purpose,
    pub state: String,
    pub nonce: String,
    pub pkce_verifier: String,
    pub sent_at: i64,
}

impl std::fmt::Debug for Pending {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pending")
            .field("purpose", &self.purpose)
            .field("sent_at", &self.sent_at)
            .finish_non_exhaustive()
    }
}

/// What the provider told about the signed-in citizen; as an extractor, the signed-in citizen
/// of a request. Its `Debug` leaves out the tokens and personal data, so logging it leaks
/// neither.
#[derive(Clone, Serialize, Deserialize)]
pub struct SignedIn {
    /// The citizen's pairwise identifier: the same at every sign-in to this service, another
    /// one at every other service.
    pub sub: String,
    /// The provider's session, named again by a back-channel logout.
    pub sid: Option<String>,
    /// The credential level reached (`Cl.Cm`).
    pub vot: Option<String>,
    pub auth_time: Option<i64>,
    pub email: Option<String>,
    /// The verified core identity, when one was asked for and given.
    pub identity: Option<CoreIdentity>,
    pub address: Option<PostalAddress>,
    pub driving_permit: Option<DrivingPermit>,
    pub passport: Option<Passport>,
    /// Why an identity could not be proven, when the provider says so instead of giving one.
    pub return_codes: Vec<String>,
    pub signed_in_at: i64,
    /// Set after the identity step: how it went.
    pub identity_check: Option<IdentityCheck>,
    /// The provider's answers to `age_over_NN` claims, by claim name: derived from the proven
    /// birth date, which the service is not given.
    #[serde(default)]
    pub age_over: BTreeMap<String, bool>,
    /// When the details were last refreshed with the refresh token.
    pub refreshed_at: Option<i64>,
    /// The session's CSRF token, for the service's own forms (filled in by the extractor).
    #[serde(skip)]
    pub csrf_token: String,
    /// The ID token, kept as the `id_token_hint` for logout.
    pub id_token: IdToken,
    /// Never shown: used by the kit's refresh route only.
    pub refresh_token: Option<String>,
}

impl std::fmt::Debug for SignedIn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignedIn")
            .field("sub", &self.sub)
            .field("sid", &self.sid)
            .field("vot", &self.vot)
            .field("auth_time", &self.auth_time)
            .field("proven", &self.identity.is_some())
            .field("return_codes", &self.return_codes)
            .finish_non_exhaustive()
    }
}

impl SignedIn {
    /// The provider's answer to whether the citizen is `years` old or older, if it gave one.
    pub fn age_over(&self, years: u8) -> Option<bool> {
        self.age_over.get(&format!("age_over_{years}")).copied()
    }

    /// Whether the details can be refreshed without the citizen (`offline_access`).
    pub fn can_refresh(&self) -> bool {
        self.refresh_token.is_some()
    }
}

/// How the step-up went, for the citizen to see that nothing was asked again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdentityCheck {
    /// Seconds between leaving for the provider and coming back.
    pub seconds_away: i64,
    /// The sign-in time is the one from before the step: no new sign-in was needed.
    pub same_sign_in: bool,
}

/// One browser's session. Its `Debug` shows no secret (no CSRF token, tokens or PKCE
/// verifier).
#[derive(Clone, Serialize, Deserialize)]
pub struct Session {
    pub csrf: String,
    pub pending: Option<Pending>,
    pub user: Option<SignedIn>,
    pub(crate) touched: i64,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("pending", &self.pending)
            .field("user", &self.user)
            .finish_non_exhaustive()
    }
}

impl Session {
    fn new(now: i64) -> Session {
        Session {
            csrf: random_token(),
            pending: None,
            user: None,
            touched: now,
        }
    }

    /// Whether a back-channel logout for provider session `sid` and/or citizen `sub` ends this
    /// session (Back-Channel Logout §2.7: `sid` when given, otherwise every session of `sub`).
    pub fn ended_by(&self, sub: Option<&str>, sid: Option<&str>) -> bool {
        let Some(user) = &self.user else {
            return false;
        };
        match (sid, sub) {
            (Some(sid), Some(sub)) => user.sid.as_deref() == Some(sid) && user.sub == sub,
            (Some(sid), None) => user.sid.as_deref() == Some(sid),
            (None, Some(sub)) => user.sub == sub,
            (None, None) => false,
        }
    }
}

/// Where sessions live. Implementations expire a session [`IDLE_SECONDS`] after it was last
/// read or written.
#[async_trait]
pub trait SessionStore: Send + Sync + 'static {
    /// The live session `id` names; reading it counts as activity.
    async fn get(&self, id: &str, now: i64) -> Result<Option<Session>>;
    /// Writes the session under `id`.
    async fn put(&self, id: &str, session: &Session, now: i64) -> Result<()>;
    async fn remove(&self, id: &str) -> Result<()>;
    /// Ends every session [`Session::ended_by`] names; returns how many ended.
    async fn end_matching(&self, sub: Option<&str>, sid: Option<&str>) -> Result<usize>;
}

/// Operations every store has, on top of the four it implements.
impl dyn SessionStore {
    /// A new, empty session and its id.
    pub async fn create(&self, now: i64) -> Result<(String, Session)> {
        let id = random_token();
        let session = Session::new(now);
        self.put(&id, &session, now).await?;
        Ok((id, session))
    }

    /// Moves the session to a new id (at each sign-in: session fixation) and returns it.
    pub async fn rotate(&self, old: &str, session: &Session, now: i64) -> Result<String> {
        self.remove(old).await?;
        let id = random_token();
        self.put(&id, session, now).await?;
        Ok(id)
    }
}

/// Sessions in this process's memory.
#[derive(Default)]
pub struct MemorySessions {
    map: Mutex<HashMap<String, Session>>,
}

impl MemorySessions {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Session>> {
        // A panic elsewhere while holding the lock leaves the map usable.
        self.map.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[async_trait]
impl SessionStore for MemorySessions {
    async fn get(&self, id: &str, now: i64) -> Result<Option<Session>> {
        let mut map = self.lock();
        let Some(session) = map.get_mut(id) else {
            return Ok(None);
        };
        if session.touched + IDLE_SECONDS <= now {
            map.remove(id);
            return Ok(None);
        }
        session.touched = now;
        Ok(Some(session.clone()))
    }

    async fn put(&self, id: &str, session: &Session, now: i64) -> Result<()> {
        let mut map = self.lock();
        map.retain(|_, s| s.touched + IDLE_SECONDS > now);
        let mut session = session.clone();
        session.touched = now;
        map.insert(id.to_owned(), session);
        Ok(())
    }

    async fn remove(&self, id: &str) -> Result<()> {
        self.lock().remove(id);
        Ok(())
    }

    async fn end_matching(&self, sub: Option<&str>, sid: Option<&str>) -> Result<usize> {
        let mut map = self.lock();
        let before = map.len();
        map.retain(|_, session| !session.ended_by(sub, sid));
        Ok(before - map.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[tokio::test]
    async fn sessions_expire_when_idle_and_ids_are_random() {
        let sessions: Arc<dyn SessionStore> = Arc::new(MemorySessions::default());
        let (id, _) = sessions.create(1_000).await.unwrap();
        let get = |now| {
            let sessions = sessions.clone();
            let id = id.clone();
            async move { sessions.get(&id, now).await.unwrap() }
        };
        assert!(get(1_000 + IDLE_SECONDS - 1).await.is_some());
        // Touched at the last read, so the idle time runs from there.
        assert!(get(1_000 + 2 * IDLE_SECONDS - 2).await.is_some());
        assert!(get(1_000 + 4 * IDLE_SECONDS).await.is_none());
        let (a, _) = sessions.create(1_000).await.unwrap();
        let (b, _) = sessions.create(1_000).await.unwrap();
        assert_ne!(a, b);
        assert_eq!(a.len(), 43);
    }

    #[tokio::test]
    async fn debug_output_shows_no_secret() {
        let sessions: Arc<dyn SessionStore> = Arc::new(MemorySessions::default());
        let (_, mut session) = sessions.create(1_000).await.unwrap();
        session.pending = Some(Pending {
            purpose: Purpose::SignIn,
            state: "the-state".into(),
            nonce: "the-nonce".into(),
            pkce_verifier: "the-verifier".into(),
            sent_at: 1_000,
        });
        let shown = format!("{session:?}");
        for secret in [
            session.csrf.as_str(),
            "the-state",
            "the-nonce",
            "the-verifier",
        ] {
            assert!(!shown.contains(secret), "{shown}");
        }
        assert!(shown.contains("SignIn"));
    }

    #[tokio::test]
    async fn rotate_moves_the_session() {
        let sessions: Arc<dyn SessionStore> = Arc::new(MemorySessions::default());
        let (id, session) = sessions.create(1_000).await.unwrap();
        let new = sessions.rotate(&id, &session, 1_000).await.unwrap();
        assert!(sessions.get(&id, 1_000).await.unwrap().is_none());
        let moved = sessions.get(&new, 1_000).await.unwrap().unwrap();
        assert_eq!(moved.csrf, session.csrf);
    }
}
