//! The citizen's account page, and signing out.

use askama::Template;

use crate::web::language::{self, filters, from_english, text_with};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

use serde::Deserialize;

use crate::app::AppState;
use crate::web::error::Result;
use crate::web::extract::PageForm;
use crate::web::templates::{MessagePage, format_time, render};
use crate::web::visit::Visit;
use one_login_core::accounts::totp;
use one_login_core::identity::summary;
use one_login_core::oidc::consent_cache::ConsentCache;
use one_login_core::sessions::CredentialLevel;
use one_login_core::wallet;

pub struct Activity {
    /// The event's number, for "Report this".
    pub id: i64,
    pub what: &'static str,
    pub when: String,
}

/// A service the citizen agreed to share details with.
pub struct SharedWith {
    pub client_id: String,
    pub name: String,
    pub since: String,
}

/// The citizen's proven identity, as the account page shows it.
pub struct IdentitySummary {
    /// "P2 (medium confidence)".
    pub level: String,
    pub proven: String,
    /// "UK passport, checked 2 January 2026 at 3:04pm".
    pub evidence: Vec<String>,
    /// "Renew your driving licence, last on 2 January 2026 at 3:05pm".
    pub shared_with: Vec<String>,
}

#[derive(Template)]
#[template(path = "account.html")]
pub struct AccountPage {
    pub csrf_token: String,
    pub email: String,
    pub created: String,
    pub activity: Vec<Activity>,
    pub services: Vec<SharedWith>,
    pub identity: Option<IdentitySummary>,
}

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
    let activity = recent_activity(&app, &account.id).await?;
    let services = shared_with(&app, &account.id).await?;
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

/// The service's name, or its client id when it is no longer registered.
fn client_name(app: &AppState, client_id: &str) -> String {
    app.oidc
        .clients
        .get(client_id)
        .map(|c| c.name_in(language::current()).to_owned())
        .unwrap_or_else(|| client_id.to_owned())
}

/// The latest events of the account's audit log.
async fn recent_activity(app: &AppState, account_id: &str) -> Result<Vec<Activity>> {
    let recent = app.db.audit().recent(account_id, RECENT_ACTIVITY).await?;
    Ok(recent
        .into_iter()
        .map(|event| Activity {
            id: event.id,
            what: event.kind.describe(),
            when: format_time(event.at),
        })
        .collect())
}

/// The services the citizen agreed to share details with, and since when.
async fn shared_with(app: &AppState, account_id: &str) -> Result<Vec<SharedWith>> {
    let given = app.db.consents().list(account_id).await?;
    Ok(given
        .into_iter()
        .map(|given| SharedWith {
            name: client_name(app, &given.client_id),
            client_id: given.client_id,
            since: format_time(given.granted_at),
        })
        .collect())
}

/// The proven identity (`identity::summary`), in the page's words.
async fn identity_summary(
    app: &AppState,
    account_id: &str,
    now: i64,
) -> Result<Option<IdentitySummary>> {
    let Some(summary) = summary::summary(&app.db, account_id, now).await? else {
        return Ok(None);
    };
    Ok(Some(IdentitySummary {
        level: summary.level,
        proven: format_time(summary.proven_at),
        evidence: (summary.evidence.into_iter())
            .map(|(what, at)| {
                text_with(
                    "evidence-checked-on",
                    &[
                        ("what", from_english(&what).into()),
                        ("time", format_time(at).into()),
                    ],
                )
            })
            .collect(),
        shared_with: (summary.shared_with.into_iter())
            .map(|(client_id, at)| {
                let name = client_name(app, &client_id);
                text_with(
                    "service-last-on",
                    &[("service", name.into()), ("time", format_time(at).into())],
                )
            })
            .collect(),
    }))
}

#[derive(Debug, Deserialize)]
pub struct WithdrawForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    client_id: String,
}

/// Withdraws consent for one service (`AccountAccess::withdraw_consent`); the consent cached
/// for the authorization goes too.
pub async fn withdraw_consent(
    State(app): State<AppState>,
    visit: Visit,
    PageForm(form): PageForm<WithdrawForm>,
) -> Result<Response> {
    visit.check_csrf(&form.csrf_token)?;
    let Some(auth) = visit.signed_in_at(CredentialLevel::ClCm).cloned() else {
        return Ok(Redirect::to("/sign-in").into_response());
    };
    let (account_id, client_id) = (&auth.account_id, &form.client_id);
    let access = app.account_access();
    if access
        .withdraw_consent(account_id, client_id, visit.now, app.clock.as_ref())
        .await?
    {
        let cache = ConsentCache::new(app.ephemeral.as_ref());
        cache.forget(account_id, client_id).await?;
        tracing::info!(account = %account_id, client = %client_id, "consent withdrawn");
    }
    Ok(Redirect::to("/account").into_response())
}

#[derive(Template)]
#[template(path = "account/wallet.html")]
pub struct WalletOfferPage {
    /// `openid-credential-offer://?credential_offer=...`
    pub offer_uri: String,
    pub qr_code: String,
}

#[derive(Debug, Deserialize)]
pub struct CsrfOnly {
    #[serde(default)]
    csrf_token: String,
}

/// Issue 17 §3: a credential offer of the proven identity (OID4VCI pre-authorized code), as a
/// QR code and a link. A POST, so a new single-use code is made only when asked for.
pub async fn wallet_offer(
    State(app): State<AppState>,
    visit: Visit,
    PageForm(form): PageForm<CsrfOnly>,
) -> Result<Response> {
    visit.check_csrf(&form.csrf_token)?;
    let Some(auth) = visit.signed_in_at(CredentialLevel::ClCm).cloned() else {
        return Ok(Redirect::to("/sign-in").into_response());
    };
    if identity_summary(&app, &auth.account_id, visit.now)
        .await?
        .is_none()
    {
        return render(
            &MessagePage::new("Add your proven identity to a wallet")
                .paragraph("You need to prove your identity before you can add it to a wallet."),
            StatusCode::OK,
        );
    }
    let offer = wallet::offer(app.ephemeral.as_ref(), &app.oidc.issuer, &auth.account_id).await?;
    let page = WalletOfferPage {
        qr_code: totp::qr_code_data_uri(&offer.uri)?,
        offer_uri: offer.uri,
    };
    render(&page, StatusCode::OK)
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
