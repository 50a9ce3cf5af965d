//! What userinfo (Core §5.3) releases for an access token: the token checked (ours, unexpired,
//! its grant neither ended nor revoked), then the claims the grant allows. Identity claims are re-checked
//! against the evidence at each release, and each release of them is audited.

use serde_json::{Map, Value};

use super::access_tokens::Expired;
use super::clients::{CORE_IDENTITY_CLAIM, RETURN_CODE_CLAIM};
use super::grants::{Grant, GrantMarks};
use super::{Provider, Stores};
use crate::error::{OAuthError, Result};
use crate::identity::IdentityService;
use crate::identity::claims::{GrantedIdentity, identity_claims, return_code_claim};
use one_login_store::ephemeral::EphemeralStore;
use one_login_store::{AuditEvent, AuditKind, Database};

/// The active grant behind the access token `token`; `invalid_token` (RFC 6750 §3.1) for a
/// token that is not ours, has expired, or whose grant has been revoked.
pub async fn active_grant_for(
    provider: &Provider,
    store: &dyn EphemeralStore,
    token: &str,
    now: i64,
) -> Result<Grant> {
    // Opened whatever its expiry, to say which it is (RFC 6750 §3.1: both are invalid_token).
    let opened = provider
        .access_tokens
        .open(token, now, Expired::Accepted)
        .ok_or_else(|| OAuthError::invalid_token("the access token is not valid"))?;
    if opened.expires_at <= now {
        return Err(OAuthError::invalid_token("the access token has expired").into());
    }
    if !GrantMarks::new(store).holds(&opened.grant).await? {
        return Err(OAuthError::invalid_token("the access token has been revoked").into());
    }
    Ok(opened.grant)
}

/// The userinfo answer for the access token `token`.
pub async fn release(
    provider: &Provider,
    identity: &IdentityService,
    stores: Stores<'_>,
    token: &str,
    now: i64,
) -> Result<Map<String, Value>> {
    let grant = active_grant_for(provider, stores.ephemeral, token, now).await?;
    let mut claims = claims_for(&grant);
    let identity = identity_claims_for(provider, identity, stores.db, &grant, now).await?;
    if !identity.is_empty() {
        // Checklist 72: each release of identity claims is audited by claim name, never value.
        // Identity grants read the database here anyway; plain userinfo writes nothing.
        let names: Vec<&str> = identity.keys().map(String::as_str).collect();
        let event = AuditEvent::new(AuditKind::IdentityReleased, Some(&grant.account_id), now)
            .with_detail(release_detail(&grant.client_id, &names));
        stores.db.audit().record(&event).await?;
        tracing::info!(account = %grant.account_id, client = %grant.client_id, claims = ?names, "identity claims released");
    }
    claims.extend(identity);
    Ok(claims)
}

/// The claims for `grant`: `sub` always, others as the scopes and `claims` request allow.
pub fn claims_for(grant: &Grant) -> Map<String, Value> {
    let mut claims = Map::new();
    claims.insert("sub".into(), Value::String(grant.sub.clone()));
    let asked = |name: &str| grant.claims.userinfo.contains(name);
    if grant.scopes.contains("email") || asked("email") {
        claims.insert("email".into(), Value::String(grant.email.clone()));
        claims.insert("email_verified".into(), Value::Bool(true));
    }
    claims
}

/// The audit detail of a release: the client, then the claim names.
fn release_detail(client_id: &str, claim_names: &[&str]) -> String {
    let mut detail = client_id.to_owned();
    for name in claim_names {
        detail.push(' ');
        detail.push_str(name);
    }
    detail
}

/// The identity claims of an identity grant. The evidence is read and re-checked now
/// (signatures, expiry, contra-indicators, the level), so a credential that expired or was
/// withdrawn since the sign-in is never released.
async fn identity_claims_for(
    provider: &Provider,
    service: &IdentityService,
    db: &Database,
    grant: &Grant,
    now: i64,
) -> Result<Map<String, Value>> {
    let asked = |name: &str| grant.claims.userinfo.contains(name);
    let level = match &grant.identity {
        None => return Ok(Map::new()),
        Some(GrantedIdentity::NotProven { return_codes }) => {
            let mut claims = Map::new();
            if asked(RETURN_CODE_CLAIM) {
                claims.insert(RETURN_CODE_CLAIM.into(), return_code_claim(return_codes));
            }
            return Ok(claims);
        }
        Some(GrantedIdentity::Proven(level)) => *level,
    };
    let keys = provider.keys.set();
    let held = service.evidence(db, &keys, &grant.account_id, now).await?;
    let identity = match identity_proofing::prove(&held, level) {
        Ok(identity) => identity,
        Err(e) => {
            tracing::warn!(account = %grant.account_id, client = %grant.client_id, error = %e, "identity no longer proven at the granted level: not released");
            return Ok(Map::new());
        }
    };
    let core_identity = asked(CORE_IDENTITY_CLAIM)
        .then(|| service.core_identity_jwt(&keys, &identity, &grant.sub, &grant.client_id, now))
        .transpose()?;
    Ok(identity_claims(
        &asked,
        &identity,
        core_identity,
        utc_day(now),
    ))
}

/// The day (UTC) of the provider clock's `now`, for the age claims. UTC, not UK time: in
/// summer between midnight and 1 a.m. a birthday counts one hour late, never early.
pub(crate) fn utc_day(now: i64) -> time::Date {
    time::OffsetDateTime::from_unix_timestamp(now)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH)
        .date()
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::clock::Clock;
    use crate::error::Error;
    use crate::oidc::access_tokens::tests::grant;
    use crate::oidc::authorization_flow::tests::World;
    use crate::oidc::authorization_request::Params;
    use crate::oidc::token_endpoint::revoke;

    /// An access token for `grant` that expires at `exp`.
    fn access_token(world: &World, grant: &Grant, exp: i64) -> String {
        let now = world.clock.unix();
        world.provider.access_tokens.mint(grant, now, exp).unwrap()
    }

    /// Why `token` is refused: `invalid_token`, with this description.
    async fn refused(world: &World, token: &str) -> String {
        let now = world.clock.unix();
        match active_grant_for(&world.provider, &world.store, token, now).await {
            Err(Error::OAuth(e)) if e.error == "invalid_token" => e.description,
            other => panic!("{other:?}"),
        }
    }

    #[tokio::test]
    async fn an_access_token_answers_while_unexpired_and_its_grant_is_active() {
        let world = World::new().await;
        let grant = grant();
        let now = world.clock.unix();
        let token = access_token(&world, &grant, now + 60);
        let stores = world.stores();
        let claims = release(&world.provider, &world.identity, stores, &token, now)
            .await
            .unwrap();
        assert_eq!(claims["sub"], "sub-1");
        assert_eq!(claims["email"], "ada@example.com");
        assert_eq!(claims.len(), 3, "{claims:?}");

        let expired = access_token(&world, &grant, now - 10);
        assert_eq!(
            refused(&world, &expired).await,
            "the access token has expired"
        );
        // Only what this provider sealed opens: not a JWT it signed, not garbage.
        let jwt = world
            .provider
            .keys
            .sign(
                jsonwebtoken::Algorithm::ES256,
                "at+jwt",
                &serde_json::json!({"sub": "sub-1", "exp": now + 60}),
                now,
            )
            .unwrap();
        for forged in ["not.a.token", jwt.as_str()] {
            assert_eq!(
                refused(&world, forged).await,
                "the access token is not valid"
            );
        }

        // Revocation takes an expired token, and ends its grant's access tokens at once.
        let form = Params::collect([("token".into(), expired.into())]).unwrap();
        revoke(&world.provider, &stores, &world.client(), &form, now)
            .await
            .unwrap();
        assert_eq!(
            refused(&world, &token).await,
            "the access token has been revoked"
        );

        // Past its expiry by the provider's clock, though not yet by the real time.
        let soon = access_token(&world, &grant, now + 10);
        world.clock.advance(Duration::from_secs(30));
        assert_eq!(refused(&world, &soon).await, "the access token has expired");
    }
}
