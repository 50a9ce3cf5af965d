//! The create-account pages' forms (`PageForm`): the email address and its checks, and the new
//! password with its confirmation (length, common passwords).
#![no_main]

use libfuzzer_sys::fuzz_target;
use one_login_core::accounts::password::normalise;
use one_login_core::accounts::{email_problem, new_password_problems};
use one_login_fuzz::page_form;
use one_login_provider::web::pages::{EmailForm, NewPasswordForm};
use one_login_store::normalise_email;

fuzz_target!(|data: &[u8]| {
    let Some((&which, body)) = data.split_first() else {
        return;
    };
    if which % 2 == 0 {
        if let Some(form) = page_form::<EmailForm>(body) {
            let email = form.email.trim();
            if email_problem(email).is_none() {
                let normal = normalise_email(email);
                assert_eq!(normalise_email(&normal), normal);
                assert!(email_problem(&normal).is_none(), "{email:?} -> {normal:?}");
            }
        }
    } else if let Some(form) = page_form::<NewPasswordForm>(body)
        && new_password_problems(&form.password, &form.confirm_password).is_empty()
    {
        assert_eq!(form.password, form.confirm_password);
        let length = form.password.chars().count();
        assert!((8..=256).contains(&length), "{length} characters accepted");
        assert!(
            !normalise(&form.password)
                .chars()
                .all(|c| c.is_ascii_digit())
        );
    }
});
