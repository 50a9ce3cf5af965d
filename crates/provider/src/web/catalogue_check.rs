//! Issue 15's promises about the words, checked over the sources: every key the templates and
//! code use is in the catalogues, and no template writes user-facing English of its own.

use std::path::{Path, PathBuf};

use one_login_core::i18n::{CATALOGUES, Language, keys};

/// Words a template may write as they are: the toggle names each language in itself.
const ALLOWED: &[&str] = &["English", "Cymraeg", "|", ".", "GOV.UK"];

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

/// The string literal just before each occurrence of `after` (`"key"|t`), or just after each
/// occurrence of `before` (`text("key"`).
fn keys_used(source: &str) -> Vec<String> {
    let mut used = Vec::new();
    for filter in [
        "\"|t ",
        "\"|t}",
        "\"|t)",
        "\"|t,",
        "\"|t_with(",
        "\"|t_with2(",
    ] {
        for (at, _) in source.match_indices(filter) {
            let start = source[..at].rfind('"').unwrap();
            used.push(source[start + 1..at].to_owned());
        }
    }
    for call in ["text(\"", "text_with(\"", ".text(\"", ".text_with(\""] {
        for (at, _) in source.match_indices(call) {
            let rest = &source[at + call.len()..];
            used.push(rest[..rest.find('"').unwrap()].to_owned());
        }
    }
    used
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

/// What a template shows that no `{{ }}` or `{% %}` wrote: the text between tags, and the
/// attributes a person reads.
fn own_words(template: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut rest = template;
    let mut text = String::new();
    while let Some(c) = rest.chars().next() {
        let close = if rest.starts_with("{{") {
            Some("}}")
        } else if rest.starts_with("{%") {
            Some("%}")
        } else if rest.starts_with("{#") {
            Some("#}")
        } else if rest.starts_with('<') {
            Some(">")
        } else {
            None
        };
        match close {
            Some(close) => {
                let end = rest.find(close).map_or(rest.len(), |i| i + close.len());
                let tag = &rest[..end];
                if tag.starts_with("{%") {
                    words.extend(unkeyed_literals(tag));
                } else if tag.starts_with('<') {
                    words.extend(readable_attributes(tag));
                }
                text.push(' ');
                rest = &rest[end..];
            }
            None => {
                text.push(c);
                rest = &rest[c.len_utf8()..];
            }
        }
    }
    words.extend(
        text.split_whitespace()
            .filter(|w| w.chars().any(char::is_alphabetic) && !ALLOWED.contains(w))
            .map(str::to_owned),
    );
    words
}

/// A string literal in a tag that looks like words (a capital, or spaces between words that
/// are not class names) and so is not a key.
fn unkeyed_literals(tag: &str) -> Vec<String> {
    tag.split('"')
        .enumerate()
        .filter(|(i, _)| i % 2 == 1)
        .filter(|(_, literal)| {
            literal.chars().any(char::is_uppercase)
                || (literal.contains(' ') && !literal.split(' ').all(|w| w.starts_with("govuk-")))
        })
        .map(|(_, literal)| literal.to_owned())
        .collect()
}

fn readable_attributes(tag: &str) -> Vec<String> {
    ["alt=\"", "aria-label=\"", "title=\"", "placeholder=\""]
        .iter()
        .filter_map(|attribute| {
            let start = tag.find(attribute)? + attribute.len();
            let value = &tag[start..start + tag[start..].find('"')?];
            (!value.starts_with("{{") && value.chars().any(char::is_alphabetic))
                .then(|| value.to_owned())
        })
        .collect()
}

#[test]
fn templates_write_no_english_of_their_own() {
    for (path, template) in templates() {
        // The layout's documentation comment and the SVG logo's <title> are not shown words.
        let words: Vec<String> = own_words(&template)
            .into_iter()
            .filter(|w| !ALLOWED.contains(&w.as_str()))
            .collect();
        assert!(
            words.is_empty(),
            "{} writes words outside the catalogues: {words:?}",
            path.display()
        );
    }
}

#[test]
fn the_scan_finds_english() {
    assert_eq!(own_words("<p>{{ \"a\"|t }}</p>"), Vec::<String>::new());
    assert_eq!(own_words("<h1>Sign in</h1>"), ["Sign", "in"]);
    assert_eq!(
        own_words("{% call govuk::button(\"Continue\") %}{% endcall %}"),
        ["Continue"]
    );
    assert_eq!(own_words("<img alt=\"A QR code\">"), ["A QR code"]);
    assert_eq!(
        own_words("{# Notes for developers #}"),
        Vec::<String>::new()
    );
}
