//! Issue 15's promises about the words, checked over the sources: both catalogues hold the same
//! keys, every key the templates and code use is in them, and no template writes user-facing
//! English of its own.

use std::path::{Path, PathBuf};

use one_login_core::i18n::{CATALOGUES, Language, keys};
// The checks are shared with the demo departments'.
use one_login_test_support::catalogue::{assert_same_keys, keys_used, own_words};

fn files(dir: &Path, extension: &str, found: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files(&path, extension, found);
        } else if path.extension().is_some_and(|e| e == extension) {
            found.push(path);
        }
    }
}

fn sources(dir: &str, extension: &str) -> Vec<(PathBuf, String)> {
    let mut found = Vec::new();
    files(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join(dir),
        extension,
        &mut found,
    );
    found
        .into_iter()
        .map(|path| {
            let text = std::fs::read_to_string(&path).unwrap();
            (path, text)
        })
        .collect()
}

fn templates() -> Vec<(PathBuf, String)> {
    let mut all = sources("templates", "html");
    all.extend(sources("../govuk-assets/templates", "html"));
    all
}

#[test]
fn both_catalogues_parse_and_hold_the_same_keys() {
    let [(_, en), (_, cy)] = CATALOGUES;
    assert_same_keys(en, cy);
}

#[test]
fn every_key_used_is_in_both_catalogues() {
    let defined: Vec<Vec<String>> = CATALOGUES.iter().map(|(_, s)| keys(s)).collect();
    let mut checked = 0;
    let code = sources("src", "rs")
        .into_iter()
        .filter(|(path, _)| !path.ends_with("catalogue_check.rs"));
    for (path, source) in templates().into_iter().chain(code) {
        for key in keys_used(&source) {
            if key.contains('{') || key.contains(' ') {
                continue; // a format string or prose, not a key
            }
            for (language, keys) in CATALOGUES.iter().map(|(l, _)| l).zip(&defined) {
                assert!(
                    keys.contains(&key),
                    "{}: key {key:?} is missing from {language}.ftl",
                    path.display()
                );
            }
            checked += 1;
        }
    }
    assert!(
        checked > 200,
        "only {checked} keys found: is the pattern right?"
    );
}

#[test]
fn the_layout_s_own_words_are_in_the_catalogues_in_english_too() {
    for (key, english) in govuk_assets::words::KEYS {
        assert_eq!(Language::En.text(key), *english, "{key}");
        assert_ne!(Language::Cy.text(key), *key, "{key} missing in Welsh");
    }
}

#[test]
fn templates_write_no_english_of_their_own() {
    for (path, template) in templates() {
        // The layout's documentation comment and the SVG logo's <title> are not shown words.
        let words = own_words(&template);
        assert!(
            words.is_empty(),
            "{} writes words outside the catalogues: {words:?}",
            path.display()
        );
    }
}
