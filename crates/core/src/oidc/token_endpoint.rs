//! The token endpoint's grants (RFC 6749 §4.1.3, §6; OpenID Connect Core §3.1.3, §12): what a
//! code or refresh token is exchanged for, and revocation (RFC 7009), as plain functions over
//! the stores.

use std::collections::BTreeSet;
use std::time::Duration;

use serde::Serialize;

use super::access_tokens::Expired;
use super::authorization_request::Params;
use super::clients::Client;
use super::grants::{self, Grant, GrantMarks, Redemption, RefreshUse};
use super::signed_tokens::{ID_TOKEN_TYPE, IdTokenClaims, at_hash, pkce_verifies};
use super::{Provider, Stores};
use crate::error::{OAuthError, Result};

/// RFC 6749 §5.1.
#[derive(Debug, Clone, Serialize)]
pub struct TokenResponse {
    pub access_token: String,
    pub token_type: &'static str,
    pub expires_in: u64,
    /// Always for a code; for a refresh only when the client's registration asks for one
    /// (`id_token_on_refresh`): OpenID Connect Core §12.2 lets a refresh response go without.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id_token: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    pub scope: String,
}

fn secs(d: Duration) -> i64 {
    d.as_secs() as i64
}

/// Seals the access token for `grant`.
fn mint_access_token(provider: &Provider, grant: &Grant, now: i64) -> Result<String> {
    provider
        .access_tokens
        .mint(grant, now, now + secs(provider.tokens.access_token_ttl))
}

/// Signs the ID token for `grant`, bound to `access_token` by `at_hash`.
fn sign_id_token(
    provider: &Provider,
    client: &Client,
    grant: &Grant,
    access_token: &str,
    nonce: Option<String>,
    now: i64,
) -> Result<String> {
    // Claims asked for in the ID token by name, and allowed by scope (Core §5.4, §5.5).
    let wants_email = grant.claims.id_token.contains("email");
    let id = IdTokenClaims {
        iss: provider.issuer.clone(),
        sub: grant.sub.clone(),
        aud: client.client_id.clone(),
        exp: now + secs(provider.tokens.id_token_ttl),
        iat: now,
        auth_time: grant.auth_time,
        nonce,
        sid: grant.sid.clone(),
        at_hash: Some(at_hash(access_token)),
        vot: grant.vot.clone(),
        vtm: provider.trustmark(),
        acr: grant.acr.clone().unwrap_or_else(|| grant.vot.clone()),
        amr: grant.amr.clone(),
        email: wants_email.then(|| grant.email.clone()),
        email_verified: wants_email.then_some(true),
    };
    provider
        .keys
        .sign(client.id_token_alg, ID_TOKEN_TYPE, &id, now)
}

/// The refresh token a response carries.
enum NewRefreshToken {
    /// A code exchange: a first token for the grant, if it holds `offline_access`.
    Issue { expires_at: i64 },
    /// A refresh: the successor stored with the rotation, if any.
    Rotated(Option<String>),
}

async fn respond(
    provider: &Provider,
    stores: &Stores<'_>,
    client: &Client,
    grant: &Grant,
    nonce: Option<String>,
    refresh: NewRefreshToken,
    now: i64,
) -> Result<TokenResponse> {
    let access_token = mint_access_token(provider, grant, now)?;
    let exchanging_a_code = matches!(refresh, NewRefreshToken::Issue { .. });
    // The ID token's signature is most of a refresh's cost, and a refresh response may go
    // without one (Core §12.2): only clients that registered for it get one.
    let id_token = (exchanging_a_code || client.id_token_on_refresh)
        .then(|| sign_id_token(provider, client, grant, &access_token, nonce, now))
        .transpose()?;
    let Stores {
        ephemeral: store,
        db,
    } = *stores;
    let refresh_token = match refresh {
        NewRefreshToken::Issue { expires_at } if grant.scopes.contains("offline_access") => {
            Some(grants::issue_refresh_token(db, grant, now, expires_at).await?)
        }
        NewRefreshToken::Issue { .. } => None,
        NewRefreshToken::Rotated(token) => token,
    };
    // A code made before the citizen's grants here were revoked (consent withdrawn, password
    // reset, account closed) gets nothing: checked after the refresh token is stored, so a
    // revocation racing this exchange revokes it or is seen here. (A refresh needs no check:
    // revocation revoked its token in the database.)
    if exchanging_a_code && GrantMarks::new(store).is_revoked(grant).await? {
        grants::revoke_grant(store, db, &grant.grant_id, &provider.tokens, now).await?;
        return Err(OAuthError::invalid_grant("the grant has been revoked").into());
    }
    Ok(TokenResponse {
        access_token,
        token_type: "Bearer",
        expires_in: provider.tokens.access_token_ttl.as_secs(),
        id_token,
        refresh_token,
        scope: grant.scopes.iter().cloned().collect::<Vec<_>>().join(" "),
    })
}

/// `grant_type=authorization_code` (RFC 6749 §4.1.3, RFC 7636 §4.6).
pub async fn exchange_code(
    provider: &Provider,
    stores: &Stores<'_>,
    client: &Client,
    form: &Params,
    now: i64,
) -> Result<TokenResponse> {
    let Stores {
        ephemeral: store,
        db,
    } = *stores;
    let code = form
        .get("code")
        .ok_or_else(|| OAuthError::invalid_request("code is required"))?;
    let redirect_uri = form
        .get("redirect_uri")
        .ok_or_else(|| OAuthError::invalid_request("redirect_uri is required"))?;
    let record = match grants::redeem_code(store, db, code, &provider.tokens, now).await? {
        Redemption::Redeemed(record) => record,
        Redemption::Replayed => {
            tracing::warn!(client = %client.client_id, "authorization code used twice: its grant is revoked");
            return Err(OAuthError::invalid_grant("the code has already been used").into());
        }
        Redemption::Unknown => {
            return Err(OAuthError::invalid_grant("the code is not valid or has expired").into());
        }
    };
    if record.grant.client_id != client.client_id {
        return Err(OAuthError::invalid_grant("the code was issued to another client").into());
    }
    if record.redirect_uri != redirect_uri {
        return Err(OAuthError::invalid_grant(
            "redirect_uri does not match the authorization request",
        )
        .into());
    }
    match (&record.code_challenge, form.get("code_verifier")) {
        (Some(challenge), Some(verifier)) if pkce_verifies(verifier, challenge) => {}
        (Some(_), _) => {
            return Err(OAuthError::invalid_grant("code_verifier is missing or wrong").into());
        }
        // RFC 9700 §4.8.2: a verifier for a code issued without a challenge is a downgrade.
        (None, Some(_)) => {
            return Err(
                OAuthError::invalid_grant("no code_challenge was sent for this code").into(),
            );
        }
        (None, None) => {}
    }
    let refresh_expires_at = record.grant.auth_time + secs(provider.tokens.refresh_token_ttl);
    respond(
        provider,
        stores,
        client,
        &record.grant,
        record.nonce,
        NewRefreshToken::Issue {
            expires_at: refresh_expires_at,
        },
        now,
    )
    .await
}

/// `grant_type=refresh_token` (RFC 6749 §6, Core §12): rotated on each use, never wider than
/// the grant, only for a live account.
pub async fn refresh(
    provider: &Provider,
    stores: &Stores<'_>,
    client: &Client,
    form: &Params,
    now: i64,
) -> Result<TokenResponse> {
    let Stores {
        ephemeral: store,
        db,
    } = *stores;
    let token = form
        .get("refresh_token")
        .ok_or_else(|| OAuthError::invalid_request("refresh_token is required"))?;
    let scope: Option<BTreeSet<String>> = form.get("scope").map(|scope| {
        scope
            .split(' ')
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect()
    });
    let (grant, refresh_token) = match grants::use_refresh_token(
        store,
        db,
        token,
        &client.client_id,
        scope.as_ref(),
        now,
        &provider.tokens,
    )
    .await?
    {
        RefreshUse::Rotated {
            grant,
            refresh_token,
        } => (grant, refresh_token),
        RefreshUse::Replayed => {
            tracing::warn!(client = %client.client_id, "refresh token used twice: its grant is revoked");
            return Err(
                OAuthError::invalid_grant("the refresh token has already been used").into(),
            );
        }
        RefreshUse::WiderScope => {
            return Err(OAuthError::new(
                400,
                "invalid_scope",
                "a refresh cannot widen the grant, and needs openid",
            )
            .into());
        }
        RefreshUse::Invalid => {
            return Err(OAuthError::invalid_grant("the refresh token is not valid").into());
        }
    };
    // No read of the account: refresh_tokens.account_id references accounts(id) (foreign
    // keys are on in SQLite too), so a live token's account exists. Nothing deletes accounts
    // yet; whatever does must delete or revoke their tokens first, which the key enforces.
    respond(
        provider,
        stores,
        client,
        &grant,
        None,
        NewRefreshToken::Rotated(refresh_token),
        now,
    )
    .await
}

/// Revocation (RFC 7009 §2.1) of `token`, when `client` owns it: its grant ends, every access
/// and refresh token of it. For an access token §2.1 allows ending the refresh token too, and
/// we do: a token sent for revocation is presumed exposed, and an ended grant then stays ended
/// (`GrantMarks` keeps no time to tell tokens minted after it from those before). A token not
/// known, or another client's, is no error (§2.2).
pub async fn revoke(
    provider: &Provider,
    stores: &Stores<'_>,
    client: &Client,
    form: &Params,
    now: i64,
) -> Result<()> {
    let token = form
        .get("token")
        .ok_or_else(|| OAuthError::invalid_request("token is required"))?;
    let Stores { ephemeral, db } = *stores;
    let grant_id =
        if let Some(stored) = db.refresh_tokens().find(&grants::hash_token(token)).await? {
            (stored.client_id == client.client_id).then_some(stored.grant_id)
        } else {
            provider
                .access_tokens
                .open(token, now, Expired::Accepted)
                .filter(|opened| opened.grant.client_id == client.client_id)
                .map(|opened| opened.grant.grant_id)
        };
    if let Some(grant_id) = grant_id {
        grants::revoke_grant(ephemeral, db, &grant_id, &provider.tokens, now).await?;
    }
    Ok(())
}
