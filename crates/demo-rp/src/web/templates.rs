//! The pages' template types, one per template file.

use askama::Template;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use govuk_assets::words::filters;

use one_login_rp::IdentityCheck;
use one_login_rp::identity::{CoreIdentity, DrivingPermit, PostalAddress};

use crate::config::Form;
use crate::error::Result;

pub fn html(status: StatusCode, body: String) -> Response {
    let mut response = (status, body).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    response
}

pub fn render(template: &impl Template) -> Result<Response> {
    Ok(html(StatusCode::OK, template.render()?))
}

#[derive(Template)]
#[template(path = "start.html")]
pub struct StartPage {
    pub service_name: String,
    pub form: Form,
    pub signed_in: bool,
}

#[derive(Template)]
#[template(path = "message.html")]
pub struct MessagePage {
    pub service_name: String,
    pub title: String,
    pub paragraphs: Vec<String>,
    pub link: Option<(&'static str, &'static str)>,
}

/// One row of a summary list.
pub struct Row {
    pub key: &'static str,
    pub value: String,
}

#[derive(Template)]
#[template(path = "application.html")]
pub struct ApplicationPage {
    pub service_name: String,
    pub form: Form,
    pub csrf: String,
    pub sub: String,
    pub email: String,
    /// What the ID token said about the sign-in.
    pub sign_in_rows: Vec<Row>,
    pub identity: Option<CoreIdentity>,
    pub address: Option<PostalAddress>,
    pub driving_permit: Option<DrivingPermit>,
    /// The service asks for identity at a later step and it has not happened yet.
    pub can_check_identity: bool,
    pub identity_check: Option<IdentityCheck>,
    /// The service asks whether the citizen is over 18 at a step of its own, not yet taken.
    pub can_check_age: bool,
    /// The provider's answer: over 18 or not (never the birth date).
    pub over_18: Option<bool>,
    pub can_refresh: bool,
    pub refreshed: bool,
}

#[derive(Template)]
#[template(path = "submitted.html")]
pub struct SubmittedPage {
    pub service_name: String,
    pub form: Form,
    pub reference: String,
    pub rows: Vec<Row>,
}

impl ApplicationPage {
    /// The first line: flat, building, number and street.
    pub fn first_line(&self) -> String {
        let Some(address) = &self.address else {
            return String::new();
        };
        let number_and_street = [
            address.building_number.as_deref(),
            address.street_name.as_deref(),
        ]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
        [
            address.sub_building_name.as_deref(),
            address.building_name.as_deref(),
            Some(number_and_street.as_str()).filter(|s| !s.is_empty()),
        ]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(", ")
    }

    pub fn town(&self) -> String {
        self.address
            .as_ref()
            .and_then(|a| a.address_locality.clone())
            .unwrap_or_default()
    }

    pub fn postcode(&self) -> String {
        self.address
            .as_ref()
            .map(|a| a.postal_code.clone())
            .unwrap_or_default()
    }

    pub fn licence_number(&self) -> String {
        self.driving_permit
            .as_ref()
            .map(|p| p.personal_number.clone())
            .unwrap_or_default()
    }

    pub fn full_name(&self) -> String {
        self.identity
            .as_ref()
            .map(CoreIdentity::full_name)
            .unwrap_or_default()
    }

    pub fn birth_date(&self) -> String {
        self.identity
            .as_ref()
            .map(|i| i.birth_date.to_string())
            .unwrap_or_default()
    }

    pub fn is_driving_licence(&self) -> bool {
        self.form == Form::RenewDrivingLicence
    }
}

impl StartPage {
    pub fn is_driving_licence(&self) -> bool {
        self.form == Form::RenewDrivingLicence
    }
}

impl SubmittedPage {
    pub fn is_driving_licence(&self) -> bool {
        self.form == Form::RenewDrivingLicence
    }
}
