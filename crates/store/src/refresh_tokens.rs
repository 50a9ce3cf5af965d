use sqlx::{Any, AnyConnection, AnyPool, Connection, Executor, Row};
use tokio::sync::{Mutex, MutexGuard};

use super::error::{Error, Result};

pub struct StoredRefreshToken {
    pub grant_id: String,
    pub client_id: String,
    pub grant_data: String,
    pub expires_at: i64,
    pub used_at: Option<i64>,
    pub revoked_at: Option<i64>,
}

/// What the rotation keeps in place of the token it spends.
pub enum Successor {
    /// A new token carrying this grant data.
    Replace(String),
    /// None: the grant was narrowed to scopes without `offline_access`.
    End,
    /// Nothing: roll back, the token stays usable.
    Refuse,
}

/// The outcome of [`RefreshTokens::rotate`].
pub enum Rotation {
    /// Spent, and its successor stored if `replaced`.
    Rotated { expires_at: i64, replaced: bool },
    /// Refused by the caller's check; nothing changed.
    Refused,
    /// Unknown, another client's, used, revoked or expired: the caller looks at it to tell a
    /// replay from the rest (the rare path, so it pays the extra read).
    NotLive,
}

pub struct RefreshTokens<'a> {
    pool: &'a AnyPool,
    /// SQLite only; also marks the pool as SQLite.
    writer: Option<&'a SqliteWriter>,
}

/// SQLite's one writer: the connection refresh-token rotations run on, one at a time.
///
/// SQLite has one writer; a transaction holds the write lock across its statements (each a
/// hand-off to the connection's thread), and a second writer meanwhile gets SQLITE_BUSY and
/// polls in the busy handler's sleeps (1, 2, 5, 10 ms...): measured, refresh p99 went from 25
/// to 55-90 ms. Waiting for this lock instead costs nothing SQLite would have allowed.
///
/// The connection is kept outside the pool. sqlx tests a pooled connection each time it goes
/// back (a ping, for SQLite one more hand-off to the connection's thread and a spawned task
/// per statement), and a connection keeps its page cache only while no other connection
/// writes, so the rotations' own connection still holds the pages the last rotation touched.
#[derive(Default)]
pub(crate) struct SqliteWriter(Mutex<Option<AnyConnection>>);

impl SqliteWriter {
    /// The connection, taken out of `pool` the first time (with the pool's settings and
    /// pragmas), or again after a failure closed it.
    async fn lock(&self, pool: &AnyPool) -> Result<Writing<'_>> {
        let mut guard = self.0.lock().await;
        if guard.is_none() {
            *guard = Some(pool.acquire().await?.detach());
        }
        Ok(Writing(guard))
    }

    /// Closes the connection (SQLite checkpoints the log when its last connection closes);
    /// a rotation after this opens another.
    pub(crate) async fn close(&self) {
        if let Some(connection) = self.0.lock().await.take() {
            let _ = connection.close().await;
        }
    }
}

/// The writer's connection, held.
struct Writing<'a>(MutexGuard<'a, Option<AnyConnection>>);

impl Writing<'_> {
    fn connection(&mut self) -> Result<&mut AnyConnection> {
        self.0
            .as_mut()
            .ok_or_else(|| Error::Internal("the SQLite writer has no connection".into()))
    }

    /// Passes `result` on; after a database error the connection is dropped, so the next
    /// rotation starts on a fresh one rather than on one left in an unknown state.
    fn checked<T, E>(mut self, result: Result<T, E>) -> Result<T, E> {
        if result.is_err() {
            self.0.take();
        }
        result
    }
}

impl<'a> RefreshTokens<'a> {
    pub(super) fn new(pool: &'a AnyPool, writer: Option<&'a SqliteWriter>) -> Self {
        RefreshTokens { pool, writer }
    }

    pub async fn insert(&self, token: NewRefreshToken<'_>) -> Result<()> {
        token.insert(self.pool).await
    }

    pub async fn find(&self, hash: &str) -> Result<Option<StoredRefreshToken>> {
        let row = sqlx::query(
            "SELECT grant_id, client_id, grant_data, expires_at, used_at, revoked_at FROM refresh_tokens WHERE token_hash = $1",
        )
        .bind(hash)
        .fetch_optional(self.pool)
        .await?;
        row.map(|row| {
            Ok(StoredRefreshToken {
                grant_id: row.try_get("grant_id")?,
                client_id: row.try_get("client_id")?,
                grant_data: row.try_get("grant_data")?,
                expires_at: row.try_get("expires_at")?,
                used_at: row.try_get("used_at")?,
                revoked_at: row.try_get("revoked_at")?,
            })
        })
        .transpose()
    }

    /// Rotates a refresh token: marks `old_hash` used, once (of two racing uses exactly one
    /// succeeds, ASVS 15.4.2), only for `client_id`, unrevoked and unexpired, and stores its
    /// successor `new_hash` with the grant data `next` returns from the old token's.
    /// [`Successor::Refuse`] leaves the token usable; `may_refuse` says whether `next` can
    /// return it (a request that narrows the scope).
    ///
    /// Without a narrowed scope the grant does not change, and the rotation is one statement
    /// on both backends (`SpendQuery::rotate_in_one`): one round trip, and on SQLite one
    /// commit and one hand-off to the connection's thread, where the first version made four
    /// statements (a read, the update, the account read, the insert). A narrowed scope takes a
    /// transaction (`SpendQuery::rotate_in_transaction`). On SQLite both run on the writer's
    /// own connection ([`SqliteWriter`]).
    ///
    /// A token issued at or before `idle_since` has been idle too long and is not live
    /// (checklist 31: idle expiry beside the absolute `expires_at`).
    ///
    /// `next` reads the grant data, which only its caller understands: its error type is the
    /// caller's, and the store's own errors convert into it.
    #[allow(clippy::too_many_arguments)]
    pub async fn rotate<E: From<Error>>(
        &self,
        old_hash: &str,
        new_hash: &str,
        client_id: &str,
        now: i64,
        idle_since: i64,
        may_refuse: bool,
        next: impl FnOnce(&str) -> Result<Successor, E>,
    ) -> Result<Rotation, E> {
        let spend = SpendQuery {
            old_hash,
            client_id,
            now,
            idle_since,
        };
        let mut writing = match self.writer {
            Some(writer) => Some(writer.lock(self.pool).await?),
            None => None,
        };
        let mut pooled;
        let connection = match writing.as_mut() {
            Some(writing) => writing.connection()?,
            None => {
                pooled = self.pool.acquire().await.map_err(Error::from)?;
                &mut *pooled
            }
        };
        let result = if may_refuse {
            spend
                .rotate_in_transaction(connection, new_hash, next)
                .await
        } else {
            spend
                .rotate_in_one(connection, new_hash, self.writer.is_some(), next)
                .await
        };
        match writing {
            Some(writing) => writing.checked(result),
            None => result,
        }
    }

    pub async fn revoke_grant(&self, grant_id: &str, now: i64) -> Result<()> {
        sqlx::query(
            "UPDATE refresh_tokens SET revoked_at = $2 WHERE grant_id = $1 AND revoked_at IS NULL",
        )
        .bind(grant_id)
        .bind(now)
        .execute(self.pool)
        .await?;
        Ok(())
    }

    /// Revokes every refresh token of the account (password reset, account closed).
    pub async fn revoke_account(&self, account_id: &str, now: i64) -> Result<()> {
        sqlx::query(
            "UPDATE refresh_tokens SET revoked_at = $2 WHERE account_id = $1 AND revoked_at IS NULL",
        )
        .bind(account_id)
        .bind(now)
        .execute(self.pool)
        .await?;
        Ok(())
    }

    /// Revokes every refresh token of the account at one client (consent withdrawn).
    pub async fn revoke_for(&self, account_id: &str, client_id: &str, now: i64) -> Result<()> {
        sqlx::query("UPDATE refresh_tokens SET revoked_at = $3 WHERE account_id = $1 AND client_id = $2 AND revoked_at IS NULL")
            .bind(account_id)
            .bind(client_id)
            .bind(now)
            .execute(self.pool)
            .await?;
        Ok(())
    }
}

/// A rotation in one statement on PostgreSQL: a data-modifying `WITH` spends the token and
/// inserts its successor with the same grant data.
const ROTATE_POSTGRES: &str = "WITH spent AS (\
       UPDATE refresh_tokens SET used_at = $2 \
       WHERE token_hash = $1 AND client_id = $3 AND used_at IS NULL AND revoked_at IS NULL \
       AND expires_at > $2 AND created_at > $4 \
       RETURNING token_hash, grant_id, account_id, grant_data, expires_at) \
     INSERT INTO refresh_tokens (token_hash, grant_id, client_id, account_id, grant_data, created_at, expires_at, replaces) \
     SELECT $5, grant_id, $3, account_id, grant_data, $2, expires_at, token_hash FROM spent \
     RETURNING grant_data, expires_at";

/// The same on SQLite, which has no data-modifying `WITH`: the successor is inserted from the
/// live token's row, and the insert's trigger (`refresh_tokens_spend_replaced`, migration
/// 20261208) marks the token it `replaces` used. The statement holds the write lock from its
/// start, so the live check and the spending cannot be split by another writer.
const ROTATE_SQLITE: &str = "INSERT INTO refresh_tokens (token_hash, grant_id, client_id, account_id, grant_data, created_at, expires_at, replaces) \
     SELECT $5, grant_id, $3, account_id, grant_data, $2, expires_at, token_hash FROM refresh_tokens \
     WHERE token_hash = $1 AND client_id = $3 AND used_at IS NULL AND revoked_at IS NULL \
     AND expires_at > $2 AND created_at > $4 \
     RETURNING grant_data, expires_at";

/// The conditional update that spends a live token.
struct SpendQuery<'q> {
    old_hash: &'q str,
    client_id: &'q str,
    now: i64,
    /// Tokens issued at or before this are idle-expired.
    idle_since: i64,
}

/// What a spent token carried over to its successor.
struct Spent {
    grant_id: String,
    account_id: String,
    grant_data: String,
    expires_at: i64,
}

impl SpendQuery<'_> {
    async fn run<'e>(&self, db: impl Executor<'e, Database = Any>) -> Result<Option<Spent>> {
        let row = sqlx::query(
            "UPDATE refresh_tokens SET used_at = $2 \
             WHERE token_hash = $1 AND client_id = $3 AND used_at IS NULL AND revoked_at IS NULL \
             AND expires_at > $2 AND created_at > $4 \
             RETURNING grant_id, account_id, grant_data, expires_at",
        )
        .bind(self.old_hash)
        .bind(self.now)
        .bind(self.client_id)
        .bind(self.idle_since)
        .fetch_optional(db)
        .await?;
        row.map(|row| {
            Ok(Spent {
                grant_id: row.try_get("grant_id")?,
                account_id: row.try_get("account_id")?,
                grant_data: row.try_get("grant_data")?,
                expires_at: row.try_get("expires_at")?,
            })
        })
        .transpose()
    }
}

impl SpendQuery<'_> {
    /// Spends the token and stores the successor `next` gives in one transaction: `next` may
    /// refuse (a narrowed scope), and then nothing changes.
    async fn rotate_in_transaction<E: From<Error>>(
        &self,
        connection: &mut AnyConnection,
        new_hash: &str,
        next: impl FnOnce(&str) -> Result<Successor, E>,
    ) -> Result<Rotation, E> {
        let mut tx = connection.begin().await.map_err(Error::from)?;
        let Some(spent) = self.run(&mut *tx).await? else {
            tx.rollback().await.map_err(Error::from)?;
            return Ok(Rotation::NotLive);
        };
        let successor = match next(&spent.grant_data)? {
            Successor::Refuse => {
                tx.rollback().await.map_err(Error::from)?;
                return Ok(Rotation::Refused);
            }
            Successor::End => None,
            Successor::Replace(data) => Some(data),
        };
        if let Some(data) = &successor {
            spent
                .insert_successor(&mut *tx, new_hash, self.client_id, data, self.now)
                .await?;
        }
        tx.commit().await.map_err(Error::from)?;
        Ok(Rotation::Rotated {
            expires_at: spent.expires_at,
            replaced: successor.is_some(),
        })
    }

    /// Spends the token and stores its successor with the same grant data in one statement
    /// ([`ROTATE_POSTGRES`], [`ROTATE_SQLITE`]).
    /// Without a narrowed scope the grant does not change, so the successor's data is the spent
    /// token's; `next` still reads it, and a grant it ends (no `offline_access`, which a refresh
    /// token is never issued without) has its successor revoked at once.
    async fn rotate_in_one<E: From<Error>>(
        &self,
        connection: &mut AnyConnection,
        new_hash: &str,
        sqlite: bool,
        next: impl FnOnce(&str) -> Result<Successor, E>,
    ) -> Result<Rotation, E> {
        let row = sqlx::query(if sqlite {
            ROTATE_SQLITE
        } else {
            ROTATE_POSTGRES
        })
        .bind(self.old_hash)
        .bind(self.now)
        .bind(self.client_id)
        .bind(self.idle_since)
        .bind(new_hash)
        .fetch_optional(&mut *connection)
        .await
        .map_err(Error::from)?;
        let Some(row) = row else {
            return Ok(Rotation::NotLive);
        };
        let grant_data: String = row.try_get("grant_data").map_err(Error::from)?;
        let expires_at: i64 = row.try_get("expires_at").map_err(Error::from)?;
        let replaced = match next(&grant_data)? {
            Successor::Replace(_) => true,
            Successor::End => {
                sqlx::query("UPDATE refresh_tokens SET revoked_at = $2 WHERE token_hash = $1")
                    .bind(new_hash)
                    .bind(self.now)
                    .execute(&mut *connection)
                    .await
                    .map_err(Error::from)?;
                false
            }
            Successor::Refuse => {
                return Err(
                    Error::Internal("a rotation that may not refuse refused".into()).into(),
                );
            }
        };
        Ok(Rotation::Rotated {
            expires_at,
            replaced,
        })
    }
}

impl Spent {
    async fn insert_successor<'e>(
        &self,
        db: impl Executor<'e, Database = Any>,
        new_hash: &str,
        client_id: &str,
        grant_data: &str,
        now: i64,
    ) -> Result<()> {
        NewRefreshToken {
            hash: new_hash,
            grant_id: &self.grant_id,
            client_id,
            account_id: &self.account_id,
            grant_data,
            now,
            expires_at: self.expires_at,
        }
        .insert(db)
        .await
    }
}

/// A token's row, by hash only. `grant_data` is the grant as the protocol encodes it: the
/// store keeps it as it is and reads no more of it than the ids beside it.
pub struct NewRefreshToken<'a> {
    pub hash: &'a str,
    pub grant_id: &'a str,
    pub client_id: &'a str,
    pub account_id: &'a str,
    pub grant_data: &'a str,
    pub now: i64,
    pub expires_at: i64,
}

impl NewRefreshToken<'_> {
    async fn insert<'e>(self, db: impl Executor<'e, Database = Any>) -> Result<()> {
        sqlx::query(
            "INSERT INTO refresh_tokens (token_hash, grant_id, client_id, account_id, grant_data, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(self.hash)
        .bind(self.grant_id)
        .bind(self.client_id)
        .bind(self.account_id)
        .bind(self.grant_data)
        .bind(self.now)
        .bind(self.expires_at)
        .execute(db)
        .await?;
        Ok(())
    }
}
