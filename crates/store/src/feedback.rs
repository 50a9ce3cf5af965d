//! What citizens tell the team through the feedback form (issue 15), kept for
//! `one-login feedback list`. The domain (`one_login_core::feedback`) decides what a row may
//! hold; this only writes and reads it.

use sqlx::any::AnyRow;
use sqlx::{AnyPool, Row};

use super::error::Result;
use super::normalise_email;

/// How long feedback is kept, as the privacy notice says: a year, in seconds.
pub const KEPT_FOR_SECONDS: i64 = 365 * 24 * 60 * 60;

/// Feedback to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewFeedback {
    /// What it is about, as the form's choice names it (`signing-in`, ...).
    pub topic: String,
    pub message: String,
    /// The local path of the page the citizen came from, when known.
    pub came_from: Option<String>,
    /// The language of the page they wrote in (`en`, `cy`).
    pub language: String,
    /// Where to reply, only when the citizen asked for a reply.
    pub reply_email: Option<String>,
    /// The signed-in citizen's account, only when they asked for a reply.
    pub account_id: Option<String>,
    pub created_at: i64,
}

/// Feedback as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredFeedback {
    pub id: String,
    pub topic: String,
    pub message: String,
    pub came_from: Option<String>,
    pub language: String,
    pub reply_email: Option<String>,
    pub account_id: Option<String>,
    pub created_at: i64,
}

fn from_row(row: &AnyRow) -> Result<StoredFeedback> {
    Ok(StoredFeedback {
        id: row.try_get("id")?,
        topic: row.try_get("topic")?,
        message: row.try_get("message")?,
        came_from: row.try_get("came_from")?,
        language: row.try_get("language")?,
        reply_email: row.try_get("reply_email")?,
        account_id: row.try_get("account_id")?,
        created_at: row.try_get("created_at")?,
    })
}

pub struct FeedbackLog<'a> {
    pool: &'a AnyPool,
}

impl<'a> FeedbackLog<'a> {
    pub(super) fn new(pool: &'a AnyPool) -> Self {
        FeedbackLog { pool }
    }

    /// Writes one piece of feedback; returns its id. Feedback older than [`KEPT_FOR_SECONDS`]
    /// is deleted on the way, so nothing older is ever kept and the table cannot grow
    /// without bound however long the service runs. The reply address is kept normalised,
    /// as an account's is, so closing the account finds it.
    pub async fn record(&self, feedback: &NewFeedback) -> Result<String> {
        let id = uuid::Uuid::new_v4().to_string();
        let mut tx = self.pool.begin().await?;
        sqlx::query("DELETE FROM feedback WHERE created_at < $1")
            .bind(feedback.created_at.saturating_sub(KEPT_FOR_SECONDS))
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO feedback (id, topic, message, came_from, language, reply_email, \
             account_id, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(&id)
        .bind(&feedback.topic)
        .bind(&feedback.message)
        .bind(feedback.came_from.as_deref())
        .bind(&feedback.language)
        .bind(feedback.reply_email.as_deref().map(normalise_email))
        .bind(feedback.account_id.as_deref())
        .bind(feedback.created_at)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// At most `limit` pieces of feedback sent at or after `since` (unix seconds), newest first.
    pub async fn newest(&self, since: i64, limit: i64) -> Result<Vec<StoredFeedback>> {
        let rows = sqlx::query(
            "SELECT id, topic, message, came_from, language, reply_email, account_id, \
             created_at FROM feedback WHERE created_at >= $1 \
             ORDER BY created_at DESC, id DESC LIMIT $2",
        )
        .bind(since)
        .bind(limit)
        .fetch_all(self.pool)
        .await?;
        rows.iter().map(from_row).collect()
    }
}
