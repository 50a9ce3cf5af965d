//! Vectors of trust: `parse_vtr` (the JSON array `vtr`) and `parse_vector` (one vector).
//! Round trip: a parsed vector, written out (`Display`, as `vot` carries it), parses back to
//! itself, alone and inside a `vtr` array.
#![no_main]

use libfuzzer_sys::fuzz_target;
use one_login_core::oidc::vtr::{parse_vector, parse_vtr};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    for parsed in [parse_vtr(text), parse_vector(text)].into_iter().flatten() {
        let written = parsed.to_string();
        assert_eq!(parse_vector(&written), Ok(parsed), "{written}");
        let array = serde_json::json!([written]).to_string();
        assert_eq!(parse_vtr(&array), Ok(parsed), "{array}");
    }
});
