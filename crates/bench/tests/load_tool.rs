//! The load tool itself, for a very short run against the debug provider binary: the report is
//! complete and nothing failed. Timings are not asserted (a debug build on a shared machine).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::Command;

const BENCH: &str = env!("CARGO_BIN_EXE_one-login-bench");

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The provider's debug binary: Cargo builds it for the workspace's tests (its own tests use
/// it), but `CARGO_BIN_EXE_*` names only this package's binaries, so find it, or build it.
fn provider_binary() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace().join("target"));
    let bin = target.join("debug").join("one-login");
    if !bin.is_file() {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let status = Command::new(cargo)
            .current_dir(workspace())
            .args(["build", "-p", "one-login-provider", "--bin", "one-login"])
            .status()
            .unwrap();
        assert!(status.success(), "building the provider binary");
    }
    bin
}

fn bench(args: &[&str]) -> std::process::Output {
    let mut command = Command::new(BENCH);
    for (key, _) in std::env::vars().filter(|(k, _)| k.starts_with("ONE_LOGIN__")) {
        command.env_remove(key);
    }
    command
        .current_dir(workspace())
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn refuses_a_debug_provider_unless_allowed() {
    let provider = provider_binary();
    let output = bench(&["run", "--provider-bin", provider.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("debug build"), "{stderr}");
    assert!(stderr.contains("--allow-debug"), "{stderr}");
}

/// No test runs the anchor itself (CI installs no node packages); this one checks that a run
/// asked for it refuses, before measuring anything, a folder where they were not installed.
#[test]
fn refuses_an_anchor_folder_without_its_packages() {
    let provider = provider_binary();
    let folder = tempfile::tempdir().unwrap();
    std::fs::write(folder.path().join("server.mjs"), "").unwrap();
    let out = tempfile::tempdir().unwrap();
    let output = bench(&[
        "run",
        "--provider-bin",
        provider.to_str().unwrap(),
        "--allow-debug",
        "--anchor",
        folder.path().to_str().unwrap(),
        "--out",
        out.path().to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("npm ci"), "{stderr}");
    assert_eq!(std::fs::read_dir(out.path()).unwrap().count(), 0);
}

#[test]
fn a_short_run_writes_a_complete_report_without_errors() {
    let provider = provider_binary();
    let out = tempfile::tempdir().unwrap();
    let output = bench(&[
        "run",
        "--provider-bin",
        provider.to_str().unwrap(),
        "--allow-debug",
        "--stores",
        "embedded",
        "--scenarios",
        "discovery,sso,refresh",
        "--concurrency",
        "1",
        "--duration",
        "1s",
        "--warmup",
        "200ms",
        "--quiet",
        "--out",
        out.path().to_str().unwrap(),
    ]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    let json_file = std::fs::read_dir(out.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "json"))
        .expect("a JSON report");
    assert!(
        json_file.with_extension("md").is_file(),
        "a Markdown report"
    );
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json_file).unwrap()).unwrap();
    assert!(report["machine"]["cpus"].as_u64().unwrap() >= 1);
    assert!(report["argon2"]["verify_ms"].as_f64().unwrap() > 0.0);
    assert_eq!(
        report["overrides"][0]["key"],
        "ONE_LOGIN__RATE_LIMITS__SIGN_IN"
    );
    // Without --anchor, nothing of the anchor's.
    assert!(report.get("anchor").is_none(), "{report}");
    assert_eq!(report["comparisons"], serde_json::json!([]));
    let runs = report["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 1);
    assert_eq!(runs[0]["stores"], "embedded");
    assert!(runs[0]["rss_idle_mb"].as_f64().unwrap() > 0.0);
    let rows = runs[0]["rows"].as_array().unwrap();
    let names: Vec<&str> = rows
        .iter()
        .map(|r| r["scenario"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["discovery", "sso", "refresh"]);
    for row in rows {
        let latency = &row["latency"];
        assert_eq!(row["concurrency"], 1);
        assert_eq!(latency["errors"], 0, "{row}");
        assert!(latency["count"].as_u64().unwrap() > 0, "{row}");
        for key in ["throughput_per_s", "p50_ms", "p95_ms", "p99_ms"] {
            assert!(latency[key].as_f64().unwrap() > 0.0, "{key}: {row}");
        }
        for key in ["rss_before_mb", "rss_peak_mb", "cpu_percent"] {
            assert!(row["resources"][key].is_number(), "{key}: {row}");
        }
    }
    let markdown = std::fs::read_to_string(json_file.with_extension("md")).unwrap();
    assert!(markdown.contains("| embedded | sso | 1 |"), "{markdown}");
}

/// Three "minutes" of 4 s each against the debug provider: one line per minute, a verdict, and
/// a report with every minute's resources and latency per flow kind. The verdict itself is not
/// asserted (a debug build on a shared machine), only that it was made and the run had no
/// errors.
#[test]
fn a_short_soak_reports_every_minute_and_a_verdict() {
    let provider = provider_binary();
    let out = tempfile::tempdir().unwrap();
    let output = bench(&[
        "soak",
        "--provider-bin",
        provider.to_str().unwrap(),
        "--allow-debug",
        "--stores",
        "embedded",
        "--minutes",
        "3",
        "--minute-length",
        "4s",
        "--concurrency",
        "8",
        "--rate",
        "100",
        "--login-accounts",
        "4",
        "--out",
        out.path().to_str().unwrap(),
    ]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        matches!(output.status.code(), Some(0 | 1)),
        "{:?}: {stderr}",
        output.status
    );
    for minute in 1..=3 {
        assert!(stderr.contains(&format!("min   {minute}/3")), "{stderr}");
    }
    let json_file = std::fs::read_dir(out.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "json"))
        .expect("a JSON report");
    assert!(
        json_file
            .file_name()
            .unwrap()
            .to_str()
            .unwrap()
            .starts_with("soak-")
    );
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json_file).unwrap()).unwrap();
    assert_eq!(report["command"], "soak");
    assert_eq!(report["concurrency"], 8);
    let run = &report["runs"][0];
    assert_eq!(run["stores"], "embedded");
    let minutes = run["minutes"].as_array().unwrap();
    assert_eq!(minutes.len(), 3);
    let mut kinds_seen = std::collections::BTreeSet::new();
    for m in minutes {
        assert!(m["rss_mb"].as_f64().unwrap() > 0.0, "{m}");
        assert!(m["fds"].as_u64().unwrap() > 0, "{m}");
        // SQLite: the pool holds at least one connection on the database file.
        assert!(m["db_connections"].as_u64().unwrap() >= 1, "{m}");
        assert!(m["all"]["flows"].as_u64().unwrap() > 0, "{m}");
        assert_eq!(m["all"]["errors"], 0, "{m}");
        assert!(m["all"]["p99_ms"].as_f64().unwrap() > 0.0, "{m}");
        for k in m["kinds"].as_array().unwrap() {
            kinds_seen.insert(k["kind"].as_str().unwrap().to_owned());
        }
    }
    let expected = [
        "discovery",
        "identity-reuse",
        "jwks",
        "login",
        "refresh",
        "sso",
    ];
    assert_eq!(kinds_seen.into_iter().collect::<Vec<_>>(), expected);
    let verdict = &run["verdict"];
    assert!(
        verdict["checks"].as_array().unwrap().len() >= 4,
        "{verdict}"
    );
    assert_eq!(verdict["errors_ok"], true, "{verdict}");
    assert_eq!(
        output.status.success(),
        verdict["flat"] == true,
        "the exit status follows the verdict: {verdict}"
    );
    let markdown = std::fs::read_to_string(json_file.with_extension("md")).unwrap();
    assert!(markdown.contains("| min | RSS MB |"), "{markdown}");
}
