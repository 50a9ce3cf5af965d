//! The create-account pages' forms (`PageForm`): the email address and its checks, and the new
//! password with its confirmation (length, common passwords).
#![no_main]

use libfuzzer_sys::fuzz_target;
use one_login_fuzz::page_form;
use one_login_provider::accounts::email_problem;
use one_login_provider::accounts::password::{check_new_password, normalise};
use one_login_provider::store::normalise_email;
use one_login_provider::web::pages::create_account::{EmailForm, PasswordForm};

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
    } else if let Some(form) = page_form::<PasswordForm>(body) {
        if check_new_password(&form.password).is_ok() {
            let length = form.password.chars().count();
            assert!((8..=256).contains(&length), "{length} characters accepted");
            assert!(
                !normalise(&form.password)
                    .chars()
                    .all(|c| c.is_ascii_digit())
            );
        }
        let _ = form.confirm_password == form.password;
    }
});
