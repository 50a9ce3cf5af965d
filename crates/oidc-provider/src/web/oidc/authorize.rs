//! `/authorize` (OpenID Connect Core §3.1.2): check the request, then sign the citizen in,
//! step them up, ask their consent, or send them straight back with a code (single sign-on).

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use crate::app::AppState;
use crate::error::Result;
use crate::identity::claims::{GrantedIdentity, return_codes};
use crate::identity::journey::{Failure, ProvingJourney, Step};
use crate::oidc::authorization_request::{
    self, AuthorizationRequest, AuthorizeError, Consent, Decision, Endpoints, ErrorRedirect,
    Params, append_query, decide,
};
use crate::oidc::clients::{self, Client};
use crate::oidc::grants::{self, CodeRecord, Grant};
use crate::oidc::signed_tokens::verify_id_token_hint;
use crate::oidc::vtr::IdentityLevel;
use crate::sessions::{Authentication, CredentialLevel};
use crate::store::{AuditEvent, AuditKind};
use crate::web::templates::{ConsentItem, ConsentPage, MessagePage, render};
use crate::web::{PageForm, Visit};
use identity_proofing::ConfidenceLevel;

/// The page for a request that cannot be answered by redirect (RFC 6749 §4.1.2.1).
fn refusal_page(message: &str) -> Result<Response> {
    render(
        &MessagePage::new("Sorry, there is a problem with the service you came from")
            .paragraph(message)
            .paragraph("Go back to the service and try again. If it keeps happening, contact that service.")
            .link("/", "Go to GOV.UK One Login"),
        StatusCode::BAD_REQUEST,
    )
}

/// A 302 to the client: errors and codes alike.
fn to_client(location: &str) -> Response {
    (StatusCode::FOUND, [(header::LOCATION, location.to_owned())]).into_response()
}

pub async fn authorize_get(
    State(app): State<AppState>,
    visit: Visit,
    RawQuery(query): RawQuery,
) -> Result<Response> {
    match Params::from_query(query.as_deref().unwrap_or_default()) {
        Ok(params) => start(app, visit, params).await,
        Err(name) => refusal_page(&format!("The request repeated the parameter {name}.")),
    }
}

/// Core §3.1.2.1: the authorization endpoint also accepts a form POST.
pub async fn authorize_post(
    State(app): State<AppState>,
    visit: Visit,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response> {
    let is_form = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        return refusal_page("The request was not a form.");
    }
    match Params::collect(url::form_urlencoded::parse(&body)) {
        Ok(params) => start(app, visit, params).await,
        Err(name) => refusal_page(&format!("The request repeated the parameter {name}.")),
    }
}

async fn start(app: AppState, visit: Visit, params: Params) -> Result<Response> {
    let now = visit.now;
    let verify_hint =
        |token: &str| verify_id_token_hint(&app.oidc.keys, &app.oidc.issuer, token, now);
    // A request object needs the client's keys, which may have to be fetched.
    let object_keys = match (
        params.get("request"),
        params
            .get("client_id")
            .and_then(|id| app.oidc.clients.get(id)),
    ) {
        (Some(_), Some(client)) => app
            .oidc
            .client_keys
            .keys(&client, false, now)
            .await
            .unwrap_or_else(|e| {
                tracing::warn!(error = %e, "client keys unavailable for a request object");
                None
            }),
        _ => None,
    };
    let authorize_url = app.oidc.url("authorize");
    let endpoints = Endpoints {
        issuer: &app.oidc.issuer,
        authorize: &authorize_url,
    };
    match authorization_request::validate(
        &params,
        &app.oidc.clients,
        object_keys.as_deref(),
        &verify_hint,
        &endpoints,
        visit.now_ms,
    ) {
        Err(AuthorizeError::Page(message)) => refusal_page(message),
        Err(AuthorizeError::Redirect(error)) => {
            tracing::info!(error = error.error, description = %error.description, "authorization request refused");
            Ok(to_client(&error.location(&app.oidc.issuer)))
        }
        Ok(valid) => {
            if let Some(object) = &valid.request_object
                && !object.mark_used(app.ephemeral.as_ref(), now).await?
            {
                tracing::warn!(client = %object.client_id, "request object replayed");
                return Ok(to_client(&valid.replayed().location(&app.oidc.issuer)));
            }
            proceed(&app, visit, valid.request, valid.client).await
        }
    }
}

/// The consent on record, read through a short-lived cache: single sign-on reads it on every
/// visit, so it stays off the database (design: no durable read on the hot path).
pub async fn consent_for(
    app: &AppState,
    account_id: &str,
    client_id: &str,
) -> Result<Option<Consent>> {
    let key = consent_cache_key(account_id, client_id);
    if let Some(bytes) = app.ephemeral.get(&key).await? {
        let cached: Option<(Vec<String>, Vec<String>)> =
            serde_json::from_slice(&bytes).unwrap_or(None);
        return Ok(cached.map(|(scopes, claims)| Consent {
            scopes: scopes.into_iter().collect(),
            claims: claims.into_iter().collect(),
        }));
    }
    let consent = app.db.consents().find(account_id, client_id).await?;
    let cached = consent.as_ref().map(|c| {
        (
            c.scopes.iter().collect::<Vec<_>>(),
            c.claims.iter().collect::<Vec<_>>(),
        )
    });
    if let Ok(bytes) = serde_json::to_vec(&cached) {
        app.ephemeral
            .put(&key, &bytes, std::time::Duration::from_secs(600))
            .await?;
    }
    Ok(consent)
}

pub fn consent_cache_key(account_id: &str, client_id: &str) -> String {
    format!("consent:{account_id}:{client_id}")
}

/// The signed-in citizen's `sub` as `client` knows it, worked out only when the request
/// names a citizen with an `id_token_hint` (single sign-on without one stays cheap).
fn hinted_request_subject(
    app: &AppState,
    request: &AuthorizationRequest,
    client: Option<&Client>,
    auth: Option<&Authentication>,
) -> Option<String> {
    request.hint_subject.as_ref()?;
    Some(app.oidc.subject_for(client?, &auth?.account_id))
}

/// Decides and acts on a checked request for this session.
async fn proceed(
    app: &AppState,
    mut visit: Visit,
    request: AuthorizationRequest,
    client: Arc<Client>,
) -> Result<Response> {
    let now = visit.now;
    let refuse = |error: &'static str, description: &str| ErrorRedirect {
        redirect_uri: request.redirect_uri.clone(),
        state: request.state.clone(),
        error,
        description: description.to_owned(),
    };
    // No read of the account's standing here, on the path single sign-on takes every time:
    // suspending, blocking or deleting an account ends its sessions (`accounts::interventions`),
    // and a sign-in racing with that checks the standing after it saved its session
    // (`pages::sign_in::sign_in_at`), so no session of such an account outlives the
    // intervention by more than the provider's watch interval; grants made meanwhile are
    // revoked when the sessions are ended.
    let auth = visit.session().and_then(|s| s.signed_in().cloned());
    let consent = match &auth {
        Some(auth) => consent_for(app, &auth.account_id, &client.client_id).await?,
        None => None,
    };
    let subject = hinted_request_subject(app, &request, Some(&client), auth.as_ref());
    match decide(
        &request,
        auth.as_ref(),
        subject.as_deref(),
        consent.as_ref(),
    ) {
        Decision::Refuse(error, description) => {
            // A different citizen who signed in stays signed in (as GOV.UK does): they proved
            // who they are, and the service's own session for the earlier citizen was ended by
            // back-channel logout when they did. The service only hears login_required.
            tracing::info!(client = %client.client_id, error, description, "authorization refused");
            if visit.session().is_some_and(|s| s.pending.is_some()) {
                visit.session_mut().pending = None;
            }
            visit
                .finish(
                    app,
                    to_client(&refuse(error, description).location(&app.oidc.issuer)),
                )
                .await
        }
        Decision::SignIn => {
            visit.session_mut().pending = Some(request);
            visit.redirect(app, "/sign-in").await
        }
        Decision::StepUp => {
            visit.session_mut().pending = Some(request);
            visit.redirect(app, "/sign-in/authenticator-code").await
        }
        Decision::Consent => {
            visit.session_mut().pending = Some(request);
            visit.redirect(app, "/authorize/consent").await
        }
        Decision::Issue => {
            let Some(auth) = auth else {
                return visit.redirect(app, "/sign-in").await;
            };
            let identity = match request.vtr.identity {
                None => None,
                Some(level) => {
                    match identity_gate(app, &mut visit, &request, &client, &auth, level).await? {
                        Gate::Pass(granted) => Some(granted),
                        Gate::Page(path) => {
                            // The journey's pages (and the reuse page) act for the pending
                            // request; a citizen who consented earlier arrives here without one.
                            visit.session_mut().pending = Some(request.clone());
                            return visit.redirect(app, path).await;
                        }
                        Gate::Refuse(error, description) => {
                            visit.session_mut().pending = None;
                            visit.session_mut().proving = None;
                            let location = refuse(error, description).location(&app.oidc.issuer);
                            return visit.finish(app, to_client(&location)).await;
                        }
                    }
                }
            };
            let grant = Grant {
                grant_id: uuid::Uuid::new_v4().to_string(),
                client_id: client.client_id.clone(),
                account_id: auth.account_id.clone(),
                sub: app.oidc.subject_for(&client, &auth.account_id),
                email: auth.email.clone(),
                scopes: request.scopes.clone(),
                claims: request.claims.clone(),
                auth_time: auth.auth_time,
                vot: auth.level.as_str().to_owned(),
                acr: Some(request.acr_for(auth.level).as_str().to_owned()),
                amr: auth.amr.clone(),
                sid: auth.sid.clone(),
                identity,
                issued_at_ms: app.clock.unix_millis(),
            };
            if let Some(GrantedIdentity::Proven(level)) = &grant.identity {
                app.db
                    .audit()
                    .record(
                        &AuditEvent::new(AuditKind::IdentityShared, Some(&auth.account_id), now)
                            .with_detail(format!("{} {level}", client.client_id)),
                    )
                    .await?;
            }
            let record = CodeRecord {
                grant,
                redirect_uri: request.redirect_uri.clone(),
                code_challenge: request.code_challenge.clone(),
                nonce: request.nonce.clone(),
            };
            let code = grants::issue_code(
                app.ephemeral.as_ref(),
                &record,
                app.oidc.tokens.authorization_code_ttl,
            )
            .await?;
            let session = visit.session_mut();
            session.pending = None;
            session.proving = None;
            session.relying_parties.insert(client.client_id.clone());
            let mut pairs = vec![("code", code.as_str())];
            if let Some(state) = &request.state {
                pairs.push(("state", state));
            }
            pairs.push(("iss", &app.oidc.issuer));
            let location = append_query(&request.redirect_uri, &pairs);
            visit.finish(app, to_client(&location)).await
        }
    }
}

/// What an identity request needs before a code can be issued.
enum Gate {
    /// The identity is settled: proven (now, or reuse confirmed), or not provable and the
    /// client asked for return codes.
    Pass(GrantedIdentity),
    /// A page of the proving journey (or the reuse confirmation) comes first.
    Page(&'static str),
    /// Cannot be proven and the client takes an error (or `prompt=none` forbids pages).
    Refuse(&'static str, &'static str),
}

/// The identity part of an authorization (the vector's P component): the stored evidence is
/// re-checked against the level asked for; a citizen who has it confirms its reuse, anyone
/// else goes through the proving journey, asked only for what is missing.
async fn identity_gate(
    app: &AppState,
    visit: &mut Visit,
    request: &AuthorizationRequest,
    client: &Client,
    auth: &crate::sessions::Authentication,
    level: IdentityLevel,
) -> Result<Gate> {
    let target = confidence_level(level);
    let now = visit.now;
    let journey = visit
        .session()
        .and_then(|s| s.proving.clone())
        .filter(|j| {
            j.account_id == auth.account_id && j.client_id == client.client_id && j.target == target
        })
        .unwrap_or_else(|| ProvingJourney::new(&auth.account_id, &client.client_id, target, now));
    let keys = app.oidc.keys.set();
    let evidence = app
        .identity
        .evidence(&app.db, &keys, &auth.account_id, now)
        .await?;
    // Where the evidence stands, whatever the citizen chose: a stopped journey still reports
    // why it could not go on.
    let open_journey = ProvingJourney {
        ended: false,
        ..journey.clone()
    };
    let step = app
        .identity
        .next_step(&app.db, &evidence, &open_journey, now)
        .await?;
    let step = match step {
        Step::Proven => match identity_proofing::prove(&evidence, target) {
            Ok(_) => Step::Proven,
            Err(e) => {
                tracing::warn!(account = %auth.account_id, error = %e, "stored evidence does not make one identity");
                Step::Failed(Failure::NotMatched)
            }
        },
        other => other,
    };
    let page = |visit: &mut Visit, path: &'static str| {
        visit.session_mut().proving = Some(journey.clone());
        Gate::Page(path)
    };
    let failure = match step {
        Step::Proven if journey.proved_now || journey.reuse_confirmed => {
            return Ok(Gate::Pass(GrantedIdentity::Proven(target)));
        }
        // The citizen chose to go back to the service (from a failure page, the document
        // choice, or the reuse page): tell it why.
        Step::Failed(failure) if journey.ended => failure,
        _ if journey.ended => Failure::Stopped,
        _ if request.prompt.none => {
            return Ok(Gate::Refuse(
                "interaction_required",
                "the citizen must prove their identity, or confirm its reuse, first",
            ));
        }
        Step::Proven => return Ok(page(visit, "/identity/reuse")),
        _ => return Ok(page(visit, "/identity/next")),
    };
    tracing::info!(account = %auth.account_id, client = %client.client_id, ?failure, "identity not proven");
    if request.claims.userinfo.contains(clients::RETURN_CODE_CLAIM) {
        return Ok(Gate::Pass(GrantedIdentity::NotProven {
            return_codes: return_codes(&failure),
        }));
    }
    Ok(Gate::Refuse(
        "access_denied",
        "the citizen's identity could not be proven to the level asked for",
    ))
}

pub fn confidence_level(level: IdentityLevel) -> ConfidenceLevel {
    match level {
        IdentityLevel::P1 => ConfidenceLevel::P1,
        IdentityLevel::P2 => ConfidenceLevel::P2,
        IdentityLevel::P3 => ConfidenceLevel::P3,
    }
}

/// `GET /authorize/continue`: the pending request, after sign-in or step-up.
pub async fn resume(State(app): State<AppState>, visit: Visit) -> Result<Response> {
    let Some(request) = visit.session().and_then(|s| s.pending.clone()) else {
        return Ok(Redirect::to("/account").into_response());
    };
    match app.oidc.clients.get(&request.client_id) {
        Some(client) => proceed(&app, visit, request, client).await,
        None => refusal_page("The service you came from is no longer registered."),
    }
}

/// What the consent page lists, in words a citizen understands.
fn consent_items(request: &AuthorizationRequest) -> Vec<ConsentItem> {
    let mut items = vec![ConsentItem {
        text: "A unique reference for you that only this service gets".into(),
    }];
    for scope in &request.scopes {
        let text = match scope.as_str() {
            "email" => "Your email address",
            "phone" => "Your phone number",
            "offline_access" => {
                "Access to these details while you are not signed in, until you withdraw it"
            }
            _ => continue,
        };
        items.push(ConsentItem { text: text.into() });
    }
    for claim in request.claims.userinfo.union(&request.claims.id_token) {
        let text = match claim.as_str() {
            clients::CORE_IDENTITY_CLAIM => "Your verified name and date of birth",
            clients::ADDRESS_CLAIM => "Your address",
            clients::PASSPORT_CLAIM => "Your passport details",
            clients::DRIVING_PERMIT_CLAIM => "Your driving licence details",
            clients::RETURN_CODE_CLAIM => {
                "A code saying why your identity could not be confirmed, if it could not"
            }
            "email" | "email_verified" if request.scopes.contains("email") => continue,
            "email" | "email_verified" => "Your email address",
            "phone_number" | "phone_number_verified" => "Your phone number",
            _ => continue,
        };
        if !items.iter().any(|i| i.text == text) {
            items.push(ConsentItem { text: text.into() });
        }
    }
    items
}

/// The request waiting for consent, when the session is signed in well enough to give it.
fn awaiting_consent(
    visit: &Visit,
) -> Option<(AuthorizationRequest, crate::sessions::Authentication)> {
    let session = visit.session()?;
    let request = session.pending.clone()?;
    let auth = session.authenticated_at(CredentialLevel::Cl)?.clone();
    (auth.level >= request.credential_required()).then_some((request, auth))
}

/// What the pending authorization needs now, or `None` without one. Pages of steps that can be
/// done already (the back button, an old tab) ask it, to send the citizen on to the step they
/// are really at rather than show a step again.
pub async fn pending_decision(app: &AppState, visit: &Visit) -> Result<Option<Decision>> {
    let Some(session) = visit.session() else {
        return Ok(None);
    };
    let Some(request) = &session.pending else {
        return Ok(None);
    };
    let auth = session.signed_in();
    let consent = match auth {
        Some(auth) => consent_for(app, &auth.account_id, &request.client_id).await?,
        None => None,
    };
    let client = app.oidc.clients.get(&request.client_id);
    let subject = hinted_request_subject(app, request, client.as_deref(), auth);
    Ok(Some(decide(
        request,
        auth,
        subject.as_deref(),
        consent.as_ref(),
    )))
}

pub async fn consent_form(State(app): State<AppState>, mut visit: Visit) -> Result<Response> {
    let Some((request, _)) = awaiting_consent(&visit) else {
        return Ok(Redirect::to("/authorize/continue").into_response());
    };
    // Agreed already (and come back to this page): on to the next step.
    if pending_decision(&app, &visit).await? != Some(Decision::Consent) {
        return Ok(Redirect::to("/authorize/continue").into_response());
    }
    let Some(client) = app.oidc.clients.get(&request.client_id) else {
        return refusal_page("The service you came from is no longer registered.");
    };
    let page = ConsentPage {
        csrf_token: visit.csrf_token(),
        client_name: client.name.clone(),
        items: consent_items(&request),
    };
    let response = render(&page, StatusCode::OK)?;
    visit.finish(&app, response).await
}

#[derive(Debug, Deserialize)]
pub struct ConsentForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    decision: String,
}

pub async fn submit_consent(
    State(app): State<AppState>,
    mut visit: Visit,
    PageForm(form): PageForm<ConsentForm>,
) -> Result<Response> {
    visit.check_csrf(&form.csrf_token)?;
    let Some((request, auth)) = awaiting_consent(&visit) else {
        return visit.redirect(&app, "/authorize/continue").await;
    };
    let Some(client) = app.oidc.clients.get(&request.client_id) else {
        return refusal_page("The service you came from is no longer registered.");
    };
    match form.decision.as_str() {
        "agree" => {
            let mut claims = request.claims.userinfo.clone();
            claims.extend(request.claims.id_token.iter().cloned());
            let consent = Consent {
                scopes: request.scopes.clone(),
                claims,
            };
            app.db
                .consents()
                .give(&auth.account_id, &client.client_id, &consent, visit.now)
                .await?;
            app.ephemeral
                .delete(&consent_cache_key(&auth.account_id, &client.client_id))
                .await?;
            tracing::info!(account = %auth.account_id, client = %client.client_id, "consent given");
            // The consent page answered `prompt=consent`: do not ask again for this request.
            let mut request = request;
            request.prompt.consent = false;
            proceed(&app, visit, request, client).await
        }
        "decline" => {
            visit.session_mut().pending = None;
            let error = ErrorRedirect {
                redirect_uri: request.redirect_uri.clone(),
                state: request.state.clone(),
                error: "access_denied",
                description: "the citizen declined to share their details".into(),
            };
            visit
                .finish(&app, to_client(&error.location(&app.oidc.issuer)))
                .await
        }
        _ => {
            let page = ConsentPage {
                csrf_token: visit.csrf_token(),
                client_name: client.name.clone(),
                items: consent_items(&request),
            };
            render(&page, StatusCode::BAD_REQUEST)
        }
    }
}
