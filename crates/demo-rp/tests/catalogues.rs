//! Issue 15's promises about the departments' words, checked over the sources: both catalogues
//! hold the same keys, every key the templates and pages use is in them, no template writes
//! user-facing English of its own, and the Welsh is written, not copied.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};

use one_login_core::i18n::{CATALOGUES, Language, keys};
use one_login_demo_rp::web::language::WORDS;
use one_login_test_support::catalogue::{assert_same_keys, keys_used, own_words};

fn crate_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

fn files(dir: &Path, extension: &str) -> Vec<(PathBuf, String)> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            found.extend(files(&path, extension));
        } else if path.extension().is_some_and(|e| e == extension) {
            let text = std::fs::read_to_string(&path).unwrap();
            found.push((path, text));
        }
    }
    found
}

fn own_keys(language: Language) -> Vec<String> {
    let (_, source) = WORDS
        .sources()
        .into_iter()
        .find(|(l, _)| *l == language)
        .unwrap();
    keys(source)
}

/// Keys the department takes from the provider's catalogues: the GOV.UK layout's words and
/// the month names.
fn shared(key: &str) -> bool {
    govuk_words().contains(&key) || key.strip_prefix("month-").is_some()
}

fn govuk_words() -> Vec<&'static str> {
    govuk_assets::words::KEYS.iter().map(|(k, _)| *k).collect()
}

#[test]
fn both_catalogues_parse_and_hold_the_same_keys() {
    let [(_, en), (_, cy)] = WORDS.sources();
    assert_same_keys(en, cy);
    let count = own_keys(Language::En).len();
    assert!(count > 80, "only {count} keys: is the catalogue read?");
}

#[test]
fn the_welsh_is_written_not_copied() {
    let copied: Vec<String> = own_keys(Language::En)
        .into_iter()
        .filter(|key| WORDS.text(Language::En, key) == WORDS.text(Language::Cy, key))
        .collect();
    assert!(copied.is_empty(), "the same in both languages: {copied:?}");
}

#[test]
fn no_department_key_hides_a_shared_one() {
    let hidden: Vec<String> = own_keys(Language::En)
        .into_iter()
        .filter(|key| shared(key) || key == "language-code")
        .collect();
    assert!(
        hidden.is_empty(),
        "these would hide the layout's words: {hidden:?}"
    );
    // And the shared ones are there, in both languages.
    let provider = keys(CATALOGUES[1].1);
    for key in govuk_words() {
        assert!(
            provider.iter().any(|k| k == key),
            "{key} missing from cy.ftl"
        );
    }
}

/// Every key the templates and the pages' code use is the department's, or one of the shared
/// words; and the key-like literals of the code that draws pages are keys.
#[test]
fn every_key_used_is_in_both_catalogues() {
    let ours = own_keys(Language::En);
    let mut checked = 0;
    let sources = files(&crate_dir().join("templates"), "html")
        .into_iter()
        .chain(files(&crate_dir().join("src/web"), "rs"))
        // The machinery itself: its examples and literals are not the pages' words.
        .filter(|(path, _)| !path.ends_with("language.rs"));
    for (path, source) in sources {
        let mut used = keys_used(&source);
        if path.extension().is_some_and(|e| e == "rs") {
            used.extend(key_like_literals(&source));
        }
        for key in used {
            assert!(
                ours.contains(&key) || shared(&key) || key == "language-code",
                "{}: key {key:?} is in neither catalogue",
                path.display()
            );
            checked += 1;
        }
    }
    for (path, template) in files(&crate_dir().join("../govuk-assets/templates"), "html") {
        for key in keys_used(&template) {
            assert_ne!(
                WORDS.text(Language::Cy, &key),
                key,
                "{}: {key} has no Welsh",
                path.display()
            );
        }
    }
    assert!(
        checked > 100,
        "only {checked} keys found: is the pattern right?"
    );
}

/// Literals such as `"could-not-confirm-identity"`: lower case words joined by hyphens, which
/// in the pages' code are message keys (the few that are HTTP words are named here).
fn key_like_literals(source: &str) -> Vec<String> {
    const NOT_KEYS: &[&str] = &[
        "same-origin",
        "no-store",
        "no-referrer",
        "cross-origin-opener-policy",
    ];
    source
        .split('"')
        .skip(1)
        .step_by(2)
        .filter(|literal| {
            literal.contains('-')
                && literal
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
                && !NOT_KEYS.contains(literal)
        })
        .map(str::to_owned)
        .collect()
}

#[test]
fn templates_write_no_english_of_their_own() {
    let templates = files(&crate_dir().join("templates"), "html");
    assert!(templates.len() >= 5);
    for (path, template) in templates {
        let words = own_words(&template);
        assert!(
            words.is_empty(),
            "{} writes words outside the catalogues: {words:?}",
            path.display()
        );
    }
}
