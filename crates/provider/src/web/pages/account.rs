//! The citizen's account page, and signing out.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

use serde::Deserialize;

use crate::app::AppState;
use crate::web::error::Result;
use crate::web::templates::{
    AccountPage, Activity, IdentitySummary, MessagePage, SharedWith, format_time, render,
};
use crate::web::{PageForm, Visit};
use one_login_core::oidc::consent_cache::ConsentCache;
use one_login_core::oidc::grants::{self, Revoke};
use one_login_core::sessions::CredentialLevel;
use one_login_store::AuditKind;

/// How many events of the audit log the account page lists.
const RECENT_ACTIVITY: i64 = 10;

pub async fn show(State(app): State<AppState>, mut visit: Visit) -> Result<Response> {
    let Some(auth) = visit.signed_in_at(CredentialLevel::ClCm).cloned() else {
        return Ok(Redirect::to("/sign-in").into_response());
    };
    let Some(account) = app.db.accounts().find(&auth.account_id).await? else {
        visit.end(&app).await?;
        return Ok(Redirect::to("/").into_response());
    };
    let activity = app
        .db
        .audit()
        .recent(&account.id, RECENT_ACTIVITY)
        .await?
        .into_iter()
        .map(|event| Activity {
            id: event.id,
            what: event.kind.describe(),
            when: format_time(event.at),
        })
        .collect();
    let services = app
        .db
        .consents()
        .list(&account.id)
        .await?
        .into_iter()
        .map(|given| SharedWith {
            name: app
                .oidc
                .clients
                .get(&given.client_id)
                .map(|c| c.name.clone())
                .unwrap_or_else(|| given.client_id.clone()),
            client_id: given.client_id,
            since: format_time(given.granted_at),
        })
        .collect();
    let identity = identity_summary(&app, &account.id, visit.now).await?;
    let page = AccountPage {
        csrf_token: visit.csrf_token(),
        email: account.email,
        created: format_time(account.created_at),
        activity,
        services,
        identity,
    };
    render(&page, StatusCode::OK)
}

/// The proven identity: its level, when, the evidence behind it (which checks, never the
/// document numbers) and the services it was shared with.
async fn identity_summary(
    app: &AppState,
    account_id: &str,
    now: i64,
) -> Result<Option<IdentitySummary>> {
    let Some(record) = app.db.identity().record(account_id).await? else {
        return Ok(None);
    };
    if record.expires_at <= now {
        return Ok(None);
    }
    let evidence = app
        .db
        .identity()
        .credentials(account_id, now)
        .await?
        .into_iter()
        .filter(|c| record.credential_ids.contains(&c.id))
        .map(|c| {
            let what = match c.source.as_str() {
                "passport" => "UK passport",
                "driving-licence" => "UK driving licence",
                "address" => "Your address",
                "fraud" => "Fraud prevention check",
                "knowledge" => "Questions about your records",
                other => other,
            };
            format!("{what}, checked {}", format_time(c.created_at))
        })
        .collect();
    let mut seen = std::collections::BTreeSet::new();
    let mut shared_with = Vec::new();
    for (detail, at) in app
        .db
        .audit()
        .details_of(account_id, AuditKind::IdentityShared)
        .await?
    {
        let client_id = detail.split(' ').next().unwrap_or_default().to_owned();
        if seen.insert(client_id.clone()) {
            let name = app
                .oidc
                .clients
                .get(&client_id)
                .map(|c| c.name.clone())
                .unwrap_or(client_id);
            shared_with.push(format!("{name}, last on {}", format_time(at)));
        }
    }
    let confidence = match record.level.as_str() {
        "P1" => "low confidence",
        "P2" => "medium confidence",
        "P3" => "high confidence",
        _ => "no confidence",
    };
    Ok(Some(IdentitySummary {
        level: format!("{} ({confidence})", record.level),
        proven: format_time(record.proven_at),
        evidence,
        shared_with,
    }))
}

#[derive(Debug, Deserialize)]
pub struct WithdrawForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    client_id: String,
}

/// Withdraws consent for one service: it gets nothing more without asking again, and its
/// refresh tokens stop working.
pub async fn withdraw_consent(
    State(app): State<AppState>,
    visit: Visit,
    PageForm(form): PageForm<WithdrawForm>,
) -> Result<Response> {
    visit.check_csrf(&form.csrf_token)?;
    let Some(auth) = visit.signed_in_at(CredentialLevel::ClCm).cloned() else {
        return Ok(Redirect::to("/sign-in").into_response());
    };
    if app
        .db
        .consents()
        .withdraw(&auth.account_id, &form.client_id, visit.now)
        .await?
    {
        match app.oidc.clients.get(&form.client_id) {
            // Issue 11.16: the live grant ends at once, not when its access token expires.
            Some(client) => {
                grants::revoke_grants(
                    &app.oidc,
                    app.ephemeral.as_ref(),
                    &app.db,
                    &auth.account_id,
                    Revoke::At(&client),
                    app.clock.unix_millis(),
                )
                .await?
            }
            // No longer registered: it cannot use a token, but none stays valid either.
            None => {
                app.db
                    .refresh_tokens()
                    .revoke_for(&auth.account_id, &form.client_id, visit.now)
                    .await?
            }
        }
        ConsentCache::new(app.ephemeral.as_ref())
            .forget(&auth.account_id, &form.client_id)
            .await?;
        tracing::info!(account = %auth.account_id, client = %form.client_id, "consent withdrawn");
    }
    Ok(Redirect::to("/account").into_response())
}

pub async fn signed_out() -> Result<Response> {
    render(
        &MessagePage::new("You have signed out")
            .paragraph(
                "You have signed out of your GOV.UK One Login and the services you used with it.",
            )
            .link("/sign-in", "Sign in again"),
        StatusCode::OK,
    )
}
