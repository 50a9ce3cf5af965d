//! Issue 15's checks of any service's words (the provider's `catalogue_check` and the
//! departments' tests use them): that the English and Welsh catalogues hold the same keys, and
//! that a template writes no user-facing words of its own: what a template shows that no
//! `{{ }}` or `{% %}` wrote, the string literals of its tags that read as words, and the
//! attributes a person reads.

use one_login_core::i18n::keys;

/// Both catalogues' sources, English then Welsh, parse; neither defines a key twice; and each
/// defines every key of the other (a page never falls back to English, nor shows a key).
#[track_caller]
pub fn assert_same_keys(en: &str, cy: &str) {
    for (language, source) in [("English", en), ("Welsh", cy)] {
        if let Err((_, errors)) = fluent_syntax::parser::parse(source) {
            panic!("the {language} catalogue does not parse: {errors:?}");
        }
        let keys = keys(source);
        let twice = defined_twice(&keys);
        assert!(
            twice.is_empty(),
            "the {language} catalogue defines these twice: {twice:?}"
        );
    }
    let (en, cy) = (keys(en), keys(cy));
    let missing_in_cy: Vec<_> = en.iter().filter(|k| !cy.contains(k)).collect();
    let missing_in_en: Vec<_> = cy.iter().filter(|k| !en.contains(k)).collect();
    assert!(
        missing_in_cy.is_empty(),
        "missing in the Welsh catalogue: {missing_in_cy:?}"
    );
    assert!(
        missing_in_en.is_empty(),
        "missing in the English catalogue: {missing_in_en:?}"
    );
}

fn defined_twice(keys: &[String]) -> Vec<&String> {
    let mut seen = std::collections::HashSet::new();
    keys.iter().filter(|key| !seen.insert(*key)).collect()
}

/// Words a template may write as they are: the toggle names each language in itself.
pub const ALLOWED: &[&str] = &["English", "Cymraeg", "|", ".", "GOV.UK"];

/// The words `template` writes outside the catalogues (empty when it writes none).
pub fn own_words(template: &str) -> Vec<String> {
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
            .filter(|w| w.chars().any(char::is_alphabetic))
            .map(str::to_owned),
    );
    words.retain(|w| !ALLOWED.contains(&w.as_str()));
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

/// The catalogue keys a template or source file uses: the string literal before each `"|t`
/// filter, and after each `text("` or `text_with("` call.
pub fn keys_used(source: &str) -> Vec<String> {
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
            if let Some(start) = source[..at].rfind('"') {
                used.push(source[start + 1..at].to_owned());
            }
        }
    }
    for call in ["text(\"", "text_with(\""] {
        for (at, _) in source.match_indices(call) {
            let rest = &source[at + call.len()..];
            if let Some(end) = rest.find('"') {
                used.push(rest[..end].to_owned());
            }
        }
    }
    used
}

#[cfg(test)]
mod tests {
    use super::*;

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
        assert_eq!(
            own_words("<span>English</span> | Cymraeg"),
            Vec::<String>::new()
        );
    }

    #[test]
    fn catalogues_differing_in_keys_are_told_apart() {
        assert_same_keys("a = A\nb = B\n", "b = Bb\na = Aa\n");
        let differ = |en: &'static str, cy: &'static str| {
            std::panic::catch_unwind(|| assert_same_keys(en, cy)).is_err()
        };
        assert!(differ("a = A\nb = B\n", "a = Aa\n"), "missing in Welsh");
        assert!(differ("a = A\n", "a = Aa\nb = Bb\n"), "missing in English");
        assert!(differ("a = A\na = A\n", "a = Aa\n"), "twice in English");
        assert!(differ("a = A\n", "a = Aa\na = Ab\n"), "twice in Welsh");
        assert!(differ("a = A\n= broken\n", "a = Aa\n"), "does not parse");
    }

    #[test]
    fn keys_are_found_in_templates_and_code() {
        assert_eq!(
            keys_used(
                "{{ \"start-now\"|t }} {% call x(\"a-b\"|t) %} text(\"c\") text_with(\"d\", &[])"
            ),
            ["start-now", "a-b", "c", "d"]
        );
    }
}
