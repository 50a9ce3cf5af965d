use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use redis::AsyncCommands;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};

use super::{EphemeralStore, Versioned};
use crate::error::{Error, Result};

/// Redis: shared by every provider replica. One round trip per operation; `GETDEL` and
/// `SET NX` make take-once and first-wins atomic across replicas.
#[derive(Clone)]
pub struct RedisStore {
    connection: ConnectionManager,
    prefix: String,
    scripts: Arc<Scripts>,
}

/// The operations Redis has no single command for, each one atomic as a script.
struct Scripts {
    /// INCR, and set the expiry only on creation.
    increment: redis::Script,
    put_if_version: redis::Script,
    delete_if_version: redis::Script,
    index_add: redis::Script,
    index_members: redis::Script,
}

impl Scripts {
    fn new() -> Self {
        // Versioned records are hashes {v: version, d: value}. Index members are a sorted set
        // scored by the millisecond (Redis's own clock) at which each is forgotten, nudged one
        // past the newest so that members added in one millisecond keep their order.
        Scripts {
            increment: redis::Script::new(
                "local n = redis.call('INCR', KEYS[1]) \
                 if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end \
                 return n",
            ),
            put_if_version: redis::Script::new(
                "local cur = redis.call('HGET', KEYS[1], 'v') \
                 if ARGV[1] == '' then \
                   if cur then return false end \
                 elseif cur ~= ARGV[1] then return false end \
                 local nxt = (tonumber(cur) or 0) + 1 \
                 redis.call('HSET', KEYS[1], 'v', nxt, 'd', ARGV[2]) \
                 redis.call('PEXPIRE', KEYS[1], ARGV[3]) \
                 return nxt",
            ),
            delete_if_version: redis::Script::new(
                "if redis.call('HGET', KEYS[1], 'v') == ARGV[1] then \
                   return redis.call('DEL', KEYS[1]) end \
                 return 0",
            ),
            index_add: redis::Script::new(
                "local t = redis.call('TIME') \
                 local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) \
                 redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now) \
                 local score = now + tonumber(ARGV[2]) \
                 local top = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES') \
                 if top[2] and tonumber(top[2]) >= score then score = tonumber(top[2]) + 1 end \
                 redis.call('ZADD', KEYS[1], score, ARGV[1]) \
                 local excess = redis.call('ZCARD', KEYS[1]) - tonumber(ARGV[3]) \
                 local out = {} \
                 if excess > 0 then \
                   out = redis.call('ZRANGE', KEYS[1], 0, excess - 1) \
                   redis.call('ZREMRANGEBYRANK', KEYS[1], 0, excess - 1) \
                 end \
                 local last = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES') \
                 redis.call('PEXPIREAT', KEYS[1], last[2]) \
                 return out",
            ),
            index_members: redis::Script::new(
                "local t = redis.call('TIME') \
                 local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) \
                 return redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. now, '+inf')",
            ),
        }
    }
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
        refuse_evicting_server(&mut connection.clone()).await?;
        Ok(RedisStore {
            connection,
            prefix: prefix.to_owned(),
            scripts: Arc::new(Scripts::new()),
        })
    }

    fn key(&self, key: &str) -> String {
        format!("{}{key}", self.prefix)
    }

    fn conn(&self) -> ConnectionManager {
        self.connection.clone()
    }
}

/// Checklist 82 (ASVS 16.5.3): replay marks, used codes and sessions must not be dropped to
/// make room, or a replayed code would pass. A Redis with a memory limit must answer writes with
/// an error when full (`noeviction`), which the provider turns into 503: it fails closed.
async fn refuse_evicting_server(connection: &mut ConnectionManager) -> Result<()> {
    let answer: redis::RedisResult<Vec<String>> = redis::cmd("CONFIG")
        .arg("GET")
        .arg("maxmemory*")
        .query_async(connection)
        .await;
    let Ok(pairs) = answer else {
        // Managed services often disable CONFIG; their eviction policy is theirs to state.
        tracing::warn!(
            "cannot read Redis's maxmemory-policy (CONFIG is disabled): make sure it is noeviction"
        );
        return Ok(());
    };
    let setting = |name: &str| {
        pairs
            .chunks(2)
            .find(|pair| pair.first().is_some_and(|n| n == name))
            .and_then(|pair| pair.get(1).cloned())
            .unwrap_or_default()
    };
    let limited = setting("maxmemory").parse::<u64>().unwrap_or(0) > 0;
    let policy = setting("maxmemory-policy");
    if limited && policy != "noeviction" {
        return Err(Error::config(
            "ephemeral.url",
            format!(
                "Redis evicts keys when full (maxmemory-policy {policy}): sessions and replay \
                 marks could be forgotten. Set maxmemory-policy noeviction"
            ),
        ));
    }
    Ok(())
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

    async fn swap(&self, key: &str, value: &[u8]) -> Result<Option<Vec<u8>>> {
        let mut conn = self.conn();
        let key = self.key(key);
        let value = value.to_vec();
        // SET ... XX KEEPTTL GET (Redis 6.2): only an existing key, its expiry kept, the old
        // value returned, in one atomic command.
        timed(async move {
            redis::cmd("SET")
                .arg(key)
                .arg(value)
                .arg("XX")
                .arg("KEEPTTL")
                .arg("GET")
                .query_async(&mut conn)
                .await
        })
        .await
    }

    async fn increment(&self, key: &str, ttl: Duration) -> Result<u64> {
        let mut conn = self.conn();
        let key = self.key(key);
        let script = &self.scripts.increment;
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

    async fn get_many(&self, keys: &[&str]) -> Result<Vec<Option<Vec<u8>>>> {
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        let mut conn = self.conn();
        let keys: Vec<String> = keys.iter().map(|k| self.key(k)).collect();
        timed(async move { redis::cmd("MGET").arg(keys).query_async(&mut conn).await }).await
    }

    async fn get_versioned(&self, key: &str) -> Result<Option<Versioned>> {
        let mut conn = self.conn();
        let key = self.key(key);
        let (version, value): (Option<u64>, Option<Vec<u8>>) = timed(async move {
            redis::cmd("HMGET")
                .arg(key)
                .arg("v")
                .arg("d")
                .query_async(&mut conn)
                .await
        })
        .await?;
        Ok(match (version, value) {
            (Some(version), Some(value)) => Some(Versioned { version, value }),
            _ => None,
        })
    }

    async fn put_if_version(
        &self,
        key: &str,
        expected: Option<u64>,
        value: &[u8],
        ttl: Duration,
    ) -> Result<Option<u64>> {
        let mut conn = self.conn();
        let key = self.key(key);
        let script = &self.scripts.put_if_version;
        let expected = expected.map(|v| v.to_string()).unwrap_or_default();
        timed(async move {
            script
                .key(key)
                .arg(expected)
                .arg(value)
                .arg(millis(ttl))
                .invoke_async(&mut conn)
                .await
        })
        .await
    }

    async fn delete_if_version(&self, key: &str, expected: u64) -> Result<bool> {
        let mut conn = self.conn();
        let key = self.key(key);
        let script = &self.scripts.delete_if_version;
        let deleted: u64 =
            timed(async move { script.key(key).arg(expected).invoke_async(&mut conn).await })
                .await?;
        Ok(deleted == 1)
    }

    async fn index_add(
        &self,
        key: &str,
        member: &str,
        ttl: Duration,
        capacity: usize,
    ) -> Result<Vec<String>> {
        let mut conn = self.conn();
        let key = self.key(key);
        let script = &self.scripts.index_add;
        timed(async move {
            script
                .key(key)
                .arg(member)
                .arg(millis(ttl))
                .arg(capacity.max(1))
                .invoke_async(&mut conn)
                .await
        })
        .await
    }

    async fn index_members(&self, key: &str) -> Result<Vec<String>> {
        let mut conn = self.conn();
        let key = self.key(key);
        let script = &self.scripts.index_members;
        timed(async move { script.key(key).invoke_async(&mut conn).await }).await
    }

    async fn index_remove(&self, key: &str, member: &str) -> Result<()> {
        let mut conn = self.conn();
        let key = self.key(key);
        timed(async move { conn.zrem::<_, _, ()>(key, member).await }).await
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
