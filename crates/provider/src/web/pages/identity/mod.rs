//! The identity proving journey's pages. `/identity/next` is its hub: it asks the journey
//! rules (`identity::journey::next_step`) where the citizen stands and sends them there, so
//! no page can be skipped by typing its address and a citizen who leaves can pick up later.

mod address;
mod documents;
mod questions;
pub(super) mod templates;

pub use address::{
    address_form, choose_address, choose_address_form, find_address, manual_address,
    manual_address_form,
};
pub use documents::{
    DrivingLicenceForm, PassportForm, UkDrivingLicence, UkPassport, form as document_form,
    submit as submit_document,
};
pub use questions::{answer_question, question};

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use identity_proofing::{ProvenIdentity, VerifiedCredential};
use serde::Deserialize;
use time::Date;

use crate::app::AppState;
use crate::web::error::Result;
use crate::web::extract::PageForm;
use crate::web::language::{self, TimeUnit};
use crate::web::templates::{FormErrors, render};
use crate::web::visit::Visit;
use one_login_core::identity::journey::{Failure, ProvingJourney, Step};
use one_login_core::sessions::{Authentication, CredentialLevel};
use templates::{FailedPage, LimitedPage, ProvenPage, RadioOption, ReusePage, StartPage};

/// The signed-in citizen and their journey, when the session is in one.
fn in_journey(visit: &Visit) -> Option<(Authentication, ProvingJourney)> {
    let session = visit.session()?;
    let auth = session.authenticated_at(CredentialLevel::ClCm)?.clone();
    let journey = session
        .proving
        .clone()
        .filter(|j| j.account_id == auth.account_id)?;
    session
        .pending
        .as_ref()
        .filter(|p| p.client_id == journey.client_id)?;
    Some((auth, journey))
}

/// Out of a journey (it ended, expired, or never started): the authorization decides again.
fn lost() -> Response {
    Redirect::to("/authorize/continue").into_response()
}

/// The signed-in citizen and their journey when the journey is at the step a page serves
/// (`serves`); otherwise where to send them instead: out of the journey, or to the step they are
/// really at. The back button, an old tab or a typed address can bring back the page of a step
/// that is done (the passport checked, the address confirmed, the questions marked), which must
/// not be shown, or taken, again.
async fn at_step(
    app: &AppState,
    visit: &Visit,
    serves: fn(&Step) -> bool,
) -> Result<std::result::Result<(Authentication, ProvingJourney), Response>> {
    let Some((auth, journey)) = in_journey(visit) else {
        return Ok(Err(lost()));
    };
    let held = evidence(app, &auth, visit.now).await?;
    let step = app
        .identity
        .next_step(&app.db, &held, &journey, visit.now)
        .await?;
    if serves(&step) {
        Ok(Ok((auth, journey)))
    } else {
        Ok(Err(Redirect::to("/identity/next").into_response()))
    }
}

fn choosing_document(step: &Step) -> bool {
    matches!(step, Step::ChooseDocument)
}

fn giving_address(step: &Step) -> bool {
    matches!(step, Step::Address)
}

fn answering_questions(step: &Step) -> bool {
    matches!(step, Step::Questions)
}

fn service_name(app: &AppState, journey: &ProvingJourney) -> String {
    app.oidc
        .clients
        .get(&journey.client_id)
        .map(|c| c.name_in(language::current()).to_owned())
        .unwrap_or_else(|| language::text("the-service"))
}

async fn evidence(
    app: &AppState,
    auth: &Authentication,
    now: i64,
) -> Result<Vec<VerifiedCredential>> {
    let keys = app.oidc.keys.set();
    Ok(app
        .identity
        .evidence(&app.db, &keys, &auth.account_id, now)
        .await?)
}

/// `GET /identity/next`: sends the citizen to the step they are at, runs the fraud check when
/// its turn comes (it needs no page), and shows the journey's end.
pub async fn next(State(app): State<AppState>, visit: Visit) -> Result<Response> {
    let Some((auth, journey)) = in_journey(&visit) else {
        return Ok(lost());
    };
    let (now, keys) = (visit.now, app.oidc.keys.set());
    let held = evidence(&app, &auth, now).await?;
    match app
        .identity
        .next_step(&app.db, &held, &journey, now)
        .await?
    {
        Step::ChooseDocument => Ok(Redirect::to("/identity/start").into_response()),
        Step::Address => Ok(Redirect::to("/identity/address").into_response()),
        Step::Questions => Ok(Redirect::to("/identity/questions").into_response()),
        Step::FraudCheck => {
            let stores = (&app.db, &*keys);
            let identity = &app.identity;
            if !identity
                .fraud_check(stores, &auth.account_id, &held, now)
                .await?
            {
                return failed(visit, Failure::NotMatched);
            }
            Ok(Redirect::to("/identity/next").into_response())
        }
        Step::Proven => proven(&app, visit, &auth, journey, &held).await,
        Step::Failed(failure) => failed(visit, failure),
    }
}

/// The journey's end when the evidence proves the level: the identity is recorded and the
/// citizen sees who they proved they are.
async fn proven(
    app: &AppState,
    mut visit: Visit,
    auth: &Authentication,
    mut journey: ProvingJourney,
    held: &[VerifiedCredential],
) -> Result<Response> {
    let identity = match identity_proofing::prove(held, journey.target) {
        Ok(identity) => identity,
        Err(e) => {
            tracing::warn!(account = %auth.account_id, error = %e, "evidence does not make one identity");
            return failed(visit, Failure::NotMatched);
        }
    };
    app.identity
        .record_proven(&app.db, &auth.account_id, held, &identity, visit.now)
        .await?;
    journey.proved_now = true;
    let page = ProvenPage {
        name: full_name(&identity),
        service: service_name(app, &journey),
    };
    visit.session_mut().proving = Some(journey);
    render(&page, StatusCode::OK)
}

pub fn full_name(identity: &ProvenIdentity) -> String {
    identity
        .name
        .first()
        .map(|n| n.full_name())
        .unwrap_or_default()
}

/// "8 July 1965", "8 Gorffennaf 1965".
pub fn written_date(date: Date) -> String {
    language::current().date(date)
}

/// An attempt limit was met (issue 11.5), perhaps for the document just given and not the
/// account as a whole: the journey remembers it, and its hub shows the limit page.
fn limit_reached(mut visit: Visit, until: i64) -> Result<Response> {
    if let Some(journey) = visit.session_mut().proving.as_mut() {
        journey.limited_until = Some(until);
    }
    Ok(Redirect::to("/identity/next").into_response())
}

/// "2 hours", "25 minutes": how long until the citizen can try again, rounded up.
pub fn wait_in_words(seconds: i64) -> String {
    let seconds = seconds.max(0) as u64;
    if seconds >= 3600 {
        language::duration(seconds.div_ceil(3600), TimeUnit::Hour)
    } else {
        language::duration(seconds.div_ceil(60).max(1), TimeUnit::Minute)
    }
}

/// The end of a journey that cannot reach its level, in plain words. It never says which
/// record disagreed (a fraud marker must not be revealed to whoever holds the documents).
fn failed(mut visit: Visit, failure: Failure) -> Result<Response> {
    if let Failure::AttemptsLimited { until } = failure {
        let page = LimitedPage {
            csrf_token: visit.csrf_token(),
            wait: wait_in_words(until - visit.now),
        };
        let response = render(&page, StatusCode::OK)?;
        return Ok(response);
    }
    let (title, paragraphs) = match failure {
        Failure::Stopped => (
            "You have not proved your identity",
            vec![
                "You can go back to the service now. It will tell you what else you can do."
                    .to_owned(),
            ],
        ),
        Failure::Blocked(_) | Failure::NotMatched | Failure::AttemptsLimited { .. } => (
            "We could not confirm your identity",
            vec![
                "We could not match the details you gave with the records we checked.".to_owned(),
                "Go back to the service to find out other ways to prove your identity, such as at a Post Office."
                    .to_owned(),
            ],
        ),
    };
    let page = FailedPage {
        csrf_token: visit.csrf_token(),
        title: title.to_owned(),
        paragraphs,
    };
    render(&page, StatusCode::OK)
}

/// `GET /identity/start`: which photo ID the citizen will use.
pub async fn start(State(app): State<AppState>, mut visit: Visit) -> Result<Response> {
    let (_, journey) = match at_step(&app, &visit, choosing_document).await? {
        Ok(at) => at,
        Err(elsewhere) => return Ok(elsewhere),
    };
    let page = start_page(&app, &mut visit, &journey, FormErrors::none());
    render(&page, StatusCode::OK)
}

fn start_page(
    app: &AppState,
    visit: &mut Visit,
    journey: &ProvingJourney,
    errors: FormErrors,
) -> StartPage {
    let mut none = RadioOption::new("none", language::text("msg-i-do-not-have-either-of"));
    none.divider_before = true;
    StartPage {
        csrf_token: visit.csrf_token(),
        service: service_name(app, journey),
        options: vec![
            RadioOption::new("passport", language::text("msg-uk-passport")),
            RadioOption::new(
                "driving-licence",
                language::text("msg-uk-photocard-driving-licence"),
            ),
            none,
        ],
        errors,
    }
}

#[derive(Debug, Deserialize)]
pub struct ChoiceForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    document: String,
}

pub async fn choose_document(
    State(app): State<AppState>,
    mut visit: Visit,
    PageForm(form): PageForm<ChoiceForm>,
) -> Result<Response> {
    visit.check_csrf(&form.csrf_token)?;
    let (_, journey) = match at_step(&app, &visit, choosing_document).await? {
        Ok(at) => at,
        Err(elsewhere) => return Ok(elsewhere),
    };
    match form.document.as_str() {
        "passport" => Ok(Redirect::to("/identity/passport").into_response()),
        "driving-licence" => Ok(Redirect::to("/identity/driving-licence").into_response()),
        "none" => failed(visit, Failure::Stopped),
        _ => {
            let errors = FormErrors::one("document", "Select the photo ID you will use");
            let page = start_page(&app, &mut visit, &journey, errors);
            render(&page, StatusCode::BAD_REQUEST)
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    csrf_token: String,
}

/// Marks the journey (the citizen stops, or confirms the reuse) and lets the authorization
/// decide again.
fn settle(mut visit: Visit, form: &CsrfForm, mark: fn(&mut ProvingJourney)) -> Result<Response> {
    visit.check_csrf(&form.csrf_token)?;
    let Some((_, mut journey)) = in_journey(&visit) else {
        return Ok(lost());
    };
    mark(&mut journey);
    visit.session_mut().proving = Some(journey);
    Ok(Redirect::to("/authorize/continue").into_response())
}

/// `POST /identity/stop`: the citizen goes back to the service without (more) proving.
pub async fn stop(visit: Visit, PageForm(form): PageForm<CsrfForm>) -> Result<Response> {
    settle(visit, &form, |journey| journey.ended = true)
}

/// `GET /identity/reuse`: "you have already proved your identity", with the details shared.
pub async fn reuse(State(app): State<AppState>, mut visit: Visit) -> Result<Response> {
    let Some((auth, journey)) = in_journey(&visit) else {
        return Ok(lost());
    };
    let held = evidence(&app, &auth, visit.now).await?;
    let Ok(identity) = identity_proofing::prove(&held, journey.target) else {
        return Ok(Redirect::to("/identity/next").into_response());
    };
    let page = ReusePage {
        csrf_token: visit.csrf_token(),
        service: service_name(&app, &journey),
        name: full_name(&identity),
        birth_date: identity
            .birth_date
            .first()
            .map(|b| written_date(b.value))
            .unwrap_or_default(),
        address: identity
            .address
            .first()
            .map(|a| a.one_line())
            .unwrap_or_default(),
    };
    render(&page, StatusCode::OK)
}

pub async fn confirm_reuse(visit: Visit, PageForm(form): PageForm<CsrfForm>) -> Result<Response> {
    settle(visit, &form, |journey| journey.reuse_confirmed = true)
}

#[cfg(test)]
mod tests {
    use super::wait_in_words;

    #[test]
    fn waits_are_rounded_up_in_words() {
        assert_eq!(wait_in_words(86_400), "24 hours");
        assert_eq!(wait_in_words(86_399), "24 hours");
        assert_eq!(wait_in_words(3_600), "1 hour");
        assert_eq!(wait_in_words(3_599), "60 minutes");
        assert_eq!(wait_in_words(61), "2 minutes");
        assert_eq!(wait_in_words(0), "1 minute");
    }
}
