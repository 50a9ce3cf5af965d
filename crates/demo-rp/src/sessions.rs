//! The department's sessions, in this process's memory: a demo relying party, one replica, lost
//! on restart (a real service would keep them in a shared store). The browser holds only a
//! random id in an HttpOnly, SameSite=Lax cookie.

use std::collections::HashMap;
use std::sync::Mutex;

use base64::Engine;
use rand::RngCore;

use crate::identity::{CoreIdentity, DrivingPermit, PostalAddress};
use crate::oidc::IdToken;

/// A session ends after this long without a request.
pub const IDLE_SECONDS: i64 = 30 * 60;

/// 256 random bits, base64url.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// Why the department sent the citizen to the provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    SignIn,
    /// The later step that asks for identity (step-up).
    IdentityCheck,
}

/// An authorization request on its way: what the callback must match.
#[derive(Debug, Clone)]
pub struct Pending {
    pub purpose: Purpose,
    pub state: String,
    pub nonce: String,
    pub pkce_verifier: String,
    pub sent_at: i64,
}

/// What one answer from the provider told about the citizen.
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub sub: String,
    pub sid: Option<String>,
    /// Kept as the `id_token_hint` for logout.
    pub id_token: IdToken,
    pub auth_time: Option<i64>,
    /// The credential level the provider reports (`Cl.Cm`).
    pub vot: Option<String>,
    pub email: Option<String>,
    pub identity: Option<CoreIdentity>,
    pub address: Option<PostalAddress>,
    pub driving_permit: Option<DrivingPermit>,
    pub refresh_token: Option<String>,
    pub signed_in_at: i64,
    /// Set after the identity step: how it went.
    pub identity_check: Option<IdentityCheck>,
    /// When the details were last refreshed with the refresh token.
    pub refreshed_at: Option<i64>,
}

/// How the step-up went, for the citizen to see that nothing was asked again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdentityCheck {
    /// Seconds between leaving for the provider and coming back.
    pub seconds_away: i64,
    /// The sign-in time is the one from before the step: no new sign-in was needed.
    pub same_sign_in: bool,
}

#[derive(Debug, Clone)]
pub struct Session {
    pub csrf: String,
    pub pending: Option<Pending>,
    pub user: Option<SignedIn>,
    touched: i64,
}

#[derive(Default)]
pub struct Sessions {
    map: Mutex<HashMap<String, Session>>,
}

impl Sessions {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Session>> {
        // A panic elsewhere while holding the lock leaves the map usable.
        self.map.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The live session `id` names, touched.
    pub fn get(&self, id: &str, now: i64) -> Option<Session> {
        let mut map = self.lock();
        let session = map.get_mut(id)?;
        if session.touched + IDLE_SECONDS <= now {
            map.remove(id);
            return None;
        }
        session.touched = now;
        Some(session.clone())
    }

    /// A new, empty session and its id.
    pub fn create(&self, now: i64) -> (String, Session) {
        let mut map = self.lock();
        map.retain(|_, s| s.touched + IDLE_SECONDS > now);
        let id = random_token();
        let session = Session {
            csrf: random_token(),
            pending: None,
            user: None,
            touched: now,
        };
        map.insert(id.clone(), session.clone());
        (id, session)
    }

    pub fn save(&self, id: &str, session: Session) {
        self.lock().insert(id.to_owned(), session);
    }

    /// Ends one session. A sign-in gets a new id too (session fixation), through `rotate`.
    pub fn remove(&self, id: &str) {
        self.lock().remove(id);
    }

    /// Moves the session to a new id and returns it.
    pub fn rotate(&self, old: &str, session: Session) -> String {
        let mut map = self.lock();
        map.remove(old);
        let id = random_token();
        map.insert(id.clone(), session);
        id
    }

    /// Ends every session signed in with provider session `sid`, or for `sub` when no `sid`
    /// is given (Back-Channel Logout §2.7). Returns how many ended.
    pub fn end_matching(&self, sub: Option<&str>, sid: Option<&str>) -> usize {
        let mut map = self.lock();
        let before = map.len();
        map.retain(|_, session| {
            let Some(user) = &session.user else {
                return true;
            };
            let matches = match (sid, sub) {
                (Some(sid), Some(sub)) => user.sid.as_deref() == Some(sid) && user.sub == sub,
                (Some(sid), None) => user.sid.as_deref() == Some(sid),
                (None, Some(sub)) => user.sub == sub,
                (None, None) => false,
            };
            !matches
        });
        before - map.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sessions_expire_when_idle_and_ids_are_random() {
        let sessions = Sessions::default();
        let (id, _) = sessions.create(1_000);
        assert!(sessions.get(&id, 1_000 + IDLE_SECONDS - 1).is_some());
        // Touched at the last read, so the idle time runs from there.
        assert!(sessions.get(&id, 1_000 + 2 * IDLE_SECONDS - 2).is_some());
        assert!(sessions.get(&id, 1_000 + 4 * IDLE_SECONDS).is_none());
        let (a, _) = sessions.create(1_000);
        let (b, _) = sessions.create(1_000);
        assert_ne!(a, b);
        assert_eq!(a.len(), 43);
    }

    #[test]
    fn rotate_moves_the_session() {
        let sessions = Sessions::default();
        let (id, session) = sessions.create(1_000);
        let new = sessions.rotate(&id, session.clone());
        assert!(sessions.get(&id, 1_000).is_none());
        assert_eq!(sessions.get(&new, 1_000).unwrap().csrf, session.csrf);
    }
}
