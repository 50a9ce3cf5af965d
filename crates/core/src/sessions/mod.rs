//! The citizen's browser session: who signed in, to which level and when, plus the state of a
//! half-finished journey. Kept in the short-lived store under a hash of its id (ASVS 7.2.3), so
//! every replica sharing the store sees it.

pub mod form_token;

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use base64::Engine;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::accounts::email_code::PendingCode;
use crate::config::SessionConfig;
use crate::error::{Error, Result};
use crate::identity::journey::ProvingJourney;
use crate::oidc::authorization_request::AuthorizationRequest;
use one_login_store::ephemeral::EphemeralStore;

pub use crate::authentication::{Authentication, CredentialLevel};
pub use crate::random::random_token;

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
    /// Getting back into an account: a forgotten password or a lost authenticator app.
    Recovery(crate::accounts::recovery::Recovery),
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

/// A change to the signed-in account half done, on the account pages (issue 10 item 3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum AccountChange {
    /// A code was sent to the new address; the address changes when it comes back.
    NewEmail { email: String, code: PendingCode },
    /// The current app's code was given: the new app is being set up.
    NewAuthenticatorApp { totp_secret: String },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    pub created_at: i64,
    pub last_seen: i64,
    /// The synchroniser token every form of this session carries (RFC 6749 §10.12).
    pub csrf_token: String,
    // What is absent is left out: every journey's record is kept in memory (issue 12.2).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub auth: Option<Authentication>,
    pub journey: Journey,
    /// An authorization request waiting for the citizen to sign in, step up or consent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pending: Option<AuthorizationRequest>,
    /// Clients given a code in this login session: told when it ends (Back-Channel Logout §2.7).
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub relying_parties: BTreeSet<String>,
    /// An identity proving journey in progress, for the pending request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proving: Option<ProvingJourney>,
    /// A change to the signed-in account in progress.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_change: Option<AccountChange>,
    /// The signed-in account owes a new password (an operator required one): until it is
    /// chosen, the sign-in counts for nothing but the page that asks for it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub password_renewal_owed: bool,
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
            account_change: None,
            password_renewal_owed: false,
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

    /// Whether a code for `client_id` changes this session. Single sign-on's usual case, a
    /// service this session already gave a code to with nothing waiting, changes nothing, so
    /// the session is not written (on Redis a script and a round trip a flow, issue 13).
    pub fn changed_by_code_for(&self, client_id: &str) -> bool {
        self.pending.is_some()
            || self.proving.is_some()
            || !self.relying_parties.contains(client_id)
    }

    /// A code was given to `client_id`: the request and its proving journey are done, and the
    /// client is told when this session ends (Back-Channel Logout §2.7).
    pub fn code_given_to(&mut self, client_id: String) {
        self.pending = None;
        self.proving = None;
        self.relying_parties.insert(client_id);
    }

    pub fn csrf_matches(&self, presented: &str) -> bool {
        !presented.is_empty() && bool::from(self.csrf_token.as_bytes().ct_eq(presented.as_bytes()))
    }

    /// The signed-in citizen, if they reached at least `level`.
    pub fn authenticated_at(&self, level: CredentialLevel) -> Option<&Authentication> {
        self.signed_in().filter(|a| a.level >= level)
    }

    /// The signed-in citizen, unless they still owe a new password: a sign-in that has not
    /// finished what an operator required of it gives no service a code and opens no page.
    pub fn signed_in(&self) -> Option<&Authentication> {
        self.auth.as_ref().filter(|_| !self.password_renewal_owed)
    }

    /// Records a sign-in at `level` made now (`now_ms`, and the same in seconds `now`). The same
    /// citizen stepping up or signing in again keeps their login session id; a different
    /// citizen in this browser starts a new one, and the previous one's login ends: it is
    /// returned, for the services it signed in to to be told. A request waiting for this
    /// sign-in now has one made after it arrived (what `prompt=login` and `max_age=0` ask for,
    /// Core §3.1.2.1), and any journey before it is over.
    pub fn sign_in(
        &mut self,
        account_id: &str,
        email: &str,
        level: CredentialLevel,
        (now, now_ms): (i64, i64),
    ) -> Option<EndedSession> {
        let (sid, previous) = match self.auth.take() {
            Some(auth) if auth.account_id == account_id => (auth.sid, None),
            previous => {
                let relying_parties = std::mem::take(&mut self.relying_parties);
                let ended = previous.map(|auth| EndedSession {
                    auth,
                    relying_parties,
                });
                (random_token(), ended)
            }
        };
        let amr = match level {
            CredentialLevel::Cl => vec!["pwd".to_owned()],
            CredentialLevel::ClCm => vec!["pwd".to_owned(), "otp".to_owned()],
        };
        self.auth = Some(Authentication {
            account_id: account_id.to_owned(),
            email: email.to_owned(),
            level,
            auth_time: now,
            auth_time_ms: Some(now_ms),
            amr,
            sid,
        });
        if let Some(pending) = self.pending.as_mut() {
            pending.signed_in_since_received = true;
        }
        self.journey = Journey::None;
        previous
    }

    /// How long the store should keep it from `now`.
    fn ttl(&self, now: i64, config: &SessionConfig) -> Duration {
        let left = self.created_at + config.max_age.as_secs() as i64 - now;
        // Nobody signed in: a journey, abandoned more often than not.
        let idle = match self.auth {
            Some(_) => config.idle_timeout,
            None => config.journey_idle_timeout.min(config.idle_timeout),
        };
        let ttl = left.min(idle.as_secs() as i64).max(1);
        Duration::from_secs(ttl as u64)
    }
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

/// A session as read, with the version a write must present.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Loaded {
    pub session: Session,
    pub version: u64,
}

/// A write lost to another request on the same session: a form posted twice at once, or a
/// sign-out, sign-in or "end every session" that happened while this request was in flight.
/// The losing request's change is dropped, never merged over the winner's (issue 11.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Superseded;

/// A session that was ended because its account's sessions were ended, for the caller to tell
/// the services it signed in to (Back-Channel Logout §2.7).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EndedSession {
    pub auth: Authentication,
    pub relying_parties: BTreeSet<String>,
}

/// Sessions one account may hold at once (browsers, devices). Signing in to one more ends the
/// oldest, so the index that lets every session of an account be ended stays small and never
/// loses a live session.
pub const MAX_SESSIONS_PER_ACCOUNT: usize = 32;

/// Loads and saves sessions in the short-lived store. Every write is conditional on the version
/// read (compare-and-set), so concurrent requests cannot undo each other's changes, and a
/// deleted session cannot be brought back by a request that was in flight.
#[derive(Clone)]
pub struct Sessions {
    store: Arc<dyn EphemeralStore>,
    config: SessionConfig,
}

fn account_index_key(account_id: &str) -> String {
    format!("account-sessions:{account_id}")
}

impl Sessions {
    pub fn new(store: Arc<dyn EphemeralStore>, config: SessionConfig) -> Self {
        Sessions { store, config }
    }

    pub fn config(&self) -> &SessionConfig {
        &self.config
    }

    /// The live session with this id, with `last_seen` brought up to date when due; `None`
    /// when missing or expired.
    pub async fn load(&self, id: &SessionId, now: i64) -> Result<Option<Loaded>> {
        let key = id.store_key();
        let Some(mut loaded) = self.read(&key).await? else {
            return Ok(None);
        };
        if loaded.session.liveness(now, &self.config) != Liveness::Live {
            self.store.delete(&key).await?;
            return Ok(None);
        }
        if now - loaded.session.last_seen >= TOUCH_INTERVAL {
            loaded.session.last_seen = now;
            match self.save(id, &loaded, now).await? {
                Ok(version) => loaded.version = version,
                // Written (or ended) meanwhile by another request: that write is the session.
                Err(Superseded) => return self.read(&key).await,
            }
        }
        Ok(Some(loaded))
    }

    async fn read(&self, key: &str) -> Result<Option<Loaded>> {
        let Some(record) = self.store.get_versioned(key).await? else {
            return Ok(None);
        };
        match serde_json::from_slice::<Session>(&record.value) {
            Ok(session) => Ok(Some(Loaded {
                session,
                version: record.version,
            })),
            Err(_) => {
                // Written by an incompatible version: treat as signed out rather than fail.
                self.store.delete(key).await?;
                Ok(None)
            }
        }
    }

    fn encode(session: &Session) -> Result<Vec<u8>> {
        serde_json::to_vec(session).map_err(|e| Error::Internal(e.to_string()))
    }

    /// Stores a new session under a new id.
    pub async fn create(&self, id: &SessionId, session: &Session, now: i64) -> Result<u64> {
        let bytes = Self::encode(session)?;
        self.store
            .put_if_version(
                &id.store_key(),
                None,
                &bytes,
                session.ttl(now, &self.config),
            )
            .await?
            // 256 random bits collide never; if they did, failing beats sharing a session.
            .ok_or_else(|| Error::Internal("a new session id was already in use".into()))
    }

    /// Writes the session back if no other request changed or ended it since `loaded` was read;
    /// returns its new version.
    pub async fn save(
        &self,
        id: &SessionId,
        loaded: &Loaded,
        now: i64,
    ) -> Result<Result<u64, Superseded>> {
        let bytes = Self::encode(&loaded.session)?;
        let written = self
            .store
            .put_if_version(
                &id.store_key(),
                Some(loaded.version),
                &bytes,
                loaded.session.ttl(now, &self.config),
            )
            .await?;
        Ok(written.ok_or(Superseded))
    }

    /// Moves the session to a new id and a new CSRF token (ASVS 7.2.4: after every credential,
    /// so an id planted before sign-in is worthless after it). The old id is deleted only if
    /// it is still as read; otherwise nothing changes and the caller's request is superseded.
    ///
    /// Signed-in sessions are listed under their account, so that all of them can be ended
    /// (password reset, account closed). Sessions pushed out of that list are ended and
    /// returned, for the caller to tell their services.
    pub async fn rotate(
        &self,
        old: Option<(&SessionId, u64)>,
        session: &mut Session,
        now: i64,
    ) -> Result<Result<(SessionId, u64, Vec<EndedSession>), Superseded>> {
        let id = SessionId::generate();
        session.csrf_token = random_token();
        session.last_seen = now;
        // The new id joins the account's list before the old one can go: whoever ends every
        // session of the account meanwhile finds one or the other (see `end_all_for_account`).
        let mut pushed_out = Vec::new();
        if let Some(auth) = &session.auth {
            pushed_out = self
                .store
                .index_add(
                    &account_index_key(&auth.account_id),
                    &id.store_key(),
                    self.config.max_age,
                    MAX_SESSIONS_PER_ACCOUNT,
                )
                .await?;
        }
        let version = self.create(&id, session, now).await?;
        if let Some((old, old_version)) = old
            && !self
                .store
                .delete_if_version(&old.store_key(), old_version)
                .await?
        {
            self.end(&id, session).await?;
            return Ok(Err(Superseded));
        }
        if let (Some(auth), Some((old, _))) = (&session.auth, old) {
            self.store
                .index_remove(&account_index_key(&auth.account_id), &old.store_key())
                .await?;
        }
        let mut ended = Vec::new();
        for key in pushed_out {
            if let Some(session) = self.end_by_key(&key).await? {
                ended.push(session);
            }
        }
        Ok(Ok((id, version, ended)))
    }

    /// Ends the session whatever its version: signing out always wins.
    pub async fn end(&self, id: &SessionId, session: &Session) -> Result<()> {
        self.store.delete(&id.store_key()).await?;
        if let Some(auth) = &session.auth {
            self.store
                .index_remove(&account_index_key(&auth.account_id), &id.store_key())
                .await?;
        }
        Ok(())
    }

    async fn end_by_key(&self, key: &str) -> Result<Option<EndedSession>> {
        let ended = self.read(key).await?.and_then(|loaded| {
            let auth = loaded.session.auth?;
            Some(EndedSession {
                auth,
                relying_parties: loaded.session.relying_parties,
            })
        });
        self.store.delete(key).await?;
        Ok(ended)
    }

    /// How many live sessions are signed in to `account_id` (for `one-login accounts show`).
    pub async fn count_for_account(&self, account_id: &str, now: i64) -> Result<usize> {
        let mut live = 0;
        for key in self
            .store
            .index_members(&account_index_key(account_id))
            .await?
        {
            if let Some(loaded) = self.read(&key).await?
                && loaded.session.liveness(now, &self.config) == Liveness::Live
                && loaded
                    .session
                    .auth
                    .is_some_and(|a| a.account_id == account_id)
            {
                live += 1;
            }
        }
        Ok(live)
    }

    /// Ends every session signed in to `account_id` but `keep`, and returns them. A session
    /// being rotated meanwhile is caught under its new id: the new id is listed before the old
    /// one is deleted, so passes repeat until the list shows nothing new.
    pub async fn end_all_for_account(
        &self,
        account_id: &str,
        keep: Option<&SessionId>,
    ) -> Result<Vec<EndedSession>> {
        let index = account_index_key(account_id);
        let keep = keep.map(SessionId::store_key);
        let mut seen = BTreeSet::new();
        let mut ended = Vec::new();
        loop {
            let members = self.store.index_members(&index).await?;
            let new: Vec<String> = members
                .into_iter()
                .filter(|m| Some(m) != keep.as_ref() && !seen.contains(m))
                .collect();
            if new.is_empty() {
                return Ok(ended);
            }
            for key in new {
                if let Some(loaded) = self.read(&key).await? {
                    match loaded.session.auth {
                        // Signed in to this account: end it, whatever it was doing.
                        Some(auth) if auth.account_id == account_id => {
                            self.store.delete(&key).await?;
                            ended.push(EndedSession {
                                auth,
                                relying_parties: loaded.session.relying_parties,
                            });
                        }
                        // Signed in to another account since: not ours to end.
                        _ => {}
                    }
                }
                self.store.index_remove(&index, &key).await?;
                seen.insert(key);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use one_login_store::ephemeral::MemoryStore;
    use one_login_store::error::Result as StoreResult;

    fn config() -> SessionConfig {
        SessionConfig {
            idle_timeout: Duration::from_secs(1800),
            max_age: Duration::from_secs(43_200),
            journey_idle_timeout: Duration::from_secs(900),
        }
    }

    #[test]
    fn a_code_changes_the_session_only_for_a_new_service_or_a_waiting_request() {
        let mut session = Session::new(1_000);
        assert!(session.changed_by_code_for("driving"));
        session.code_given_to("driving".into());
        assert!(!session.changed_by_code_for("driving"));
        assert!(session.changed_by_code_for("benefits"));
        // A proving journey just finished for the request: it is closed by the code.
        session.proving = Some(crate::identity::journey::ProvingJourney::new(
            "a1",
            "driving",
            identity_proofing::ConfidenceLevel::P2,
            1_000,
        ));
        assert!(session.changed_by_code_for("driving"));
        session.code_given_to("driving".into());
        assert_eq!(session.proving, None);
        assert!(!session.changed_by_code_for("driving"));
    }

    // Issue 12.2: abandoned journeys leave the store sooner than signed-in sessions.
    #[test]
    fn a_journey_is_kept_shorter_than_a_signed_in_session() {
        let mut session = Session::new(1_000);
        assert_eq!(session.ttl(1_000, &config()), Duration::from_secs(900));
        session.auth = Some(Authentication {
            account_id: "a1".into(),
            email: "a@example.com".into(),
            level: CredentialLevel::ClCm,
            auth_time: 1_000,
            auth_time_ms: None,
            amr: vec!["pwd".into(), "otp".into()],
            sid: "s".into(),
        });
        assert_eq!(session.ttl(1_000, &config()), Duration::from_secs(1800));
        // Never past the session's absolute limit.
        assert_eq!(
            session.ttl(1_000 + 43_100, &config()),
            Duration::from_secs(100)
        );
    }

    #[test]
    fn signing_in_again_keeps_the_login_another_citizen_ends_it() {
        let mut session = Session::new(0);
        assert!(
            session
                .sign_in("ada", "ada@example.com", CredentialLevel::Cl, (1, 1_000))
                .is_none()
        );
        let sid = session.auth.as_ref().map(|a| a.sid.clone());
        session.relying_parties.insert("rp".into());
        let again = session.sign_in("ada", "ada@example.com", CredentialLevel::ClCm, (2, 2_000));
        assert!(again.is_none());
        let auth = session.auth.clone().unwrap_or_else(|| panic!("signed in"));
        assert_eq!(Some(auth.sid.clone()), sid);
        assert_eq!(auth.amr, ["pwd", "otp"]);
        assert_eq!((auth.auth_time, auth.auth_time_ms), (2, Some(2_000)));
        let ended = session.sign_in("bob", "bob@example.com", CredentialLevel::Cl, (3, 3_000));
        let ended = ended.unwrap_or_else(|| panic!("ada's login ends"));
        assert_eq!(ended.auth.account_id, "ada");
        assert!(ended.relying_parties.contains("rp"));
        assert!(session.relying_parties.is_empty());
        assert_ne!(session.auth.map(|a| a.sid), sid);
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

    fn signed_in(account: &str, now: i64) -> Session {
        let mut session = Session::new(now);
        session.auth = Some(Authentication {
            account_id: account.into(),
            email: format!("{account}@example.com"),
            level: CredentialLevel::ClCm,
            auth_time: now,
            auth_time_ms: Some(now * 1000),
            amr: vec!["pwd".into(), "otp".into()],
            sid: random_token(),
        });
        session.relying_parties.insert("rp".into());
        session
    }

    fn sessions() -> Sessions {
        Sessions::new(Arc::new(MemoryStore::new(1 << 20)), config())
    }

    // Replicas of the previous version find a session, and an account's list of them, under
    // the same keys, as the same JSON.
    #[tokio::test]
    async fn sessions_are_kept_under_the_keys_replicas_share() {
        let store = Arc::new(MemoryStore::new(1 << 20));
        let sessions = Sessions::new(store.clone(), config());
        let id = SessionId::parse(&"a".repeat(43)).unwrap();
        let key = "session:ZtNPunH49FD35FWYhT5Tv8I7vRKQJ8uxMaL0_9eHjNA";
        let mut session = Session::new(1_000);
        sessions.create(&id, &session, 1_000).await.unwrap();
        let stored = store.get_versioned(key).await.unwrap().unwrap();
        assert_eq!(stored.value, serde_json::to_vec(&session).unwrap());
        session.auth = signed_in("a1", 1_000).auth;
        let (new_id, _, _) = sessions
            .rotate(Some((&id, stored.version)), &mut session, 1_000)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(store.get_versioned(key).await.unwrap(), None);
        assert_eq!(
            store.index_members("account-sessions:a1").await.unwrap(),
            vec![new_id.store_key()]
        );
        assert!(
            store
                .get_versioned(&new_id.store_key())
                .await
                .unwrap()
                .is_some()
        );
    }

    #[tokio::test]
    async fn create_load_rotate_end() {
        let sessions = sessions();
        let id = SessionId::generate();
        let mut session = Session::new(1_000);
        let version = sessions.create(&id, &session, 1_000).await.unwrap();
        let loaded = sessions.load(&id, 1_010).await.unwrap().unwrap();
        assert_eq!(
            (loaded.session.clone(), loaded.version),
            (session.clone(), version)
        );
        // Idle too long: gone, and deleted.
        assert_eq!(sessions.load(&id, 1_000 + 1_800).await.unwrap(), None);

        let version = sessions.create(&id, &session, 1_000).await.unwrap();
        let old_csrf = session.csrf_token.clone();
        let (new_id, _, ended) = sessions
            .rotate(Some((&id, version)), &mut session, 1_020)
            .await
            .unwrap()
            .unwrap();
        assert!(ended.is_empty());
        assert_ne!(new_id, id);
        assert_ne!(session.csrf_token, old_csrf);
        assert_eq!(sessions.load(&id, 1_020).await.unwrap(), None);
        assert!(sessions.load(&new_id, 1_020).await.unwrap().is_some());
        sessions.end(&new_id, &session).await.unwrap();
        assert_eq!(sessions.load(&new_id, 1_020).await.unwrap(), None);
    }

    // Issue 11.3: two requests read the session; the second to write loses, and a write from a
    // request in flight since a sign-out cannot bring the session back.
    #[tokio::test]
    async fn a_stale_write_is_superseded_and_an_ended_session_stays_ended() {
        let sessions = sessions();
        let id = SessionId::generate();
        let version = sessions.create(&id, &Session::new(0), 0).await.unwrap();
        let first = sessions.load(&id, 10).await.unwrap().unwrap();
        let mut second = first.clone();
        let mut changed = first.clone();
        changed.session.journey = Journey::AddAuthenticator {
            totp_secret: "a".into(),
        };
        assert_eq!(first.version, version);
        sessions.save(&id, &changed, 10).await.unwrap().unwrap();
        second.session.journey = Journey::AddAuthenticator {
            totp_secret: "b".into(),
        };
        assert_eq!(
            sessions.save(&id, &second, 10).await.unwrap(),
            Err(Superseded)
        );
        let now = sessions.load(&id, 10).await.unwrap().unwrap();
        assert_eq!(now.session.journey, changed.session.journey);

        sessions.end(&id, &now.session).await.unwrap();
        assert_eq!(sessions.save(&id, &now, 10).await.unwrap(), Err(Superseded));
        assert_eq!(sessions.load(&id, 10).await.unwrap(), None);
    }

    // Issue 11.3: the "last seen" refresh of a request that read the session before it was
    // ended does not bring it back.
    #[tokio::test]
    async fn the_last_seen_refresh_cannot_resurrect_an_ended_session() {
        let sessions = sessions();
        let id = SessionId::generate();
        let session = Session::new(0);
        let version = sessions.create(&id, &session, 0).await.unwrap();
        let stale = Loaded {
            session: session.clone(),
            version,
        };
        sessions.end(&id, &session).await.unwrap();
        let mut touched = stale.clone();
        touched.session.last_seen = TOUCH_INTERVAL + 1;
        assert_eq!(
            sessions
                .save(&id, &touched, TOUCH_INTERVAL + 1)
                .await
                .unwrap(),
            Err(Superseded)
        );
        assert_eq!(sessions.load(&id, TOUCH_INTERVAL + 1).await.unwrap(), None);
    }

    #[tokio::test]
    async fn a_rotation_racing_a_change_of_the_old_session_does_nothing() {
        let sessions = sessions();
        let id = SessionId::generate();
        let mut session = signed_in("a", 0);
        let version = sessions.create(&id, &session, 0).await.unwrap();
        let mut other = sessions.load(&id, 0).await.unwrap().unwrap();
        other.session.relying_parties.insert("another".into());
        sessions.save(&id, &other, 0).await.unwrap().unwrap();
        assert_eq!(
            sessions
                .rotate(Some((&id, version)), &mut session, 0)
                .await
                .unwrap(),
            Err(Superseded)
        );
        assert!(
            sessions
                .store
                .index_members(&account_index_key("a"))
                .await
                .unwrap()
                .is_empty()
        );
        assert!(
            sessions.load(&id, 0).await.unwrap().is_some(),
            "the winner's write stands"
        );
    }

    #[tokio::test]
    async fn every_session_of_an_account_can_be_ended_but_one() {
        let sessions = sessions();
        let mut ids = Vec::new();
        for _ in 0..3 {
            let mut session = signed_in("ada", 0);
            let (id, _, _) = sessions
                .rotate(None, &mut session, 0)
                .await
                .unwrap()
                .unwrap();
            ids.push(id);
        }
        let mut bob = signed_in("bob", 0);
        let (bob_id, _, _) = sessions.rotate(None, &mut bob, 0).await.unwrap().unwrap();
        let ended = sessions
            .end_all_for_account("ada", Some(&ids[0]))
            .await
            .unwrap();
        assert_eq!(ended.len(), 2);
        assert!(
            ended
                .iter()
                .all(|e| e.auth.account_id == "ada" && e.relying_parties.contains("rp"))
        );
        assert!(sessions.load(&ids[0], 0).await.unwrap().is_some(), "kept");
        assert!(sessions.load(&ids[1], 0).await.unwrap().is_none());
        assert!(sessions.load(&ids[2], 0).await.unwrap().is_none());
        assert!(
            sessions.load(&bob_id, 0).await.unwrap().is_some(),
            "another account's"
        );
    }

    /// A store that lets a sign-in (a rotation of `session` at `id`) happen just after the
    /// first read of an account's session list: the race `end_all_for_account` must win.
    struct RotatesDuringListRead {
        inner: Arc<MemoryStore>,
        pending: std::sync::Mutex<Option<(SessionId, u64, Session)>>,
        rotated_to: std::sync::Mutex<Option<SessionId>>,
    }

    #[async_trait::async_trait]
    impl EphemeralStore for RotatesDuringListRead {
        async fn put(&self, k: &str, v: &[u8], t: Duration) -> StoreResult<()> {
            self.inner.put(k, v, t).await
        }
        async fn put_new(&self, k: &str, v: &[u8], t: Duration) -> StoreResult<bool> {
            self.inner.put_new(k, v, t).await
        }
        async fn get(&self, k: &str) -> StoreResult<Option<Vec<u8>>> {
            self.inner.get(k).await
        }
        async fn swap(&self, k: &str, v: &[u8]) -> StoreResult<Option<Vec<u8>>> {
            self.inner.swap(k, v).await
        }
        async fn increment(&self, k: &str, t: Duration) -> StoreResult<u64> {
            self.inner.increment(k, t).await
        }
        async fn delete(&self, k: &str) -> StoreResult<()> {
            self.inner.delete(k).await
        }
        async fn get_many(&self, k: &[&str]) -> StoreResult<Vec<Option<Vec<u8>>>> {
            self.inner.get_many(k).await
        }
        async fn get_versioned(
            &self,
            k: &str,
        ) -> StoreResult<Option<one_login_store::ephemeral::Versioned>> {
            self.inner.get_versioned(k).await
        }
        async fn put_if_version(
            &self,
            k: &str,
            e: Option<u64>,
            v: &[u8],
            t: Duration,
        ) -> StoreResult<Option<u64>> {
            self.inner.put_if_version(k, e, v, t).await
        }
        async fn delete_if_version(&self, k: &str, e: u64) -> StoreResult<bool> {
            self.inner.delete_if_version(k, e).await
        }
        async fn index_add(
            &self,
            k: &str,
            m: &str,
            t: Duration,
            c: usize,
        ) -> StoreResult<Vec<String>> {
            self.inner.index_add(k, m, t, c).await
        }
        async fn index_members(&self, k: &str) -> StoreResult<Vec<String>> {
            let snapshot = self.inner.index_members(k).await?;
            let pending = self.pending.lock().unwrap().take();
            if let Some((id, version, mut session)) = pending {
                let sessions = Sessions::new(self.inner.clone(), config());
                let (new, _, _) = sessions
                    .rotate(Some((&id, version)), &mut session, 1)
                    .await
                    .unwrap()
                    .unwrap();
                *self.rotated_to.lock().unwrap() = Some(new);
            }
            Ok(snapshot)
        }
        async fn index_remove(&self, k: &str, m: &str) -> StoreResult<()> {
            self.inner.index_remove(k, m).await
        }
        async fn ping(&self) -> StoreResult<()> {
            Ok(())
        }
        fn describe(&self) -> &'static str {
            "memory"
        }
    }

    // Issue 10/11.3: a session signed in again (a new id) while every session of its account
    // is being ended is caught under its new id.
    #[tokio::test]
    async fn ending_an_accounts_sessions_catches_one_rotated_meanwhile() {
        let inner = Arc::new(MemoryStore::new(1 << 20));
        let mut session = signed_in("ada", 0);
        let (id, version, _) = Sessions::new(inner.clone(), config())
            .rotate(None, &mut session, 0)
            .await
            .unwrap()
            .unwrap();
        let store = Arc::new(RotatesDuringListRead {
            inner: inner.clone(),
            pending: std::sync::Mutex::new(Some((id.clone(), version, session))),
            rotated_to: std::sync::Mutex::new(None),
        });
        let sessions = Sessions::new(store.clone(), config());
        let ended = sessions.end_all_for_account("ada", None).await.unwrap();
        let rotated_to = store.rotated_to.lock().unwrap().clone().unwrap();
        assert_eq!(ended.len(), 1);
        assert!(sessions.load(&id, 1).await.unwrap().is_none());
        assert!(
            sessions.load(&rotated_to, 1).await.unwrap().is_none(),
            "the new id is ended too"
        );
    }

    #[tokio::test]
    async fn signing_in_once_too_often_ends_the_oldest_session() {
        let sessions = sessions();
        let mut first = None;
        for i in 0..MAX_SESSIONS_PER_ACCOUNT {
            let mut session = signed_in("ada", 0);
            let (id, _, ended) = sessions
                .rotate(None, &mut session, 0)
                .await
                .unwrap()
                .unwrap();
            assert!(ended.is_empty());
            if i == 0 {
                first = Some(id);
            }
        }
        let mut session = signed_in("ada", 0);
        let (_, _, ended) = sessions
            .rotate(None, &mut session, 0)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            ended.len(),
            1,
            "ended, not forgotten: its services are told"
        );
        assert!(sessions.load(&first.unwrap(), 0).await.unwrap().is_none());
    }
}
