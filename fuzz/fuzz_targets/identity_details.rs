//! The identity pages' document forms (`PageForm`) and their checks: the passport and the
//! photocard driving licence (names, numbers, dates against a fixed today). Names that pass
//! come out in the form `check_name` keeps: checking them again changes nothing.
#![no_main]

use libfuzzer_sys::fuzz_target;
use one_login_core::identity::details::{check_name, driving_licence_details, passport_details};
use one_login_fuzz::page_form;
use one_login_provider::web::pages::identity::{DrivingLicenceForm, PassportForm};
use time::macros::date;

fuzz_target!(|data: &[u8]| {
    let Some((&which, body)) = data.split_first() else {
        return;
    };
    let today = date!(2027 - 01 - 15);
    if which % 2 == 0 {
        let Some(form) = page_form::<PassportForm>(body) else {
            return;
        };
        if let Ok(details) = passport_details(&form.entry, today) {
            assert_eq!(
                check_name(&details.surname, "surname"),
                Ok(details.surname.clone())
            );
            assert_eq!(
                check_name(&details.given_names, "names"),
                Ok(details.given_names.clone())
            );
            assert!(details.birth_date < today);
            assert_eq!(details.passport_number.len(), 9);
        }
    } else {
        let Some(form) = page_form::<DrivingLicenceForm>(body) else {
            return;
        };
        if let Ok(details) = driving_licence_details(&form.entry, today) {
            assert!(details.birth_date < today);
            let _ = format!("{details:?}");
        }
    }
});
