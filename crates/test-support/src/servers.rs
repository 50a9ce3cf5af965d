//! A PostgreSQL cluster and a Redis server of a test's own, on free ports, so the test may
//! stop, kill and restart them: never the machine's shared servers. Both go when dropped.
//!
//! Without the binaries a test skips, except under `CI=true`, where it fails: CI must not pass
//! by skipping what it is there to prove.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use crate::free_port;

fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true")
}

/// `Some(path)` of a server binary, or `None` after saying why the test `test` skips.
fn binary(test: &str, path: PathBuf) -> Option<PathBuf> {
    if path.is_file() {
        return Some(path);
    }
    assert!(!in_ci(), "CI=true needs {}", path.display());
    eprintln!("SKIPPED {test}: no {}", path.display());
    None
}

/// Where PostgreSQL's server programs are: `pg_config --bindir`, else the newest of Debian's
/// `/usr/lib/postgresql/<version>/bin` (tests/services.sh installs there).
fn postgres_bindir() -> PathBuf {
    let configured = Command::new("pg_config")
        .arg("--bindir")
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| PathBuf::from(String::from_utf8_lossy(&o.stdout).trim()))
        .filter(|dir| dir.join("initdb").is_file());
    configured.unwrap_or_else(|| {
        let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
            .into_iter()
            .flatten()
            .flatten()
            .filter_map(|entry| {
                let version = entry.file_name().to_string_lossy().parse().ok()?;
                Some((version, entry.path().join("bin")))
            })
            .filter(|(_, bin)| bin.join("initdb").is_file())
            .collect();
        versions.sort();
        versions
            .pop()
            .map(|(_, bin)| bin)
            .unwrap_or_else(|| PathBuf::from("/usr/lib/postgresql/15/bin"))
    })
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

fn checked(output: std::io::Result<Output>, what: &str) -> Output {
    let output = output.unwrap_or_else(|e| panic!("{what}: {e}"));
    assert!(
        output.status.success(),
        "{what}: {}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

/// A PostgreSQL cluster in a temporary folder, trusting local connections as `postgres`.
pub struct PrivatePostgres {
    bindir: PathBuf,
    data: PathBuf,
    port: u16,
    /// PostgreSQL refuses to run as root: as root, its programs run as the `postgres` user.
    as_postgres: bool,
    _dir: tempfile::TempDir,
}

impl PrivatePostgres {
    /// `initdb` and start; `None` (a skip) when PostgreSQL is not installed, outside CI.
    pub fn start(test: &str) -> Option<PrivatePostgres> {
        let bindir = postgres_bindir();
        binary(test, bindir.join("initdb"))?;
        let dir = tempfile::Builder::new()
            .prefix("one-login-pg-")
            .tempdir()
            .unwrap();
        let as_postgres = is_root();
        if as_postgres {
            checked(
                Command::new("chown")
                    .args(["-R", "postgres:postgres"])
                    .arg(dir.path())
                    .output(),
                "chown the PostgreSQL folder",
            );
        }
        let postgres = PrivatePostgres {
            bindir,
            data: dir.path().join("data"),
            port: free_port(),
            as_postgres,
            _dir: dir,
        };
        checked(
            postgres
                .command("initdb")
                .args([
                    "-A",
                    "trust",
                    "-U",
                    "postgres",
                    "-E",
                    "UTF8",
                    "--no-sync",
                    "-D",
                ])
                .arg(&postgres.data)
                .output(),
            "initdb",
        );
        postgres.start_again();
        Some(postgres)
    }

    fn command(&self, program: &str) -> Command {
        let path = self.bindir.join(program);
        let mut command = if self.as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(path);
            c
        } else {
            Command::new(path)
        };
        command.stdin(Stdio::null());
        command
    }

    fn folder(&self) -> &Path {
        self.data.parent().unwrap_or(&self.data)
    }

    /// Starts the stopped cluster and waits until it accepts connections.
    pub fn start_again(&self) {
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=60",
            self.port,
            self.folder().display()
        );
        checked(
            self.command("pg_ctl")
                .args(["start", "-w", "-t", "60", "-D"])
                .arg(&self.data)
                .args(["-l"])
                .arg(self.folder().join("log"))
                .args(["-o", &options])
                .output(),
            "pg_ctl start",
        );
    }

    /// `pg_ctl stop -m immediate`: every backend ends at once, as in a crash or failover.
    pub fn stop_immediately(&self) {
        checked(
            self.command("pg_ctl")
                .args(["stop", "-m", "immediate", "-w", "-D"])
                .arg(&self.data)
                .output(),
            "pg_ctl stop",
        );
    }

    pub fn addr(&self) -> SocketAddr {
        SocketAddr::from(([127, 0, 0, 1], self.port))
    }

    /// The URL of its `postgres` database through `addr` (the server itself, or a proxy).
    pub fn url_via(addr: SocketAddr) -> String {
        format!("postgres://postgres@{addr}/postgres")
    }
}

impl Drop for PrivatePostgres {
    fn drop(&mut self) {
        let _ = self
            .command("pg_ctl")
            .args(["stop", "-m", "immediate", "-D"])
            .arg(&self.data)
            .output();
    }
}

/// A `redis-server` that keeps nothing on disk: killed, it comes back empty.
pub struct PrivateRedis {
    child: Option<Child>,
    port: u16,
}

impl PrivateRedis {
    pub fn start(test: &str) -> Option<PrivateRedis> {
        let found = std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())
            .map(|dir| dir.join("redis-server"))
            .find(|path| path.is_file())
            .unwrap_or_else(|| PathBuf::from("/usr/bin/redis-server"));
        binary(test, found)?;
        let mut redis = PrivateRedis {
            child: None,
            port: free_port(),
        };
        redis.start_again();
        Some(redis)
    }

    /// Starts it (empty) and waits until it answers.
    pub fn start_again(&mut self) {
        let child = Command::new("redis-server")
            .args(["--port", &self.port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no"])
            .stdout(Stdio::null())
            .spawn()
            .unwrap();
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(20);
        while !answers_ping(self.port) {
            assert!(Instant::now() < deadline, "redis-server did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// SIGKILL: what it held is gone.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    pub fn addr(&self) -> SocketAddr {
        SocketAddr::from(([127, 0, 0, 1], self.port))
    }
}

impl Drop for PrivateRedis {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Whether a Redis server on `port` answers `PING` (RESP, by hand: no client needed).
fn answers_ping(port: u16) -> bool {
    use std::io::{Read, Write};
    let Ok(mut stream) = std::net::TcpStream::connect(("127.0.0.1", port)) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(1)));
    let mut reply = [0u8; 7];
    stream.write_all(b"PING\r\n").is_ok()
        && stream.read_exact(&mut reply).is_ok()
        && &reply == b"+PONG\r\n"
}
