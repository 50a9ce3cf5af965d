//! The proving journey's page types, one per template in `templates/identity/`.

use askama::Template;

use crate::web::language::filters;

use crate::web::templates::FormErrors;
use one_login_core::identity::addresses::ManualAddressEntry;
use one_login_core::identity::details::{DrivingLicenceEntry, PassportEntry};

/// One radio of a `govuk::radios` group.
pub struct RadioOption {
    pub value: String,
    pub text: String,
    pub hint: String,
    pub divider_before: bool,
}

impl RadioOption {
    pub fn new(value: impl Into<String>, text: impl Into<String>) -> Self {
        RadioOption {
            value: value.into(),
            text: text.into(),
            hint: String::new(),
            divider_before: false,
        }
    }
}

#[derive(Template)]
#[template(path = "identity/start.html")]
pub struct StartPage {
    pub csrf_token: String,
    pub service: String,
    pub options: Vec<RadioOption>,
    pub errors: FormErrors,
}

#[derive(Template)]
#[template(path = "identity/passport.html")]
pub struct PassportPage {
    pub csrf_token: String,
    /// Where the form posts: the proving journey, or replacing a lost authenticator app.
    pub action: &'static str,
    /// The back link, which is also where another document can be chosen.
    pub back: &'static str,
    /// Why the page is asked for, when not in the proving journey.
    pub intro: Option<&'static str>,
    pub form: PassportEntry,
    pub errors: FormErrors,
    pub not_matched: bool,
    pub attempts_left: u32,
}

#[derive(Template)]
#[template(path = "identity/driving_licence.html")]
pub struct DrivingLicencePage {
    pub csrf_token: String,
    pub form: DrivingLicenceEntry,
    pub errors: FormErrors,
    pub not_matched: bool,
    pub attempts_left: u32,
}

#[derive(Template)]
#[template(path = "identity/address.html")]
pub struct AddressPage {
    pub csrf_token: String,
    pub postcode: String,
    pub errors: FormErrors,
}

#[derive(Template)]
#[template(path = "identity/choose_address.html")]
pub struct ChooseAddressPage {
    pub csrf_token: String,
    pub options: Vec<RadioOption>,
    pub errors: FormErrors,
}

/// The GOV.UK address pattern, for an address the register does not list.
#[derive(Template)]
#[template(path = "identity/manual_address.html")]
pub struct ManualAddressPage {
    pub csrf_token: String,
    pub entry: ManualAddressEntry,
    pub errors: FormErrors,
}

#[derive(Template)]
#[template(path = "identity/question.html")]
pub struct QuestionPage {
    pub csrf_token: String,
    pub question_id: String,
    pub question: String,
    pub number: usize,
    pub total: usize,
    pub options: Vec<RadioOption>,
    pub errors: FormErrors,
}

#[derive(Template)]
#[template(path = "identity/proven.html")]
pub struct ProvenPage {
    pub name: String,
    pub service: String,
}

#[derive(Template)]
#[template(path = "identity/failed.html")]
pub struct FailedPage {
    pub csrf_token: String,
    pub title: String,
    pub paragraphs: Vec<String>,
}

/// "You cannot prove your identity online right now": the attempt limit (issue 11.5).
#[derive(Template)]
#[template(path = "identity/limited.html")]
pub struct LimitedPage {
    pub csrf_token: String,
    /// How long until the citizen can try again online, in words.
    pub wait: String,
}

#[derive(Template)]
#[template(path = "identity/reuse.html")]
pub struct ReusePage {
    pub csrf_token: String,
    pub service: String,
    pub name: String,
    pub birth_date: String,
    pub address: String,
}
