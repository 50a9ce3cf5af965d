//! The photo ID pages: a UK passport or a UK photocard driving licence, checked with the
//! issuing office (simulated over the test data set unless configured otherwise). Both follow
//! one flow, [`form`] and [`submit`], over what differs: the [`PhotoId`] of each document.

use std::future::Future;

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use identity_proofing::CheckOutcome;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use time::Date;

use super::templates::{DrivingLicencePage, PassportPage};
use super::{at_step, choosing_document, limit_reached};
use crate::app::AppState;
use crate::web::error::Result;
use crate::web::templates::{FormErrors, render};
use crate::web::{PageForm, Visit};
use one_login_core::identity::Source;
use one_login_core::identity::attempts::ClaimedDocument;
use one_login_core::identity::details::{
    DrivingLicenceEntry, PassportEntry, Problem, driving_licence_details, passport_details,
};
use one_login_core::identity::proving::{DocumentChecked, today};

/// The passport page's form: what the citizen typed, and the session's CSRF token.
#[derive(Debug, Default, Deserialize)]
pub struct PassportForm {
    #[serde(default)]
    pub csrf_token: String,
    #[serde(flatten)]
    pub entry: PassportEntry,
}

/// The driving licence page's form.
#[derive(Debug, Default, Deserialize)]
pub struct DrivingLicenceForm {
    #[serde(default)]
    pub csrf_token: String,
    #[serde(flatten)]
    pub entry: DrivingLicenceEntry,
}

/// What one kind of photo ID brings to the shared flow.
pub trait PhotoId {
    const SOURCE: Source;
    type Form: DeserializeOwned + Default + Send + 'static;
    type Details: Send + Sync;
    type Page: Template;

    fn csrf_token(form: &Self::Form) -> &str;
    fn details(form: &Self::Form, today: Date) -> std::result::Result<Self::Details, Vec<Problem>>;
    /// The document the details claim: what the attempt is counted against.
    fn document(details: &Self::Details) -> ClaimedDocument;
    fn check(
        app: &AppState,
        details: &Self::Details,
        today: Date,
    ) -> impl Future<Output = identity_proofing::Result<CheckOutcome>> + Send;
    /// The form, with its errors, or with the "could not match" banner and attempts left.
    fn page(
        csrf_token: String,
        form: Self::Form,
        errors: FormErrors,
        not_matched: Option<u32>,
    ) -> Self::Page;
}

pub struct UkPassport;

impl PhotoId for UkPassport {
    const SOURCE: Source = Source::Passport;
    type Form = PassportForm;
    type Details = identity_proofing::PassportDetails;
    type Page = PassportPage;

    fn csrf_token(form: &PassportForm) -> &str {
        &form.csrf_token
    }

    fn details(
        form: &PassportForm,
        today: Date,
    ) -> std::result::Result<Self::Details, Vec<Problem>> {
        passport_details(&form.entry, today)
    }

    fn document(details: &Self::Details) -> ClaimedDocument {
        ClaimedDocument::Passport(details.passport_number.clone())
    }

    async fn check(
        app: &AppState,
        details: &Self::Details,
        today: Date,
    ) -> identity_proofing::Result<CheckOutcome> {
        app.identity.sources.passport.check(details, today).await
    }

    fn page(
        csrf_token: String,
        form: PassportForm,
        errors: FormErrors,
        not_matched: Option<u32>,
    ) -> PassportPage {
        PassportPage {
            csrf_token,
            action: "/identity/passport",
            back: "/identity/start",
            intro: None,
            form: form.entry,
            errors,
            not_matched: not_matched.is_some(),
            attempts_left: not_matched.unwrap_or(0),
        }
    }
}

pub struct UkDrivingLicence;

impl PhotoId for UkDrivingLicence {
    const SOURCE: Source = Source::DrivingLicence;
    type Form = DrivingLicenceForm;
    type Details = identity_proofing::DrivingLicenceDetails;
    type Page = DrivingLicencePage;

    fn csrf_token(form: &DrivingLicenceForm) -> &str {
        &form.csrf_token
    }

    fn details(
        form: &DrivingLicenceForm,
        today: Date,
    ) -> std::result::Result<Self::Details, Vec<Problem>> {
        driving_licence_details(&form.entry, today)
    }

    fn document(details: &Self::Details) -> ClaimedDocument {
        ClaimedDocument::DrivingLicence(details.licence_number.clone())
    }

    async fn check(
        app: &AppState,
        details: &Self::Details,
        today: Date,
    ) -> identity_proofing::Result<CheckOutcome> {
        app.identity
            .sources
            .driving_licence
            .check(details, today)
            .await
    }

    fn page(
        csrf_token: String,
        form: DrivingLicenceForm,
        errors: FormErrors,
        not_matched: Option<u32>,
    ) -> DrivingLicencePage {
        DrivingLicencePage {
            csrf_token,
            form: form.entry,
            errors,
            not_matched: not_matched.is_some(),
            attempts_left: not_matched.unwrap_or(0),
        }
    }
}

/// `GET /identity/passport`, `GET /identity/driving-licence`.
pub async fn form<D: PhotoId>(State(app): State<AppState>, mut visit: Visit) -> Result<Response> {
    if let Err(elsewhere) = at_step(&app, &visit, choosing_document).await? {
        return Ok(elsewhere);
    }
    let page = D::page(
        visit.csrf_token(),
        D::Form::default(),
        FormErrors::none(),
        None,
    );
    render(&page, StatusCode::OK)
}

/// The details are checked as the issuer's form would, then with the issuer
/// (`IdentityService::check_document`: the attempt reserved first, the outcome recorded
/// whatever it is).
pub async fn submit<D: PhotoId>(
    State(app): State<AppState>,
    mut visit: Visit,
    PageForm(form): PageForm<D::Form>,
) -> Result<Response> {
    visit.check_csrf(D::csrf_token(&form))?;
    let (auth, _) = match at_step(&app, &visit, choosing_document).await? {
        Ok(at) => at,
        Err(elsewhere) => return Ok(elsewhere),
    };
    let now = visit.now;
    let details = match D::details(&form, today(now)) {
        Ok(details) => details,
        Err(problems) => {
            let page = D::page(visit.csrf_token(), form, problems.into(), None);
            return render(&page, StatusCode::BAD_REQUEST);
        }
    };
    let (keys, document) = (app.oidc.keys.set(), (D::SOURCE, D::document(&details)));
    let check = D::check(&app, &details, today(now));
    let stores = (&app.db, &*keys);
    let identity = &app.identity;
    match identity
        .check_document(stores, &auth.account_id, document, now, check)
        .await?
    {
        DocumentChecked::Limited { until } => limit_reached(visit, until),
        DocumentChecked::Next => Ok(Redirect::to("/identity/next").into_response()),
        DocumentChecked::NotMatched { left } => {
            let page = D::page(visit.csrf_token(), form, FormErrors::none(), Some(left));
            render(&page, StatusCode::OK)
        }
    }
}
