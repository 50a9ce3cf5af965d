//! The layout's promises (issue 14), kept by a test: handlers stay thin, and the domain and
//! storage crates do not take on the web.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
use std::path::{Path, PathBuf};

/// Handlers parse, call the domain, render: none longer than this.
const MAX_HANDLER_LINES: usize = 40;

fn rust_files(dir: &Path, found: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, found);
        } else if path.extension().is_some_and(|e| e == "rs") {
            found.push(path);
        }
    }
}

/// Every `pub async fn` (a handler or a helper a handler calls) and its length in lines.
fn public_async_fns(text: &str) -> Vec<(String, usize)> {
    let lines: Vec<&str> = text.lines().collect();
    let mut found = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        let trimmed = line.trim_start();
        if let Some(rest) = trimmed.strip_prefix("pub async fn ") {
            let indent = &line[..line.len() - trimmed.len()];
            let end = format!("{indent}}}");
            let name: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            let close = (i + 1..lines.len()).find(|&j| lines[j] == end).unwrap_or(i);
            found.push((name, close - i + 1));
            i = close;
        }
        i += 1;
    }
    found
}

#[test]
fn web_handlers_are_at_most_40_lines() {
    let web = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/web");
    let mut files = Vec::new();
    rust_files(&web, &mut files);
    let mut long = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        for (name, lines) in public_async_fns(&text) {
            if lines > MAX_HANDLER_LINES {
                long.push(format!("{} {name}: {lines} lines", file.display()));
            }
        }
    }
    assert!(files.len() > 10, "the web layer's files were found");
    assert!(
        long.is_empty(),
        "move the rules into one-login-core:\n{}",
        long.join("\n")
    );
}

#[test]
fn the_counter_sees_a_long_handler() {
    let body = "    let x = 1;\n".repeat(45);
    let text = format!("pub async fn long() {{\n{body}}}\n\npub async fn short() {{\n}}\n");
    assert_eq!(
        public_async_fns(&text),
        vec![("long".to_owned(), 47), ("short".to_owned(), 2)]
    );
}

/// The domain and storage crates build without the web framework (issue 14.4): checked on
/// their manifests, so a dependency added by mistake fails here and not only in review.
#[test]
fn core_and_store_do_not_depend_on_the_web() {
    let crates = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    for name in ["core", "store"] {
        let manifest = std::fs::read_to_string(crates.join(name).join("Cargo.toml")).unwrap();
        let normal = manifest
            .split("[dependencies]")
            .nth(1)
            .unwrap()
            .split("\n[")
            .next()
            .unwrap();
        for web in ["axum", "tower", "askama", "one-login-provider"] {
            assert!(
                !normal.lines().any(|l| l.trim_start().starts_with(web)),
                "{name} depends on {web}"
            );
        }
    }
    let store = std::fs::read_to_string(crates.join("store/Cargo.toml")).unwrap();
    assert!(
        !store.contains("one-login-core"),
        "the store knows no domain crate"
    );
}
