//! The pages' template types, one per template file.

use super::language::filters;
use askama::Template;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use one_login_rp::IdentityCheck;
use one_login_rp::identity::CoreIdentity;

use crate::application::Details;
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
    render_with(StatusCode::OK, template)
}

pub fn render_with(status: StatusCode, template: &impl Template) -> Result<Response> {
    Ok(html(status, template.render()?))
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
    /// Where the link goes, and its words' key.
    pub link: Option<(&'static str, &'static str)>,
}

/// One row of a summary list: the key's message, and the value.
pub struct Row {
    pub key: &'static str,
    pub value: String,
}

/// A field's error, for the error summary (`field` is the id it links to) and the field.
pub struct FieldError {
    pub field: String,
    pub message: String,
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
    /// The proven date of birth as GOV.UK writes it ("8 July 1965").
    pub verified_birth_date: String,
    /// The form's fields: from the proven identity, or as the citizen left them.
    pub details: Details,
    /// What to put right before the application can be sent.
    pub errors: Vec<FieldError>,
    /// The service asks for identity at a later step and it has not happened yet.
    pub can_check_identity: bool,
    /// The service has all it needs to take the application (the proven identity).
    pub can_send: bool,
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
    /// The message for `field` ("full_name", or "birth_date" for any of its three), or "".
    pub fn error(&self, field: &str) -> &str {
        self.errors
            .iter()
            .find(|e| {
                e.field == field
                    || e.field
                        .strip_prefix(field)
                        .is_some_and(|rest| rest.starts_with('-'))
            })
            .map_or("", |e| e.message.as_str())
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
