use std::time::Duration;

use async_trait::async_trait;
use redis::AsyncCommands;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};

use super::EphemeralStore;
use crate::error::{Error, Result};

/// Redis: shared by every provider replica. One round trip per operation; `GETDEL` and
/// `SET NX` make take-once and first-wins atomic across replicas.
#[derive(Clone)]
pub struct RedisStore {
    connection: ConnectionManager,
    prefix: String,
    increment: redis::Script,
}

/// How long one command may take before the store counts as down.
const COMMAND_TIMEOUT: Duration = Duration::from_secs(2);

impl RedisStore {
    /// Connects now, so a wrong URL or a dead server stops start-up with a clear message.
    pub async fn connect(url: &str, prefix: &str) -> Result<Self> {
        Self::connect_with_ca(url, prefix, None).await
    }

    /// [`Self::connect`], trusting `ca_pem` (PEM) for a `rediss://` server's certificate
    /// instead of the system's roots (checklist 47).
    pub async fn connect_with_ca(url: &str, prefix: &str, ca_pem: Option<Vec<u8>>) -> Result<Self> {
        let client = match ca_pem {
            Some(root_cert) => redis::Client::build_with_tls(
                url,
                redis::TlsCertificates {
                    client_tls: None,
                    root_cert: Some(root_cert),
                },
            ),
            None => redis::Client::open(url),
        }
        .map_err(|e| Error::config("ephemeral.url", e.to_string()))?;
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(COMMAND_TIMEOUT))
            .set_response_timeout(Some(COMMAND_TIMEOUT))
            .set_number_of_retries(2);
        let connection = tokio::time::timeout(
            COMMAND_TIMEOUT * 2,
            ConnectionManager::new_with_config(client, config),
        )
        .await
        .map_err(|_| Error::ephemeral(format!("no answer from Redis at {}", redact(url))))?
        .map_err(|e| {
            Error::ephemeral(format!("cannot connect to Redis at {}: {e}", redact(url)))
        })?;
        // A server that wants a password and got none (or the wrong one) accepts the
        // connection and refuses every command: find out now (checklist 47).
        let mut probe = connection.clone();
        timed(async move { redis::cmd("PING").query_async::<String>(&mut probe).await })
            .await
            .map_err(|e| Error::ephemeral(format!("Redis at {} refused: {e}", redact(url))))?;
        Ok(RedisStore {
            connection,
            prefix: prefix.to_owned(),
            // INCR then set the expiry only on creation, in one atomic step.
            increment: redis::Script::new(
                "local n = redis.call('INCR', KEYS[1]) \
                 if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end \
                 return n",
            ),
        })
    }

    fn key(&self, key: &str) -> String {
        format!("{}{key}", self.prefix)
    }

    fn conn(&self) -> ConnectionManager {
        self.connection.clone()
    }
}

fn millis(ttl: Duration) -> u64 {
    u64::try_from(ttl.as_millis()).unwrap_or(u64::MAX).max(1)
}

/// The URL without its password, for messages.
fn redact(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) => {
            if parsed.password().is_some() {
                let _ = parsed.set_password(Some("***"));
            }
            parsed.to_string()
        }
        Err(_) => "(unparseable URL)".to_owned(),
    }
}

async fn timed<T>(fut: impl Future<Output = redis::RedisResult<T>>) -> Result<T> {
    match tokio::time::timeout(COMMAND_TIMEOUT, fut).await {
        Ok(result) => result.map_err(Error::ephemeral),
        Err(_) => Err(Error::ephemeral("Redis did not answer in time")),
    }
}

#[async_trait]
impl EphemeralStore for RedisStore {
    async fn put(&self, key: &str, value: &[u8], ttl: Duration) -> Result<()> {
        let mut conn = self.conn();
        let key = self.key(key);
        timed(async move { conn.pset_ex::<_, _, ()>(key, value, millis(ttl)).await }).await
    }

    async fn put_new(&self, key: &str, value: &[u8], ttl: Duration) -> Result<bool> {
        let mut conn = self.conn();
        let key = self.key(key);
        let stored: Option<String> = timed(async move {
            redis::cmd("SET")
                .arg(key)
                .arg(value)
                .arg("NX")
                .arg("PX")
                .arg(millis(ttl))
                .query_async(&mut conn)
                .await
        })
        .await?;
        Ok(stored.is_some())
    }

    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>> {
        let mut conn = self.conn();
        let key = self.key(key);
        timed(async move { conn.get(key).await }).await
    }

    async fn take(&self, key: &str) -> Result<Option<Vec<u8>>> {
        let mut conn = self.conn();
        let key = self.key(key);
        timed(async move { conn.get_del(key).await }).await
    }

    async fn increment(&self, key: &str, ttl: Duration) -> Result<u64> {
        let mut conn = self.conn();
        let key = self.key(key);
        let script = self.increment.clone();
        timed(async move {
            script
                .key(key)
                .arg(millis(ttl))
                .invoke_async(&mut conn)
                .await
        })
        .await
    }

    async fn delete(&self, key: &str) -> Result<()> {
        let mut conn = self.conn();
        let key = self.key(key);
        timed(async move { conn.del::<_, ()>(key).await }).await
    }

    async fn ping(&self) -> Result<()> {
        let mut conn = self.conn();
        timed(async move { redis::cmd("PING").query_async::<String>(&mut conn).await })
            .await
            .map(drop)
    }

    fn describe(&self) -> &'static str {
        "redis"
    }
}
