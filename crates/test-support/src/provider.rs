//! The provider in this process, serving on a free port of this machine, with the relying
//! parties of a test registered and one citizen's account made.

use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};

use axum::body::Body;
use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;
use base64::Engine;
use one_login_core::config::Config;
use one_login_provider::app::{AppState, Overrides};
use one_login_provider::router;
use one_login_store::{AuditEvent, AuditKind, NewAccount};

use crate::browser::{PASSWORD, TOTP_SECRET};

pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

/// A port nobody listens on now.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The provider on the embedded defaults (SQLite, in-memory store) at `issuer`.
pub struct RunningProvider {
    pub issuer: String,
    pub state: AppState,
    _data_dir: tempfile::TempDir,
}

impl RunningProvider {
    /// Starts with the client files `clients` registered.
    pub async fn start(clients: &[String]) -> RunningProvider {
        Self::start_with(clients, false).await
    }

    /// As [`RunningProvider::start`]; with `tamper_identity`, every core identity JWT that
    /// userinfo gives has its birth date changed on the way out (the signature left as it was),
    /// as an attacker in the middle would.
    pub async fn start_with(clients: &[String], tamper_identity: bool) -> RunningProvider {
        let data_dir = tempfile::tempdir().unwrap();
        let clients_dir = data_dir.path().join("clients");
        std::fs::create_dir_all(&clients_dir).unwrap();
        for (i, client) in clients.iter().enumerate() {
            std::fs::write(clients_dir.join(format!("client-{i}.toml")), client).unwrap();
        }
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let issuer = format!("http://localhost:{port}/");
        let overrides = format!(
            "issuer = {issuer:?}\ndata_dir = {dir:?}\nclients_dir = {clients:?}\n\
             [server]\nlisten = \"127.0.0.1:{port}\"\n[database]\nurl = \"\"\n[ephemeral]\nurl = \"\"\n",
            dir = data_dir.path().display().to_string(),
            clients = clients_dir.display().to_string(),
        );
        let config = Config::load_with_overrides(None, &overrides).unwrap();
        let state = AppState::connect(config, Overrides::default())
            .await
            .unwrap();
        let mut app = router(state.clone());
        if tamper_identity {
            app = app.layer(axum::middleware::from_fn(tamper_userinfo));
        }
        let app = app.into_make_service_with_connect_info::<SocketAddr>();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        RunningProvider {
            issuer,
            state,
            _data_dir: data_dir,
        }
    }

    /// Makes the test citizen's account: `email`, [`PASSWORD`] and an authenticator app with
    /// [`TOTP_SECRET`].
    pub async fn create_account(&self, email: &str) {
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        let password_hash = self.state.passwords.hash(PASSWORD).await.unwrap();
        self.state
            .db
            .accounts()
            .create(
                NewAccount {
                    email: email.into(),
                    password_hash,
                    totp_secret: Some(TOTP_SECRET.into()),
                    email_verified: true,
                    now,
                },
                AuditEvent::new(AuditKind::AccountCreated, None, now),
            )
            .await
            .unwrap();
    }
}

const CORE_IDENTITY_CLAIM: &str = "https://vocab.account.gov.uk/v1/coreIdentityJWT";

/// Changes the birth date inside the core identity JWT of a userinfo answer.
async fn tamper_userinfo(request: Request, next: Next) -> Response {
    let is_userinfo = request.uri().path() == "/userinfo";
    let response = next.run(request).await;
    if !is_userinfo {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, 1 << 20).await.unwrap();
    let mut info: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    if let Some(jwt) = info[CORE_IDENTITY_CLAIM].as_str() {
        let mut pieces: Vec<String> = jwt.split('.').map(str::to_owned).collect();
        let engine = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let mut claims: serde_json::Value =
            serde_json::from_slice(&engine.decode(&pieces[1]).unwrap()).unwrap();
        claims["vc"]["credentialSubject"]["birthDate"] =
            serde_json::json!([{"value": "1990-01-01"}]);
        pieces[1] = engine.encode(claims.to_string());
        info[CORE_IDENTITY_CLAIM] = pieces.join(".").into();
    }
    let body = info.to_string();
    parts.headers.remove(axum::http::header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(body))
}
