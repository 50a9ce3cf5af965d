use std::collections::BTreeSet;

use sqlx::{AnyPool, Row};

use super::error::Result;

/// What a citizen agreed to share with one service: the scopes and claims. The protocol
/// (`oidc::authorize`) decides whether it covers a request.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Consent {
    pub scopes: BTreeSet<String>,
    pub claims: BTreeSet<String>,
}

/// A consent as the account page lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GivenConsent {
    pub client_id: String,
    pub consent: Consent,
    pub granted_at: i64,
}

fn words(text: &str) -> BTreeSet<String> {
    text.split(' ')
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect()
}

fn join(set: &BTreeSet<String>) -> String {
    set.iter().cloned().collect::<Vec<_>>().join(" ")
}

pub struct Consents<'a> {
    pool: &'a AnyPool,
}

impl<'a> Consents<'a> {
    pub(super) fn new(pool: &'a AnyPool) -> Self {
        Consents { pool }
    }

    pub async fn find(&self, account_id: &str, client_id: &str) -> Result<Option<Consent>> {
        let row = sqlx::query(
            "SELECT scopes, claims FROM consents WHERE account_id = $1 AND client_id = $2 AND withdrawn_at IS NULL",
        )
        .bind(account_id)
        .bind(client_id)
        .fetch_optional(self.pool)
        .await?;
        row.map(|row| {
            Ok(Consent {
                scopes: words(&row.try_get::<String, _>("scopes")?),
                claims: words(&row.try_get::<String, _>("claims")?),
            })
        })
        .transpose()
    }

    /// Records consent, replacing an earlier or withdrawn one.
    pub async fn give(
        &self,
        account_id: &str,
        client_id: &str,
        consent: &Consent,
        now: i64,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO consents (account_id, client_id, scopes, claims, granted_at, withdrawn_at) \
             VALUES ($1, $2, $3, $4, $5, NULL) \
             ON CONFLICT (account_id, client_id) DO UPDATE SET scopes = $3, claims = $4, granted_at = $5, withdrawn_at = NULL",
        )
        .bind(account_id)
        .bind(client_id)
        .bind(join(&consent.scopes))
        .bind(join(&consent.claims))
        .bind(now)
        .execute(self.pool)
        .await?;
        Ok(())
    }

    pub async fn withdraw(&self, account_id: &str, client_id: &str, now: i64) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE consents SET withdrawn_at = $3 WHERE account_id = $1 AND client_id = $2 AND withdrawn_at IS NULL",
        )
        .bind(account_id)
        .bind(client_id)
        .bind(now)
        .execute(self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn list(&self, account_id: &str) -> Result<Vec<GivenConsent>> {
        let rows = sqlx::query(
            "SELECT client_id, scopes, claims, granted_at FROM consents WHERE account_id = $1 AND withdrawn_at IS NULL ORDER BY granted_at DESC",
        )
        .bind(account_id)
        .fetch_all(self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(GivenConsent {
                    client_id: row.try_get("client_id")?,
                    consent: Consent {
                        scopes: words(&row.try_get::<String, _>("scopes")?),
                        claims: words(&row.try_get::<String, _>("claims")?),
                    },
                    granted_at: row.try_get("granted_at")?,
                })
            })
            .collect()
    }
}
