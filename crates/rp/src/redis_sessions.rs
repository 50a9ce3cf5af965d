//! Sessions in Redis (feature `redis`), so every replica of a service sees them: one JSON value
//! per session, expiring [`IDLE_SECONDS`] after its last use, and two index sets (by provider
//! session `sid` and by citizen `sub`) so a back-channel logout finds the sessions it ends.

use async_trait::async_trait;
use redis::aio::ConnectionManager;

use crate::error::{Error, Result};
use crate::sessions::{IDLE_SECONDS, Session, SessionStore};

fn store_error(e: impl std::fmt::Display) -> Error {
    Error::Sessions(e.to_string())
}

/// Sessions in Redis under keys that start with a prefix of the service's choosing.
#[derive(Clone)]
pub struct RedisSessions {
    conn: ConnectionManager,
    prefix: String,
}

impl RedisSessions {
    /// Connects to `url` (`redis://` or `rediss://` for TLS); keys start with `prefix`.
    pub async fn connect(url: &str, prefix: &str) -> Result<RedisSessions> {
        let client = redis::Client::open(url).map_err(store_error)?;
        let conn = ConnectionManager::new(client).await.map_err(store_error)?;
        Ok(RedisSessions {
            conn,
            prefix: prefix.to_owned(),
        })
    }

    fn session_key(&self, id: &str) -> String {
        format!("{}session:{id}", self.prefix)
    }

    fn sid_key(&self, sid: &str) -> String {
        format!("{}sid:{sid}", self.prefix)
    }

    fn sub_key(&self, sub: &str) -> String {
        format!("{}sub:{sub}", self.prefix)
    }

    async fn read(&self, id: &str) -> Result<Option<Session>> {
        let text: Option<String> = redis::cmd("GET")
            .arg(self.session_key(id))
            .query_async(&mut self.conn.clone())
            .await
            .map_err(store_error)?;
        text.map(|t| serde_json::from_str(&t).map_err(store_error))
            .transpose()
    }
}

#[async_trait]
impl SessionStore for RedisSessions {
    async fn get(&self, id: &str, now: i64) -> Result<Option<Session>> {
        let Some(mut session) = self.read(id).await? else {
            return Ok(None);
        };
        // Reading is activity: the idle time runs again from now.
        redis::cmd("EXPIRE")
            .arg(self.session_key(id))
            .arg(IDLE_SECONDS)
            .query_async::<()>(&mut self.conn.clone())
            .await
            .map_err(store_error)?;
        session.touched = now;
        Ok(Some(session))
    }

    async fn put(&self, id: &str, session: &Session, now: i64) -> Result<()> {
        let mut session = session.clone();
        session.touched = now;
        let text = serde_json::to_string(&session).map_err(store_error)?;
        let mut pipe = redis::pipe();
        pipe.atomic()
            .cmd("SET")
            .arg(self.session_key(id))
            .arg(text)
            .arg("EX")
            .arg(IDLE_SECONDS)
            .ignore();
        if let Some(user) = &session.user {
            let mut indexes = vec![self.sub_key(&user.sub)];
            indexes.extend(user.sid.as_deref().map(|sid| self.sid_key(sid)));
            for index in indexes {
                pipe.cmd("SADD").arg(&index).arg(id).ignore();
                pipe.cmd("EXPIRE").arg(&index).arg(IDLE_SECONDS).ignore();
            }
        }
        pipe.query_async::<()>(&mut self.conn.clone())
            .await
            .map_err(store_error)
    }

    async fn remove(&self, id: &str) -> Result<()> {
        redis::cmd("DEL")
            .arg(self.session_key(id))
            .query_async::<()>(&mut self.conn.clone())
            .await
            .map_err(store_error)
    }

    async fn end_matching(&self, sub: Option<&str>, sid: Option<&str>) -> Result<usize> {
        let index = match (sid, sub) {
            (Some(sid), _) => self.sid_key(sid),
            (None, Some(sub)) => self.sub_key(sub),
            (None, None) => return Ok(0),
        };
        let ids: Vec<String> = redis::cmd("SMEMBERS")
            .arg(&index)
            .query_async(&mut self.conn.clone())
            .await
            .map_err(store_error)?;
        let mut ended = 0;
        for id in ids {
            let ends = self
                .read(&id)
                .await?
                .is_some_and(|session| session.ended_by(sub, sid));
            if ends {
                self.remove(&id).await?;
                ended += 1;
            }
        }
        Ok(ended)
    }
}
