//! Shared by the process tests: the binaries, services run as child processes (their logs kept
//! in files, printed when a test fails), free ports and the client files; the browser and the
//! citizen's steps come from the workspace's test support.
#![allow(
    dead_code,
    unused_imports,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic
)]

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub use one_login_test_support::{
    Browser, PASSWORD, Page, TOTP_SECRET, agree_if_asked, prove_as_kenneth, reuse_if_asked,
    sign_in_at_provider,
};

pub use one_login_test_support::{free_port, repo_root};

/// A binary of the workspace's debug build (the workspace test run builds them all).
pub fn binary(name: &str) -> PathBuf {
    if name == "one-login-department" {
        return PathBuf::from(env!("CARGO_BIN_EXE_one-login-department"));
    }
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root().join("target"));
    let path = target.join("debug").join(name);
    assert!(
        path.is_file(),
        "{} is missing: run `cargo build --bin {name}` (tests/run builds it)",
        path.display()
    );
    path
}

/// A child process, ended (by its id) when dropped; its output goes to a log file.
pub struct Service {
    pub name: String,
    child: Child,
    log: PathBuf,
}

impl Service {
    pub fn start(
        name: &str,
        program: &Path,
        args: &[String],
        env: &[(String, String)],
        cwd: &Path,
        logs: &Path,
    ) -> Service {
        let log = logs.join(format!("{name}.log"));
        let file = std::fs::File::create(&log).unwrap();
        let child = Command::new(program)
            .args(args)
            .envs(env.iter().map(|(k, v)| (k, v)))
            .env("RUST_LOG", "info")
            .current_dir(cwd)
            .stdin(Stdio::null())
            .stdout(file.try_clone().unwrap())
            .stderr(file)
            .spawn()
            .unwrap_or_else(|e| panic!("starting {name} ({}): {e}", program.display()));
        Service {
            name: name.to_owned(),
            child,
            log,
        }
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Waits until `url` answers 200, failing with the log if the process exits first.
    pub async fn wait_healthy(&mut self, url: &str) {
        let client = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("{} exited ({status}):\n{}", self.name, self.log());
            }
            if let Ok(response) = client.get(url).send().await
                && response.status() == 200
            {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "{} not healthy at {url}:\n{}",
                self.name,
                self.log()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    pub fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        self.stop();
        if std::thread::panicking() {
            let log = self.log();
            let tail: Vec<&str> = log.lines().rev().take(40).collect();
            eprintln!(
                "---- last lines of {} ----\n{}",
                self.name,
                tail.into_iter().rev().collect::<Vec<_>>().join("\n")
            );
        }
    }
}

/// Runs a command to completion, failing with its output.
pub fn run(program: &Path, args: &[&str], env: &[(String, String)], cwd: &Path) -> String {
    let output = Command::new(program)
        .args(args)
        .envs(env.iter().map(|(k, v)| (k, v)))
        .current_dir(cwd)
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(output.status.success(), "{program:?} {args:?}: {text}");
    text
}

/// The client registrations in `config/clients/`, with each department's address moved to the
/// test's ports (`old` -> `new`, e.g. "localhost:8081" -> "localhost:41234").
pub fn client_files(dir: &Path, moves: &HashMap<String, String>) {
    std::fs::create_dir_all(dir).unwrap();
    for name in ["driving-licence.toml", "benefits.toml"] {
        let mut text =
            std::fs::read_to_string(repo_root().join("config/clients").join(name)).unwrap();
        for (old, new) in moves {
            text = text.replace(old.as_str(), new);
        }
        std::fs::write(dir.join(name), text).unwrap();
    }
}
