//! The citizen's account page, and signing out.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

use serde::Deserialize;

use crate::app::AppState;
use crate::error::Result;
use crate::sessions::CredentialLevel;
use crate::web::oidc::authorize::consent_cache_key;
use crate::web::templates::{AccountPage, Activity, MessagePage, SharedWith, format_time, render};
use crate::web::{PageForm, Visit};

/// How many events of the audit log the account page lists.
const RECENT_ACTIVITY: i64 = 10;

pub async fn show(State(app): State<AppState>, mut visit: Visit) -> Result<Response> {
    let Some(auth) = visit.signed_in_at(CredentialLevel::ClCm).cloned() else {
        return Ok(Redirect::to("/sign-in").into_response());
    };
    let Some(account) = app.db.accounts().find(&auth.account_id).await? else {
        visit.end(&app).await?;
        return visit.redirect(&app, "/").await;
    };
    let activity = app
        .db
        .audit()
        .recent(&account.id, RECENT_ACTIVITY)
        .await?
        .into_iter()
        .map(|event| Activity {
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
    let page = AccountPage {
        csrf_token: visit.csrf_token(),
        email: account.email,
        created: format_time(account.created_at),
        activity,
        services,
    };
    render(&page, StatusCode::OK)
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
        app.db
            .refresh_tokens()
            .revoke_for(&auth.account_id, &form.client_id, visit.now)
            .await?;
        app.ephemeral
            .delete(&consent_cache_key(&auth.account_id, &form.client_id))
            .await?;
        tracing::info!(account = %auth.account_id, client = %form.client_id, "consent withdrawn");
    }
    visit.redirect(&app, "/account").await
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
