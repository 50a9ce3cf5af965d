//! The address pages: find by postcode, choose from the list. Confirming the address records
//! it; the fraud check follows at once from the journey's hub.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::templates::{AddressPage, ChooseAddressPage, ManualAddressPage, RadioOption};
use super::{at_step, giving_address};
use crate::app::AppState;
use crate::web::error::Result;
use crate::web::extract::PageForm;
use crate::web::templates::{FormErrors, render};
use crate::web::visit::Visit;
use one_login_core::identity::addresses::{self, ManualAddressEntry};

pub async fn address_form(State(app): State<AppState>, mut visit: Visit) -> Result<Response> {
    if let Err(elsewhere) = at_step(&app, &visit, giving_address).await? {
        return Ok(elsewhere);
    }
    let page = AddressPage {
        csrf_token: visit.csrf_token(),
        postcode: String::new(),
        errors: FormErrors::none(),
    };
    render(&page, StatusCode::OK)
}

#[derive(Debug, Deserialize)]
pub struct PostcodeForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    postcode: String,
}

pub async fn find_address(
    State(app): State<AppState>,
    mut visit: Visit,
    PageForm(form): PageForm<PostcodeForm>,
) -> Result<Response> {
    visit.check_csrf(&form.csrf_token)?;
    if let Err(elsewhere) = at_step(&app, &visit, giving_address).await? {
        return Ok(elsewhere);
    }
    match app.identity.find_addresses(&form.postcode).await? {
        Ok(found) => {
            if let Some(journey) = visit.session_mut().proving.as_mut() {
                journey.addresses = found;
            }
            Ok(Redirect::to("/identity/address/choose").into_response())
        }
        Err(message) => {
            let page = AddressPage {
                csrf_token: visit.csrf_token(),
                postcode: form.postcode.chars().take(16).collect(),
                errors: FormErrors::from(vec![("postcode", message)]),
            };
            render(&page, StatusCode::BAD_REQUEST)
        }
    }
}

fn choose_page(visit: &mut Visit, errors: FormErrors) -> Option<ChooseAddressPage> {
    let addresses = visit.session()?.proving.as_ref()?.addresses.clone();
    if addresses.is_empty() {
        return None;
    }
    Some(ChooseAddressPage {
        csrf_token: visit.csrf_token(),
        options: addresses
            .iter()
            .enumerate()
            .map(|(i, a)| RadioOption::new(i.to_string(), a.one_line()))
            .collect(),
        errors,
    })
}

pub async fn choose_address_form(
    State(app): State<AppState>,
    mut visit: Visit,
) -> Result<Response> {
    if let Err(elsewhere) = at_step(&app, &visit, giving_address).await? {
        return Ok(elsewhere);
    }
    let Some(page) = choose_page(&mut visit, FormErrors::none()) else {
        return Ok(Redirect::to("/identity/address").into_response());
    };
    render(&page, StatusCode::OK)
}

#[derive(Debug, Deserialize)]
pub struct ChooseForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    address: String,
}

pub async fn choose_address(
    State(app): State<AppState>,
    mut visit: Visit,
    PageForm(form): PageForm<ChooseForm>,
) -> Result<Response> {
    visit.check_csrf(&form.csrf_token)?;
    let (auth, journey) = match at_step(&app, &visit, giving_address).await? {
        Ok(at) => at,
        Err(elsewhere) => return Ok(elsewhere),
    };
    let chosen = form
        .address
        .parse::<usize>()
        .ok()
        .and_then(|i| journey.addresses.get(i).cloned());
    let Some(address) = chosen else {
        let Some(page) = choose_page(
            &mut visit,
            FormErrors::one("address", "Select your address"),
        ) else {
            return Ok(Redirect::to("/identity/address").into_response());
        };
        return render(&page, StatusCode::BAD_REQUEST);
    };
    let (keys, now) = (app.oidc.keys.set(), visit.now);
    let stores = (&app.db, &*keys);
    app.identity
        .confirm_address(stores, &auth.account_id, &address, now)
        .await?;
    if let Some(journey) = visit.session_mut().proving.as_mut() {
        journey.addresses.clear();
    }
    Ok(Redirect::to("/identity/next").into_response())
}

/// `GET /identity/address/manual`: "My address is not listed" (the GOV.UK address pattern).
pub async fn manual_address_form(
    State(app): State<AppState>,
    mut visit: Visit,
) -> Result<Response> {
    if let Err(elsewhere) = at_step(&app, &visit, giving_address).await? {
        return Ok(elsewhere);
    }
    let page = ManualAddressPage {
        csrf_token: visit.csrf_token(),
        entry: ManualAddressEntry::default(),
        errors: FormErrors::none(),
    };
    render(&page, StatusCode::OK)
}

#[derive(Debug, Deserialize)]
pub struct ManualAddressForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(flatten)]
    entry: ManualAddressEntry,
}

/// Records the address as typed: as entered by hand, not checked against the register, so it
/// raises no score (see `IdentityService::record_manual_address`).
pub async fn manual_address(
    State(app): State<AppState>,
    mut visit: Visit,
    PageForm(form): PageForm<ManualAddressForm>,
) -> Result<Response> {
    visit.check_csrf(&form.csrf_token)?;
    let (auth, _) = match at_step(&app, &visit, giving_address).await? {
        Ok(at) => at,
        Err(elsewhere) => return Ok(elsewhere),
    };
    let address = match addresses::manual_address(&form.entry) {
        Ok(address) => address,
        Err(problems) => {
            let page = ManualAddressPage {
                csrf_token: visit.csrf_token(),
                entry: form.entry,
                errors: problems.into(),
            };
            return render(&page, StatusCode::BAD_REQUEST);
        }
    };
    let (keys, now) = (app.oidc.keys.set(), visit.now);
    app.identity
        .record_manual_address((&app.db, &*keys), &auth.account_id, &address, now)
        .await?;
    if let Some(journey) = visit.session_mut().proving.as_mut() {
        journey.addresses.clear();
    }
    Ok(Redirect::to("/identity/next").into_response())
}
