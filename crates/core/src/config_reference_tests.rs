//! The configuration reference in `docs/operations.md` kept in step with `config/default.toml`:
//! every key the file sets or shows commented out has one row, with the file's default, and no
//! row names a key the file has lost. `Config` refuses unknown keys and the shipped file must
//! load (`shipped_default_config_is_valid`), so the file in turn stays in step with the structs.

use std::collections::BTreeMap;
use std::path::Path;

const REFERENCE_HEADING: &str = "### Configuration reference";
/// How the reference writes the default of a key the file only shows commented out.
const UNSET: &str = "unset";

fn repository_file(relative: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(relative);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A default as TOML writes it: `"30m"`, `10`, `true`, `[]`.
fn render(value: &toml::Value) -> String {
    match value {
        toml::Value::String(text) => format!("{text:?}"),
        toml::Value::Integer(number) => number.to_string(),
        toml::Value::Boolean(flag) => flag.to_string(),
        toml::Value::Array(items) => {
            let items: Vec<String> = items.iter().map(render).collect();
            format!("[{}]", items.join(", "))
        }
        other => format!("{other:?}"),
    }
}

fn walk(prefix: &str, table: &toml::Table, keys: &mut BTreeMap<String, String>) {
    for (name, value) in table {
        match value {
            toml::Value::Table(inner) => walk(&format!("{prefix}{name}."), inner, keys),
            other => {
                keys.insert(format!("{prefix}{name}"), render(other));
            }
        }
    }
}

/// Every key of the configuration file, dotted (`server.listen`), with its default; a key shown
/// only as a commented-out example (`# tls_cert = "..."`) has the default [`UNSET`].
fn keys_of(config_file: &str) -> BTreeMap<String, String> {
    let table: toml::Table = config_file.parse().unwrap();
    let mut keys = BTreeMap::new();
    walk("", &table, &mut keys);
    let mut section = String::new();
    for line in config_file.lines() {
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            section = format!("{name}.");
        } else if let Some((name, _)) = line
            .strip_prefix("# ")
            .and_then(|example| example.split_once(" = "))
        {
            let is_key =
                !name.is_empty() && name.bytes().all(|b| b.is_ascii_lowercase() || b == b'_');
            if is_key {
                keys.entry(format!("{section}{name}"))
                    .or_insert_with(|| UNSET.to_owned());
            }
        }
    }
    keys
}

/// The rows of the reference table, key and default, in the order written. Both are in
/// backticks, except [`UNSET`].
fn reference_rows(markdown: &str) -> Vec<(String, String)> {
    let Some((_, section)) = markdown.split_once(REFERENCE_HEADING) else {
        panic!("docs/operations.md has no {REFERENCE_HEADING:?} section");
    };
    let section = section.split("\n#").next().unwrap_or_default();
    let unquote = |cell: &str| {
        let cell = cell.trim();
        cell.strip_prefix('`')
            .and_then(|c| c.strip_suffix('`'))
            .unwrap_or(cell)
            .to_owned()
    };
    section
        .lines()
        .filter_map(|line| {
            let cells: Vec<&str> = line.split('|').collect();
            match cells[..] {
                ["", key, default, _meaning, ""] if key.trim().starts_with('`') => {
                    Some((unquote(key), unquote(default)))
                }
                _ => None,
            }
        })
        .collect()
}

/// What is wrong with the reference against the file's keys, one line each.
fn differences(keys: &BTreeMap<String, String>, rows: &[(String, String)]) -> Vec<String> {
    let mut problems = Vec::new();
    let mut seen = BTreeMap::new();
    for (key, default) in rows {
        if seen.insert(key.clone(), ()).is_some() {
            problems.push(format!("`{key}` has two rows"));
        }
        match keys.get(key) {
            None => problems.push(format!(
                "`{key}` is in the reference but not in config/default.toml: remove its row"
            )),
            Some(expected) if expected != default => problems.push(format!(
                "`{key}`: the reference says the default is {default}, the file says {expected}"
            )),
            Some(_) => {}
        }
    }
    for (key, default) in keys {
        if !seen.contains_key(key) {
            problems.push(format!(
                "`{key}` (default {default}) has no row: add `| `{key}` | `{default}` | meaning |`"
            ));
        }
    }
    problems
}

#[test]
fn the_configuration_reference_lists_every_key_with_its_default() {
    let keys = keys_of(&repository_file("config/default.toml"));
    let rows = reference_rows(&repository_file("docs/operations.md"));
    assert!(
        keys.len() > 50,
        "the file's keys were found: {}",
        keys.len()
    );
    let problems = differences(&keys, &rows);
    assert!(
        problems.is_empty(),
        "docs/operations.md, {REFERENCE_HEADING}:\n{}",
        problems.join("\n")
    );
}

#[test]
fn keys_set_and_shown_commented_out_are_both_found() {
    let file = r#"
# A comment: with words = not a key.
top = "a"
[server]
listen = "127.0.0.1:8080"
# tls_cert = "/etc/cert.pem"
ranges = ["10.0.0.0/8"]
[log]
# format: text or json
format = "text"
"#;
    let keys = keys_of(file);
    let expected: BTreeMap<String, String> = [
        ("top", r#""a""#),
        ("server.listen", r#""127.0.0.1:8080""#),
        ("server.tls_cert", UNSET),
        ("server.ranges", r#"["10.0.0.0/8"]"#),
        ("log.format", r#""text""#),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    assert_eq!(keys, expected);
}

#[test]
fn a_missing_row_a_stale_row_and_a_wrong_default_are_each_reported() {
    let markdown = "intro\n### Configuration reference\n\n| key | default | meaning |\n|---|---|---|\n\
        | `server.listen` | `\"0.0.0.0:80\"` | where |\n| `server.gone` | `1` | old |\n\
        | `server.tls_cert` | unset | a file |\n\n## Next\n| `after` | `1` | not in the table |\n";
    let rows = reference_rows(markdown);
    assert_eq!(rows.len(), 3, "{rows:?}");
    let keys = keys_of("[server]\nlisten = \"127.0.0.1:8080\"\n# tls_cert = \"x\"\nport = 1\n");
    let problems = differences(&keys, &rows);
    assert_eq!(problems.len(), 3, "{problems:#?}");
    assert!(problems[0].contains("`server.listen`") && problems[0].contains("\"127.0.0.1:8080\""));
    assert!(problems[1].contains("`server.gone`") && problems[1].contains("remove"));
    assert!(problems[2].contains("`server.port`") && problems[2].contains("no row"));
}
