//! Keeps `docker-compose.yml` true without a Docker engine: every service of ours in it is run
//! natively with the same binary, command and environment, in the file's `depends_on` order,
//! waiting for the health checks it declares; then a citizen signs in through the stack.
//!
//! What stands in for the images we do not run:
//! - `postgres` and `redis`: the local servers (`ONE_LOGIN_TEST_POSTGRES_URL`, a fresh database
//!   made for this test, and `ONE_LOGIN_TEST_REDIS_URL`, a fresh key prefix);
//! - `load-balancer` (nginx): a tiny round-robin TCP proxy here, on the `listen` and `server`
//!   lines of `config/load-balancer.conf`. It balances per connection and the test's browser
//!   opens one connection per request, so successive requests go to alternate replicas, as
//!   nginx's per-request round robin does.
//!
//! Addresses: every port the file names is moved to a free one (in the environment, the health
//! checks, the load balancer's file and a copy of `config/`), and the container paths become
//! temporary folders. A service, compose key, environment variable, command argument or mount
//! this test does not know fails it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use serde::Deserialize;
use sqlx::Connection;
use support::{Browser, PASSWORD, Service, TOTP_SECRET, binary, free_port, repo_root, run};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Compose {
    name: String,
    services: BTreeMap<String, ComposeService>,
    volumes: BTreeMap<String, Option<serde_norway::Value>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ComposeService {
    image: String,
    #[serde(default)]
    build: Option<String>,
    network_mode: String,
    #[serde(default)]
    command: Vec<String>,
    #[serde(default)]
    environment: BTreeMap<String, String>,
    #[serde(default)]
    volumes: Vec<String>,
    #[serde(default)]
    depends_on: BTreeMap<String, DependsOn>,
    healthcheck: HealthCheck,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DependsOn {
    condition: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct HealthCheck {
    test: Vec<String>,
    interval: String,
    timeout: String,
    retries: u32,
}

/// Where our image keeps the configuration and the services' data.
const SRV: &str = "/srv/one-login/";
const DATA: &str = "/var/lib/one-login/";
const OUR_IMAGE: &str = "one-login:local";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Postgres,
    Redis,
    LoadBalancer,
    Ours,
}

fn kind_of(name: &str, service: &ComposeService) -> Kind {
    match service.image.split(':').next().unwrap_or_default() {
        "postgres" => Kind::Postgres,
        "redis" => Kind::Redis,
        "nginx" => Kind::LoadBalancer,
        _ if service.image == OUR_IMAGE => Kind::Ours,
        other => panic!("service {name}: image {other:?} is not one this test can stand in for"),
    }
}

/// The file's ports, each moved to a free one.
struct PortMap(HashMap<u16, u16>);

impl PortMap {
    fn new() -> PortMap {
        PortMap(HashMap::new())
    }

    fn moved(&mut self, port: u16) -> u16 {
        *self.0.entry(port).or_insert_with(free_port)
    }

    /// `host:port` or a URL with its port moved; hosts become 127.0.0.1 unless they are
    /// localhost (a name the provider treats as this machine and keeps in its issuer).
    fn address(&mut self, value: &str) -> String {
        if let Ok(mut url) = url::Url::parse(value)
            && url.has_host()
            && url.port().is_some()
        {
            let port = self.moved(url.port().unwrap());
            if url.host_str() != Some("localhost") {
                url.set_host(Some("127.0.0.1")).unwrap();
            }
            url.set_port(Some(port)).unwrap();
            return url.to_string();
        }
        let (host, port) = value
            .rsplit_once(':')
            .unwrap_or_else(|| panic!("{value:?} is neither a URL with a port nor host:port"));
        assert!(
            host == "127.0.0.1" || host == "localhost" || host == "0.0.0.0",
            "{value:?}: services share the host's network, so they listen on loopback"
        );
        format!("127.0.0.1:{}", self.moved(port.parse().unwrap()))
    }

    /// A copy of `text` with every `:port` of the map moved.
    fn rewrite(&self, text: &str) -> String {
        let mut out = text.to_owned();
        for (old, new) in &self.0 {
            out = out.replace(&format!(":{old}/"), &format!(":{new}/"));
            out = out.replace(&format!(":{old}\""), &format!(":{new}\""));
        }
        out
    }
}

fn port_of(value: &str) -> u16 {
    match url::Url::parse(value) {
        Ok(url) if url.port().is_some() => url.port().unwrap(),
        _ => value.rsplit_once(':').unwrap().1.parse().unwrap(),
    }
}

/// The `listen` address and `server` lines of the load balancer's nginx file.
fn load_balancer_file(path: &Path) -> (String, Vec<String>) {
    let text = std::fs::read_to_string(path).unwrap();
    let mut listen = None;
    let mut servers = Vec::new();
    for line in text.lines().map(str::trim) {
        if let Some(rest) = line.strip_prefix("listen ") {
            listen = Some(rest.trim_end_matches(';').to_owned());
        } else if let Some(rest) = line.strip_prefix("server ").filter(|r| r.ends_with(';')) {
            // An upstream's `server host:port;`, not a `server {` block.
            servers.push(rest.trim_end_matches(';').to_owned());
        }
    }
    (listen.expect("a listen line"), servers)
}

/// Round robin per connection over `backends`; counts what each served.
async fn round_robin_proxy(listen: &str, backends: Vec<String>) -> Arc<Vec<AtomicUsize>> {
    let listener = tokio::net::TcpListener::bind(listen).await.unwrap();
    let served: Arc<Vec<AtomicUsize>> =
        Arc::new(backends.iter().map(|_| AtomicUsize::new(0)).collect());
    let counts = served.clone();
    tokio::spawn(async move {
        let mut next = 0usize;
        loop {
            let Ok((mut inbound, _)) = listener.accept().await else {
                return;
            };
            let index = next % backends.len();
            next += 1;
            counts[index].fetch_add(1, Ordering::Relaxed);
            let backend = backends[index].clone();
            tokio::spawn(async move {
                if let Ok(mut outbound) = tokio::net::TcpStream::connect(&backend).await {
                    let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                }
            });
        }
    });
    served
}

fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
}

/// A fresh PostgreSQL database (dropped by the returned guard's owner at the end) and Redis,
/// or `None` (skipped) when they cannot be reached outside CI.
async fn servers() -> Option<(String, String, String)> {
    let admin = std::env::var("ONE_LOGIN_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
    let redis_url = std::env::var("ONE_LOGIN_TEST_REDIS_URL")
        .unwrap_or_else(|_| "redis://127.0.0.1:6379/".into());
    let pg = sqlx::PgConnection::connect(&admin).await;
    let redis = match redis::Client::open(redis_url.as_str()) {
        Ok(client) => client
            .get_multiplexed_async_connection()
            .await
            .map(drop)
            .map_err(|e| e.to_string()),
        Err(e) => Err(e.to_string()),
    };
    let mut pg = match (pg, redis) {
        (Ok(pg), Ok(())) => pg,
        (pg, redis) => {
            let why = format!(
                "PostgreSQL at {admin}: {:?}; Redis at {redis_url}: {:?}",
                pg.err().map(|e| e.to_string()),
                redis.err()
            );
            assert!(!in_ci(), "CI=true requires PostgreSQL and Redis, but {why}");
            eprintln!("SKIPPED compose test: {why}");
            return None;
        }
    };
    let database = format!("one_login_compose_{}", uuid::Uuid::new_v4().simple());
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {database}")))
        .execute(&mut pg)
        .await
        .unwrap();
    let mut url = url::Url::parse(&admin).unwrap();
    url.set_path(&format!("/{database}"));
    Some((admin, url.to_string(), redis_url))
}

async fn drop_database(admin: &str, database_url: &str) {
    let name = url::Url::parse(database_url)
        .unwrap()
        .path()
        .trim_start_matches('/')
        .to_owned();
    if let Ok(mut pg) = sqlx::PgConnection::connect(admin).await {
        let _ = sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
            "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
        )))
        .execute(&mut pg)
        .await;
    }
}

/// The services in an order that starts each after what it depends on.
fn start_order(compose: &Compose) -> Vec<String> {
    let mut order: Vec<String> = Vec::new();
    while order.len() < compose.services.len() {
        let before = order.len();
        for (name, service) in &compose.services {
            if !order.contains(name) && service.depends_on.keys().all(|d| order.contains(d)) {
                order.push(name.clone());
            }
        }
        assert!(
            order.len() > before,
            "depends_on has a cycle or an unknown service"
        );
    }
    order
}

/// One service of ours, as this test runs it.
struct Native {
    program: PathBuf,
    args: Vec<String>,
    env: Vec<(String, String)>,
    health: String,
}

struct Stand {
    srv: PathBuf,
    data: PathBuf,
    database_url: String,
    redis_url: String,
    redis_prefix: String,
}

fn native(name: &str, service: &ComposeService, ports: &mut PortMap, stand: &Stand) -> Native {
    let program = service
        .command
        .first()
        .unwrap_or_else(|| panic!("{name}: no command"));
    assert!(
        ["one-login", "one-login-department"].contains(&program.as_str()),
        "{name}: unknown program {program:?}"
    );
    let mut args = Vec::new();
    let mut rest = service.command[1..].iter();
    while let Some(arg) = rest.next() {
        match arg.as_str() {
            "serve" if program == "one-login" => args.push(arg.clone()),
            "--config" => {
                let path = rest.next().unwrap();
                let relative = path
                    .strip_prefix(SRV)
                    .unwrap_or_else(|| panic!("{name}: --config {path} is not under {SRV}"));
                assert!(
                    repo_root().join(relative).is_file(),
                    "{name}: {path} is not in config/"
                );
                args.extend([
                    "--config".into(),
                    stand.srv.join(relative).display().to_string(),
                ]);
            }
            other => panic!("{name}: unknown argument {other:?}"),
        }
    }
    let mut env = Vec::new();
    for (key, value) in &service.environment {
        let value = match key.as_str() {
            "ONE_LOGIN__SERVER__LISTEN"
            | "ONE_LOGIN__SERVER__METRICS_LISTEN"
            | "ONE_LOGIN_DEPARTMENT__LISTEN" => ports.address(value),
            "ONE_LOGIN__ISSUER"
            | "ONE_LOGIN_DEPARTMENT__PUBLIC_URL"
            | "ONE_LOGIN_DEPARTMENT__PROVIDER__ISSUER" => ports.address(value),
            "ONE_LOGIN__DATABASE__URL" => stand.database_url.clone(),
            "ONE_LOGIN__EPHEMERAL__URL" => {
                env.push((
                    "ONE_LOGIN__EPHEMERAL__KEY_PREFIX".into(),
                    stand.redis_prefix.clone(),
                ));
                stand.redis_url.clone()
            }
            "ONE_LOGIN__DATA_DIR" | "ONE_LOGIN_DEPARTMENT__DATA_DIR" => {
                let relative = value
                    .strip_prefix(DATA)
                    .unwrap_or_else(|| panic!("{name}: {key}={value} is not under {DATA}"));
                stand.data.join(relative).display().to_string()
            }
            "ONE_LOGIN__SERVER__TRUSTED_PROXIES"
            | "ONE_LOGIN__IDENTITY__ENCRYPTION_KEY"
            | "ONE_LOGIN__SECRETS__KEY_ENCRYPTION_KEY"
            | "RUST_LOG" => value.clone(),
            _ => panic!("{name}: environment variable {key} is not known to this test"),
        };
        env.push((key.clone(), value));
    }
    for volume in &service.volumes {
        match volume.as_str() {
            "./config:/srv/one-login/config:ro" => {}
            named if named.split(':').nth(1).is_some_and(|p| p.starts_with(DATA)) => {
                let volume_name = named.split(':').next().unwrap();
                assert!(
                    !volume_name.starts_with('.'),
                    "{name}: data on a named volume"
                );
                let path = named.split(':').nth(1).unwrap();
                assert!(
                    service.environment.values().any(|v| v == path),
                    "{name}: volume {path} holds no configured data folder"
                );
            }
            other => panic!("{name}: unknown mount {other:?}"),
        }
    }
    Native {
        program: binary(program),
        args,
        env,
        health: health_url(name, service, ports),
    }
}

/// The URL the health check curls, moved.
fn health_url(name: &str, service: &ComposeService, ports: &mut PortMap) -> String {
    let check = &service.healthcheck;
    assert!(check.retries > 0 && !check.interval.is_empty() && !check.timeout.is_empty());
    match check.test.iter().map(String::as_str).collect::<Vec<_>>()[..] {
        ["CMD", "curl", "-fsS", url] => {
            assert!(url.ends_with("/healthz"), "{name}: health is /healthz");
            ports.address(url)
        }
        _ => panic!(
            "{name}: health check {:?} is not a curl this test knows",
            check.test
        ),
    }
}

/// Copies `config/` with every port of the map moved (the `./config` mount).
fn copy_config(from: &Path, to: &Path, ports: &PortMap) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        let target = to.join(path.file_name().unwrap());
        if path.is_dir() {
            copy_config(&path, &target, ports);
        } else {
            let text = std::fs::read_to_string(&path).unwrap();
            std::fs::write(target, ports.rewrite(&text)).unwrap();
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_compose_file_runs_and_signs_a_citizen_in() {
    let text = std::fs::read_to_string(repo_root().join("docker-compose.yml")).unwrap();
    let compose: Compose = serde_norway::from_str(&text).unwrap();
    assert_eq!(compose.name, "one-login");
    let Some((admin, database_url, redis_url)) = servers().await else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let stand = Stand {
        srv: dir.path().join("srv"),
        data: dir.path().join("data"),
        database_url: database_url.clone(),
        redis_url,
        redis_prefix: format!("compose-test:{}:", uuid::Uuid::new_v4().simple()),
    };
    let _dropped_at_end = DropDatabase {
        admin,
        database_url,
    };
    tokio::time::timeout(
        std::time::Duration::from_secs(240),
        run_stack(&compose, &stand, dir.path()),
    )
    .await
    .expect("the compose stack took too long");
}

/// Drops the test's database when the test ends, passed or failed.
struct DropDatabase {
    admin: String,
    database_url: String,
}

impl Drop for DropDatabase {
    fn drop(&mut self) {
        let (admin, url) = (self.admin.clone(), self.database_url.clone());
        // Drop cannot await, and the test's runtime may be unwinding: a runtime of its own.
        let _ = std::thread::spawn(move || {
            if let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            {
                runtime.block_on(drop_database(&admin, &url));
            }
        })
        .join();
    }
}

async fn run_stack(compose: &Compose, stand: &Stand, logs: &Path) {
    let mut ports = PortMap::new();
    let kinds: BTreeMap<&String, Kind> = compose
        .services
        .iter()
        .map(|(name, service)| (name, kind_of(name, service)))
        .collect();
    for (name, service) in &compose.services {
        assert_eq!(service.network_mode, "host", "{name}");
        for (dependency, condition) in &service.depends_on {
            assert_eq!(
                condition.condition, "service_healthy",
                "{name} on {dependency}"
            );
        }
        if kinds[name] == Kind::Ours {
            assert!(service.build.is_none() || service.build.as_deref() == Some("."));
        }
    }
    assert_eq!(
        compose
            .services
            .values()
            .filter(|s| s.build.is_some())
            .count(),
        1,
        "our image is built once"
    );
    let declared_volumes: Vec<&String> = compose.volumes.keys().collect();
    for service in compose.services.values() {
        for volume in service.volumes.iter().filter(|v| !v.starts_with('.')) {
            let name = volume.split(':').next().unwrap().to_owned();
            assert!(
                declared_volumes.contains(&&name),
                "volume {name} is declared"
            );
        }
    }

    // Plan every service first, so each port is moved before any copy of config/ is made.
    let mut planned: BTreeMap<String, Native> = BTreeMap::new();
    let mut providers: Vec<String> = Vec::new();
    for (name, service) in &compose.services {
        if kinds[name] == Kind::Ours {
            let plan = native(name, service, &mut ports, stand);
            if service.command[0] == "one-login" {
                providers.push(service.environment["ONE_LOGIN__SERVER__LISTEN"].clone());
            }
            planned.insert(name.clone(), plan);
        }
    }
    assert_eq!(providers.len(), 2, "two provider replicas");
    let (lb_name, lb) = compose
        .services
        .iter()
        .find(|(name, _)| kinds[name] == Kind::LoadBalancer)
        .expect("a load balancer");
    assert_eq!(
        lb.volumes,
        ["./config/load-balancer.conf:/etc/nginx/nginx.conf:ro"],
        "{lb_name}: its file"
    );
    let (lb_listen, lb_servers) =
        load_balancer_file(&repo_root().join("config/load-balancer.conf"));
    let mut sorted_providers = providers.clone();
    sorted_providers.sort();
    assert_eq!(
        lb_servers, sorted_providers,
        "the balancer serves exactly the replicas"
    );
    let issuer = &compose
        .services
        .values()
        .find(|s| s.command.first().map(String::as_str) == Some("one-login"))
        .unwrap()
        .environment["ONE_LOGIN__ISSUER"];
    assert_eq!(
        port_of(issuer),
        port_of(&lb_listen),
        "the issuer is the balancer"
    );
    let lb_health = health_url(lb_name, lb, &mut ports);
    let lb_listen = ports.address(&lb_listen);
    let lb_backends: Vec<String> = lb_servers.iter().map(|s| ports.address(s)).collect();
    for (name, service) in &compose.services {
        match kinds[name] {
            Kind::Postgres => {
                let db = url::Url::parse(&providers_db(compose)).unwrap();
                let env = &service.environment;
                let keys: Vec<&str> = env.keys().map(String::as_str).collect();
                assert_eq!(
                    keys,
                    ["POSTGRES_DB", "POSTGRES_PASSWORD", "POSTGRES_USER"],
                    "{name}"
                );
                assert_eq!(db.username(), env["POSTGRES_USER"]);
                assert_eq!(db.password(), Some(env["POSTGRES_PASSWORD"].as_str()));
                assert_eq!(db.path(), format!("/{}", env["POSTGRES_DB"]));
                assert_eq!(db.port().map(|p| p.to_string()), Some(pg_port(service)));
            }
            Kind::Redis => {
                assert!(service.environment.is_empty(), "{name}");
                let redis = compose
                    .services
                    .values()
                    .find_map(|s| s.environment.get("ONE_LOGIN__EPHEMERAL__URL"))
                    .unwrap();
                let port = port_of(redis).to_string();
                assert!(service.command.contains(&port), "{name} listens on {port}");
            }
            _ => {}
        }
    }
    copy_config(
        &repo_root().join("config"),
        &stand.srv.join("config"),
        &ports,
    );

    // Start in the file's order, each once what it depends on is healthy.
    let mut running: Vec<Service> = Vec::new();
    let mut served = None;
    for name in start_order(compose) {
        match kinds[&name] {
            Kind::Postgres | Kind::Redis => {}
            Kind::LoadBalancer => {
                served = Some(round_robin_proxy(&lb_listen, lb_backends.clone()).await);
                wait_for(&lb_health).await;
            }
            Kind::Ours => {
                let plan = &planned[&name];
                let mut service = Service::start(
                    &name,
                    &plan.program,
                    &plan.args,
                    &plan.env,
                    &stand.srv,
                    logs,
                );
                service.wait_healthy(&plan.health).await;
                running.push(service);
            }
        }
    }
    let served = served.unwrap();

    // A citizen: an account made with the provider's command, then signed in through the
    // balancer at the benefits service, refused P2 at the driving licence service today, and
    // signed out of both.
    let provider = &planned[compose
        .services
        .iter()
        .find(|(_, s)| s.command.first().map(String::as_str) == Some("one-login"))
        .unwrap()
        .0];
    // The provider's own options (a `--config`, where compose gives one) for its other command.
    let mut create = vec!["create-account"];
    create.extend(
        provider
            .args
            .iter()
            .map(String::as_str)
            .filter(|a| *a != "serve"),
    );
    create.extend([
        "--email",
        "grace@example.com",
        "--password",
        PASSWORD,
        "--totp-secret",
        TOTP_SECRET,
    ]);
    run(&provider.program, &create, &provider.env, &stand.srv);
    let public = |service: &str, path: &str| {
        let url = planned[service]
            .env
            .iter()
            .find(|(k, _)| k == "ONE_LOGIN_DEPARTMENT__PUBLIC_URL")
            .unwrap()
            .1
            .clone();
        format!("{}{}", url.trim_end_matches('/'), path)
    };
    let browser = Browser::new_without_pooling();
    let page = browser.get(&public("benefits", "/sign-in")).await;
    let page = support::sign_in_at_provider(&browser, page, "grace@example.com").await;
    assert_eq!(
        page.url,
        public("benefits", "/application"),
        "{}",
        page.body
    );
    let sub = page.text_of("sub");
    assert!(sub.starts_with("urn:fdc:gov.uk:2022:"));
    // Identity proving across the replicas: evidence sealed by one is opened by the other
    // (the balancer alternates per connection, and this browser opens one per request).
    let driving = browser.get(&public("driving-licence", "/sign-in")).await;
    let driving = support::agree_if_asked(&browser, driving).await;
    let proved = support::prove_as_kenneth(&browser, driving).await;
    assert_eq!(
        proved.text_of("verified-name"),
        "Kenneth Decerqueira",
        "{}",
        proved.body
    );
    let signed_out = browser.submit(&page, "/sign-out", &[]).await;
    signed_out.assert_contains("You have signed out");
    let counts: Vec<usize> = served.iter().map(|c| c.load(Ordering::Relaxed)).collect();
    assert!(
        counts.iter().all(|c| *c > 2),
        "both replicas served the journey: {counts:?}"
    );
    drop(running);
}

/// The database URL the provider replicas are given.
fn providers_db(compose: &Compose) -> String {
    compose
        .services
        .values()
        .find_map(|s| s.environment.get("ONE_LOGIN__DATABASE__URL").cloned())
        .unwrap()
}

/// The port the PostgreSQL service is told to listen on.
fn pg_port(service: &ComposeService) -> String {
    service
        .command
        .iter()
        .find_map(|a| a.strip_prefix("port="))
        .unwrap()
        .to_owned()
}

async fn wait_for(url: &str) {
    let client = reqwest::Client::new();
    for _ in 0..300 {
        if let Ok(response) = client.get(url).send().await
            && response.status() == 200
        {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("{url} never became healthy");
}
