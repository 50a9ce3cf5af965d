//! The sign-in pages' forms as the provider reads them (`PageForm`): email and password, the
//! authenticator code, and the checks the handlers make of them before any account is looked
//! up (the email address's shape and its normal form, the password's normal form).
#![no_main]

use libfuzzer_sys::fuzz_target;
use one_login_core::accounts::{email_problem, password};
use one_login_fuzz::page_form;
use one_login_provider::web::pages::CodeForm;
use one_login_provider::web::pages::sign_in::SignInForm;
use one_login_store::normalise_email;

fuzz_target!(|data: &[u8]| {
    let Some((&which, body)) = data.split_first() else {
        return;
    };
    if which % 2 == 0 {
        let _ = page_form::<SignInForm>(body).map(|form| format!("{form:?}"));
        // What the handler does with the typed address, on the same text.
        let text = String::from_utf8_lossy(body);
        let email = text.trim();
        let normal = normalise_email(email);
        assert_eq!(
            normalise_email(&normal),
            normal,
            "normalising twice changes {email:?}"
        );
        let _ = email_problem(email);
        let once = password::normalise(&text);
        assert_eq!(password::normalise(&once), once);
    } else if let Some(form) = page_form::<CodeForm>(body) {
        let _ = form.code.trim().parse::<u32>();
    }
});
