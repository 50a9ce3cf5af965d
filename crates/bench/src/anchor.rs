//! The anchor of issue 13: panva `oidc-provider` (`tests/perf/anchor/server.mjs`) in a child
//! `node` process on a free loopback port, measured in the same run and by the same generator
//! as One Login, so the report can give the ratio of their CPU per operation.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use crate::error::{Error, Result};
use crate::provider::{Serving, log_tail};
use crate::rp::RelyingParty;

/// The script the bench runs, in the anchor's folder.
const SERVER: &str = "server.mjs";

/// The package whose version the report names.
const PACKAGE: &str = "oidc-provider";

/// A running anchor.
pub struct Anchor {
    child: Child,
    pub pid: u32,
    pub issuer: String,
    /// The issuer with a trailing `/`, for joining relative redirects.
    pub base: url::Url,
    /// `oidc-provider`'s version as installed, and node's.
    pub version: String,
    pub node_version: String,
    log: PathBuf,
    _dir: tempfile::TempDir,
}

/// The `version` of a `package.json`.
pub fn package_version(package_json: &str) -> Option<String> {
    let value: serde_json::Value = serde_json::from_str(package_json).ok()?;
    value["version"].as_str().map(str::to_owned)
}

/// Refuses a folder without the server or its installed packages, saying how to install them.
pub fn check_folder(folder: &Path) -> Result<()> {
    if !folder.join(SERVER).is_file() {
        return Err(Error::Usage(format!(
            "--anchor {}: no {SERVER} there (the anchor is tests/perf/anchor)",
            folder.display()
        )));
    }
    if !folder
        .join("node_modules")
        .join(PACKAGE)
        .join("package.json")
        .is_file()
    {
        return Err(Error::Usage(format!(
            "--anchor {}: {PACKAGE} is not installed; run `npm ci` there first",
            folder.display()
        )));
    }
    Ok(())
}

impl Anchor {
    /// Starts `node server.mjs` in `folder` for the client `rp` (its public key, client id and
    /// redirect URI passed in the environment), and waits until it serves its discovery
    /// document.
    pub async fn start(folder: &Path, rp: &RelyingParty) -> Result<Self> {
        check_folder(folder)?;
        let version = std::fs::read_to_string(
            folder
                .join("node_modules")
                .join(PACKAGE)
                .join("package.json"),
        )
        .ok()
        .and_then(|text| package_version(&text))
        .unwrap_or_else(|| "unknown".into());
        let node_version = Command::new("node")
            .arg("--version")
            .output()
            .map_err(|e| Error::io("running node --version (is Node.js installed?)", e))?;
        let node_version = String::from_utf8_lossy(&node_version.stdout)
            .trim()
            .to_owned();
        let dir = tempfile::Builder::new()
            .prefix("one-login-bench-anchor-")
            .tempdir()
            .map_err(|e| Error::io("making the anchor's temporary folder", e))?;
        let port = crate::provider::free_port()?;
        let issuer = format!("http://127.0.0.1:{port}");
        let log = dir.path().join("anchor.log");
        let log_file =
            std::fs::File::create(&log).map_err(|e| Error::io("creating the anchor log", e))?;
        let child = Command::new("node")
            .arg(SERVER)
            .current_dir(folder)
            .env("NODE_ENV", "production")
            .env("ANCHOR_PORT", port.to_string())
            .env("ANCHOR_CLIENT_ID", rp.client_id)
            .env("ANCHOR_REDIRECT_URI", rp.redirect_uri)
            .env("ANCHOR_CLIENT_JWKS", rp.public_jwks()?)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log_file)
            .spawn()
            .map_err(|e| Error::io("starting node for the anchor", e))?;
        let base = url::Url::parse(&format!("{issuer}/"))
            .map_err(|e| Error::Provider(format!("anchor issuer: {e}")))?;
        let mut anchor = Anchor {
            pid: child.id(),
            child,
            issuer,
            base,
            version,
            node_version,
            log,
            _dir: dir,
        };
        anchor.wait_ready().await?;
        Ok(anchor)
    }

    async fn wait_ready(&mut self) -> Result<()> {
        let serving = Serving {
            what: "the anchor",
            url: crate::citizen::discovery_url(&self.base)?,
            within: Duration::from_secs(30),
        };
        serving.wait(&mut self.child, &self.log).await
    }

    /// The end of the anchor's log, for error messages.
    pub fn log_tail(&self) -> String {
        log_tail(&self.log)
    }

    pub fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Anchor {
    fn drop(&mut self) {
        self.stop();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_installed_version() {
        assert_eq!(
            package_version(r#"{"name":"oidc-provider","version":"9.13.3"}"#).as_deref(),
            Some("9.13.3")
        );
        assert_eq!(package_version(r#"{"name":"x"}"#), None);
        assert_eq!(package_version("not json"), None);
    }

    #[test]
    fn refuses_a_folder_without_the_server_or_its_packages() {
        let dir = tempfile::tempdir().unwrap();
        let err = check_folder(dir.path()).unwrap_err().to_string();
        assert!(err.contains("no server.mjs"), "{err}");
        std::fs::write(dir.path().join(SERVER), "").unwrap();
        let err = check_folder(dir.path()).unwrap_err().to_string();
        assert!(err.contains("npm ci"), "{err}");
        let installed = dir.path().join("node_modules").join(PACKAGE);
        std::fs::create_dir_all(&installed).unwrap();
        std::fs::write(installed.join("package.json"), "{}").unwrap();
        assert!(check_folder(dir.path()).is_ok());
    }
}
