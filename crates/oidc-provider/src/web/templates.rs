//! The pages' template types, one per template file, and what they share.

use askama::Template;
use axum::http::StatusCode;
use axum::response::Response;

use super::visit::html;
use crate::error::Result;

/// Pages write times as the emails do.
pub use crate::clock::format_time;

/// One field's error, as the error summary and the field show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// The input's id, linked from the error summary.
    pub field: &'static str,
    pub message: String,
}

/// The errors of one form, in the order of its fields.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FormErrors(Vec<FieldError>);

impl FormErrors {
    pub fn none() -> Self {
        FormErrors(Vec::new())
    }

    pub fn one(field: &'static str, message: impl Into<String>) -> Self {
        let mut errors = FormErrors::none();
        errors.add(field, message);
        errors
    }

    pub fn add(&mut self, field: &'static str, message: impl Into<String>) {
        self.0.push(FieldError {
            field,
            message: message.into(),
        });
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The message for `field`, or "" (the macros' "no error").
    pub fn get(&self, field: &str) -> &str {
        self.0
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.as_str())
            .unwrap_or("")
    }
}

impl<'a> IntoIterator for &'a FormErrors {
    type Item = &'a FieldError;
    type IntoIter = std::slice::Iter<'a, FieldError>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

/// Renders a page; a form with errors is answered 400 (the page, re-shown with its values).
pub fn render(template: &impl Template, status: StatusCode) -> Result<Response> {
    Ok(html(status, template.render()?))
}

pub fn form_status(errors: &FormErrors) -> StatusCode {
    if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    }
}

#[derive(Template)]
#[template(path = "start.html")]
pub struct StartPage;

#[derive(Template)]
#[template(path = "create_account/email.html")]
pub struct EnterEmailPage {
    pub csrf_token: String,
    pub email: String,
    pub errors: FormErrors,
}

#[derive(Template)]
#[template(path = "create_account/check_email.html")]
pub struct CheckEmailPage {
    pub csrf_token: String,
    pub email: String,
    pub ttl_minutes: u64,
    pub errors: FormErrors,
}

#[derive(Template)]
#[template(path = "create_account/password.html")]
pub struct CreatePasswordPage {
    pub csrf_token: String,
    pub errors: FormErrors,
}

#[derive(Template)]
#[template(path = "authenticator_app.html")]
pub struct AuthenticatorAppPage {
    pub csrf_token: String,
    /// Where the form posts: creating an account, or adding an app to an existing one.
    pub action: &'static str,
    pub qr_code: String,
    pub secret_grouped: String,
    pub errors: FormErrors,
}

#[derive(Template)]
#[template(path = "sign_in/password.html")]
pub struct SignInPage {
    pub csrf_token: String,
    pub email: String,
    pub errors: FormErrors,
    /// See [`tries_left_warning`].
    pub tries_warning: Option<String>,
}

#[derive(Template)]
#[template(path = "sign_in/code.html")]
pub struct SignInCodePage {
    pub csrf_token: String,
    /// Where the form posts: signing in, or confirming a password reset.
    pub action: &'static str,
    /// Offer the way in for a citizen without their app (signing in only).
    pub lost_app_link: bool,
    pub errors: FormErrors,
    /// See [`tries_left_warning`].
    pub tries_warning: Option<String>,
}

#[derive(Template)]
#[template(path = "sign_in/new_password.html")]
pub struct NewPasswordPage {
    pub csrf_token: String,
    pub errors: FormErrors,
}

/// Where a citizen whose account cannot sign in is told to turn: GOV.UK One Login's own
/// contact form, where the service this one is modelled on sends them.
pub const SUPPORT_CONTACT: &str = "https://home.account.gov.uk/contact-gov-uk-one-login";

/// Issue 10 item 6: once 2 or fewer tries remain before a wait, the page says how many.
pub fn tries_left_warning(tries_left: u32) -> Option<String> {
    match tries_left {
        0 => None,
        1 => Some("You have 1 try left before you have to wait to try again.".to_owned()),
        n @ 2 => Some(format!(
            "You have {n} tries left before you have to wait to try again."
        )),
        _ => None,
    }
}

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

/// One text field of an [`AccountFormPage`].
pub struct FormField {
    pub name: &'static str,
    pub label: &'static str,
    pub input_type: &'static str,
    pub value: String,
    pub hint: &'static str,
    pub autocomplete: &'static str,
    pub inputmode: &'static str,
    pub classes: &'static str,
}

impl FormField {
    /// A password field: never filled in again when the page comes back with errors.
    pub fn password(name: &'static str, label: &'static str, autocomplete: &'static str) -> Self {
        FormField {
            name,
            label,
            input_type: "password",
            value: String::new(),
            hint: "",
            autocomplete,
            inputmode: "",
            classes: "",
        }
    }

    pub fn email(label: &'static str, value: String) -> Self {
        FormField {
            name: "email",
            label,
            input_type: "email",
            value,
            hint: "",
            autocomplete: "email",
            inputmode: "",
            classes: "",
        }
    }

    /// A 6-digit code field.
    pub fn code(label: &'static str, hint: &'static str) -> Self {
        FormField {
            name: "code",
            label,
            input_type: "text",
            value: String::new(),
            hint,
            autocomplete: "one-time-code",
            inputmode: "numeric",
            classes: "govuk-input--width-5 govuk-input--extra-letter-spacing",
        }
    }
}

/// The account pages' forms (change email, password, app; close; report; give the password
/// again): a heading, some words, fields, one button.
#[derive(Template)]
#[template(path = "account/form.html")]
pub struct AccountFormPage {
    pub csrf_token: String,
    pub title: String,
    pub paragraphs: Vec<String>,
    pub warning: Option<String>,
    pub action: &'static str,
    pub hidden: Vec<(&'static str, String)>,
    pub fields: Vec<FormField>,
    pub button: &'static str,
    /// The button does something that cannot be undone: a warning button.
    pub destructive: bool,
    pub links: Vec<Link>,
    pub errors: FormErrors,
}

impl AccountFormPage {
    pub fn new(csrf_token: String, title: impl Into<String>, action: &'static str) -> Self {
        AccountFormPage {
            csrf_token,
            title: title.into(),
            paragraphs: Vec::new(),
            warning: None,
            action,
            hidden: Vec::new(),
            fields: Vec::new(),
            button: "Continue",
            destructive: false,
            links: vec![Link {
                href: "/account".into(),
                text: "Cancel and go back to your account".into(),
            }],
            errors: FormErrors::none(),
        }
    }

    pub fn paragraph(mut self, text: impl Into<String>) -> Self {
        self.paragraphs.push(text.into());
        self
    }

    pub fn field(mut self, field: FormField) -> Self {
        self.fields.push(field);
        self
    }

    pub fn hidden(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.hidden.push((name, value.into()));
        self
    }

    pub fn warning(mut self, text: Option<String>) -> Self {
        self.warning = text;
        self
    }

    pub fn button(mut self, text: &'static str, destructive: bool) -> Self {
        self.button = text;
        self.destructive = destructive;
        self
    }

    pub fn link(mut self, href: impl Into<String>, text: impl Into<String>) -> Self {
        self.links.insert(
            0,
            Link {
                href: href.into(),
                text: text.into(),
            },
        );
        self
    }

    pub fn errors(mut self, errors: FormErrors) -> Self {
        self.errors = errors;
        self
    }

    /// Rendered: 400 with errors, else 200.
    pub fn respond(&self) -> Result<Response> {
        render(self, form_status(&self.errors))
    }
}

pub struct Link {
    pub href: String,
    pub text: String,
}

/// A page that only tells the citizen something: errors, confirmations, information.
#[derive(Template)]
#[template(path = "message.html")]
pub struct MessagePage {
    pub title: String,
    pub paragraphs: Vec<String>,
    /// Each in a paragraph of its own, after the text.
    pub links: Vec<Link>,
}

impl MessagePage {
    pub fn new(title: impl Into<String>) -> Self {
        MessagePage {
            title: title.into(),
            paragraphs: Vec::new(),
            links: Vec::new(),
        }
    }

    pub fn paragraph(mut self, text: impl Into<String>) -> Self {
        self.paragraphs.push(text.into());
        self
    }

    pub fn link(mut self, href: impl Into<String>, text: impl Into<String>) -> Self {
        self.links.push(Link {
            href: href.into(),
            text: text.into(),
        });
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tries_left_shown_from_two() {
        assert_eq!(tries_left_warning(3), None);
        assert_eq!(
            tries_left_warning(2).as_deref(),
            Some("You have 2 tries left before you have to wait to try again.")
        );
        assert_eq!(
            tries_left_warning(1).as_deref(),
            Some("You have 1 try left before you have to wait to try again.")
        );
        assert_eq!(tries_left_warning(0), None);
    }

    #[test]
    fn form_errors_lookup() {
        let mut errors = FormErrors::one("email", "Enter your email address");
        errors.add("password", "Enter your password");
        assert_eq!(errors.get("password"), "Enter your password");
        assert_eq!(errors.get("code"), "");
        assert_eq!(form_status(&errors), StatusCode::BAD_REQUEST);
        assert_eq!(form_status(&FormErrors::none()), StatusCode::OK);
    }
}

pub struct ConsentItem {
    pub text: String,
}

#[derive(Template)]
#[template(path = "consent.html")]
pub struct ConsentPage {
    pub csrf_token: String,
    pub client_name: String,
    pub items: Vec<ConsentItem>,
}

/// "Do you want to sign out?", for a logout request without a valid ID token hint, or with one
/// for another session or citizen. A valid hint's request is carried in hidden fields.
#[derive(Template)]
#[template(path = "sign_out.html")]
pub struct SignOutPage {
    pub csrf_token: String,
    pub id_token_hint: Option<String>,
    pub client_id: Option<String>,
    pub post_logout_redirect_uri: Option<String>,
    pub state: Option<String>,
}
