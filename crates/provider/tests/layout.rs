//! The layout's promises (issue 14), kept by a test: handlers stay thin, and the domain and
//! storage crates do not take on the web.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
use std::path::{Path, PathBuf};

/// Handlers parse, call the domain, render: none longer than this.
const MAX_HANDLER_LINES: usize = 40;

/// Folders of build output, installed packages and fuzzing data: nothing of ours to read.
const NOT_OURS: [&str; 5] = ["target", "node_modules", "corpus", "artifacts", "dist"];

/// Every file under `dir`, at any depth, whose name ends with `.extension`.
fn files_under(dir: &Path, extension: &str, found: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        if path.is_dir() && NOT_OURS.contains(&name) {
            continue;
        }
        if path.is_dir() {
            files_under(&path, extension, found);
        } else if path.extension().is_some_and(|e| e == extension) {
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
    files_under(&web, "rs", &mut files);
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

/// The documents (issue 16): the README, everything under `docs/`, and the READMEs beside the
/// code, the configuration, the fuzz targets and the tests.
fn documents(root: &Path) -> Vec<PathBuf> {
    let mut found = vec![root.join("README.md")];
    for folder in ["docs", "crates", "config", "fuzz", "tests"] {
        files_under(&root.join(folder), "md", &mut found);
    }
    found
}

/// A heading's anchor as GitHub makes it: lower case, punctuation dropped, spaces to hyphens.
fn anchor_of(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric() || matches!(c, ' ' | '-' | '_'))
        .map(|c| if c == ' ' { '-' } else { c })
        .collect()
}

/// The text outside fenced code blocks, line by line.
fn prose_lines(text: &str) -> Vec<&str> {
    let mut in_code = false;
    text.lines()
        .filter(|line| {
            if line.trim_start().starts_with("```") {
                in_code = !in_code;
                return false;
            }
            !in_code
        })
        .collect()
}

/// Every anchor of a Markdown document, a repeated heading's with `-1`, `-2`, as GitHub does.
fn anchors(text: &str) -> Vec<String> {
    let mut found: Vec<String> = Vec::new();
    for line in prose_lines(text) {
        let Some(heading) = line.strip_prefix('#') else {
            continue;
        };
        let anchor = anchor_of(heading.trim_start_matches('#'));
        let repeats = found
            .iter()
            .filter(|a| {
                **a == anchor
                    || a.strip_prefix(&format!("{anchor}-"))
                        .is_some_and(|n| n.parse::<u32>().is_ok())
            })
            .count();
        found.push(if repeats == 0 {
            anchor
        } else {
            format!("{anchor}-{repeats}")
        });
    }
    found
}

/// The targets of a document's inline links and images (`[text](target)`), outside code.
fn link_targets(text: &str) -> Vec<String> {
    let mut targets = Vec::new();
    for line in prose_lines(text) {
        let mut rest = line;
        while let Some(start) = rest.find("](") {
            rest = &rest[start + 2..];
            let end = rest.find(')').unwrap_or(rest.len());
            let target = rest[..end].split_whitespace().next().unwrap_or_default();
            targets.push(target.to_owned());
            rest = &rest[end..];
        }
    }
    targets
}

/// The relative links of `text` (the document at `file`) whose file, or heading, is missing.
fn broken_links(file: &Path, text: &str) -> Vec<String> {
    let mut broken = Vec::new();
    for target in link_targets(text) {
        if target.contains("://") || target.starts_with("mailto:") {
            continue;
        }
        let (path, anchor) = match target.split_once('#') {
            Some((path, anchor)) => (path, Some(anchor)),
            None => (target.as_str(), None),
        };
        let resolved = if path.is_empty() {
            file.to_path_buf()
        } else {
            file.parent().unwrap().join(path)
        };
        if !resolved.exists() {
            broken.push(format!("{}: {target}: no such file", file.display()));
            continue;
        }
        if let Some(anchor) = anchor {
            let heading_text = if path.is_empty() {
                text.to_owned()
            } else {
                std::fs::read_to_string(&resolved).unwrap_or_default()
            };
            if !anchors(&heading_text).iter().any(|a| a == anchor) {
                broken.push(format!("{}: {target}: no such heading", file.display()));
            }
        }
    }
    broken
}

#[test]
fn every_relative_link_in_the_documents_resolves() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let files = documents(&root);
    assert!(files.len() > 15, "the documents were found: {files:?}");
    let mut broken = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        broken.extend(broken_links(file, &text));
    }
    assert!(broken.is_empty(), "broken links:\n{}", broken.join("\n"));
}

#[test]
fn the_link_check_sees_a_missing_file_and_a_missing_heading() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let text = "# Top\n\n## The `one-login` command\n\nSee [ok](docs/glossary.md), [self](#the-one-login-command), \
        ![img](docs/walkthrough/01-driving-licence-start.png \"title\"), [web](https://example.com/x), \
        [gone](docs/no-such-file.md), [nowhere](docs/glossary.md#no-such-heading) and [me](#nothing).\n\
        ```sh\n[not a link](inside/code.md)\n```\n";
    let broken = broken_links(&root.join("README.md"), text);
    assert_eq!(broken.len(), 3, "{broken:#?}");
    assert!(broken[0].ends_with("docs/no-such-file.md: no such file"));
    assert!(broken[1].ends_with("docs/glossary.md#no-such-heading: no such heading"));
    assert!(broken[2].ends_with("#nothing: no such heading"));
    assert_eq!(
        anchors("# A\n## Same\n## Same\n### Verifying `did.json`, 1. step\n"),
        ["a", "same", "same-1", "verifying-didjson-1-step"]
    );
}

/// The README is a newcomer's page (issue 16): short, and opening with the two commands, the
/// second being exactly what CI runs.
#[test]
fn the_readme_opens_with_the_demo_and_the_test_command_ci_runs() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    assert!(
        readme.lines().count() <= 150,
        "README.md has {} lines: move detail into docs/",
        readme.lines().count()
    );
    let blocks: Vec<&str> = readme
        .split("```sh\n")
        .skip(1)
        .filter_map(|rest| rest.split_once("\n```").map(|(block, _)| block))
        .take(2)
        .collect();
    assert_eq!(
        blocks,
        ["cargo run --profile demo --bin one-login-demo", "tests/run"]
    );
    let ci = std::fs::read_to_string(root.join(".ci/run")).unwrap();
    assert_eq!(
        ci.lines().rev().find(|l| !l.trim().is_empty()),
        Some("exec tests/run"),
        "CI runs the README's test command"
    );
}
