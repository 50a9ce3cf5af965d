//! The real binaries together: the `one-login` provider on its embedded defaults (SQLite,
//! in-memory store) with the client files from `config/clients/`, and both departments from
//! `config/departments/`, each on free ports. A cookie-keeping browser signs a citizen in.
//!
//! What the provider offers today is run end to end: sign-in with Cl.Cm, consent, the pairwise
//! `sub`, refresh, a P2 request refused with `access_denied` (identity proving is being built),
//! RP-initiated logout and the back-channel logout of the other department.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::collections::HashMap;

use support::{
    Browser, PASSWORD, Service, TOTP_SECRET, agree_if_asked, binary, client_files, free_port,
    prove_as_kenneth, repo_root, reuse_if_asked, run, sign_in_at_provider,
};

const EMAIL: &str = "ada@example.com";

struct Ports {
    provider: u16,
    driving: u16,
    benefits: u16,
}

struct Stack {
    dir: tempfile::TempDir,
    ports: Ports,
    provider: Service,
    driving: Service,
    benefits: Service,
}

fn provider_env(dir: &std::path::Path, port: u16) -> Vec<(String, String)> {
    vec![
        (
            "ONE_LOGIN__SERVER__LISTEN".into(),
            format!("127.0.0.1:{port}"),
        ),
        (
            "ONE_LOGIN__ISSUER".into(),
            format!("http://localhost:{port}/"),
        ),
        (
            "ONE_LOGIN__DATA_DIR".into(),
            dir.join("provider").display().to_string(),
        ),
        (
            "ONE_LOGIN__CLIENTS_DIR".into(),
            dir.join("clients").display().to_string(),
        ),
    ]
}

fn department_env(
    stack_dir: &std::path::Path,
    name: &str,
    host: &str,
    port: u16,
    provider_port: u16,
    extra: &[(&str, &str)],
) -> Vec<(String, String)> {
    let mut env: Vec<(String, String)> = vec![
        (
            "ONE_LOGIN_DEPARTMENT__LISTEN".into(),
            format!("127.0.0.1:{port}"),
        ),
        (
            "ONE_LOGIN_DEPARTMENT__PUBLIC_URL".into(),
            format!("http://{host}:{port}/"),
        ),
        (
            "ONE_LOGIN_DEPARTMENT__DATA_DIR".into(),
            stack_dir.join(name).display().to_string(),
        ),
        (
            "ONE_LOGIN_DEPARTMENT__PROVIDER__ISSUER".into(),
            format!("http://localhost:{provider_port}/"),
        ),
    ];
    env.extend(
        extra
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
    );
    env
}

fn start_department(
    dir: &std::path::Path,
    name: &str,
    host: &str,
    port: u16,
    provider_port: u16,
    extra: &[(&str, &str)],
) -> Service {
    let config = repo_root().join(format!("config/departments/{name}.toml"));
    Service::start(
        name,
        &binary("one-login-department"),
        &["--config".into(), config.display().to_string()],
        &department_env(dir, name, host, port, provider_port, extra),
        &repo_root(),
        dir,
    )
}

impl Stack {
    /// The provider first, then the departments: the provider reads their keys only when they
    /// first ask for tokens.
    async fn start() -> Stack {
        let dir = tempfile::tempdir().unwrap();
        let ports = Ports {
            provider: free_port(),
            driving: free_port(),
            benefits: free_port(),
        };
        let moves = HashMap::from([
            (
                "localhost:8081".to_owned(),
                format!("localhost:{}", ports.driving),
            ),
            (
                "127.0.0.1:8082".to_owned(),
                format!("127.0.0.1:{}", ports.benefits),
            ),
        ]);
        client_files(&dir.path().join("clients"), &moves);
        let env = provider_env(dir.path(), ports.provider);
        let one_login = binary("one-login");
        let config = repo_root()
            .join("config/default.toml")
            .display()
            .to_string();
        run(
            &one_login,
            &[
                "create-account",
                "--config",
                &config,
                "--email",
                EMAIL,
                "--password",
                PASSWORD,
                "--totp-secret",
                TOTP_SECRET,
            ],
            &env,
            &repo_root(),
        );
        let mut provider = Service::start(
            "provider",
            &one_login,
            &["serve".into(), "--config".into(), config],
            &env,
            &repo_root(),
            dir.path(),
        );
        provider
            .wait_healthy(&format!("http://127.0.0.1:{}/healthz", ports.provider))
            .await;
        let mut driving = start_department(
            dir.path(),
            "driving-licence",
            "localhost",
            ports.driving,
            ports.provider,
            &[],
        );
        let mut benefits = start_department(
            dir.path(),
            "benefits",
            "127.0.0.1",
            ports.benefits,
            ports.provider,
            &[],
        );
        driving
            .wait_healthy(&format!("http://127.0.0.1:{}/healthz", ports.driving))
            .await;
        benefits
            .wait_healthy(&format!("http://127.0.0.1:{}/healthz", ports.benefits))
            .await;
        Stack {
            dir,
            ports,
            provider,
            driving,
            benefits,
        }
    }

    fn driving_url(&self, path: &str) -> String {
        format!("http://localhost:{}{path}", self.ports.driving)
    }

    fn benefits_url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.ports.benefits)
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_departments_sign_in_step_up_and_log_out_through_the_real_provider() {
    let stack = Stack::start().await;
    let browser = Browser::new();

    // Driving licence asks for P2 at once: sign in, agree, prove the identity (a test-data
    // passport, address, fraud check and questions), and back at the service with the
    // verified name and date of birth.
    let start = browser.get(&stack.driving_url("/")).await;
    assert_eq!(start.status, 200);
    start.assert_contains("Renew your driving licence");
    start.assert_contains("Start now");
    let page = browser.get(&stack.driving_url("/sign-in")).await;
    let page = sign_in_at_provider(&browser, page, EMAIL).await;
    let page = prove_as_kenneth(&browser, page).await;
    assert_eq!(page.url, stack.driving_url("/application"), "{}", page.body);
    assert_eq!(page.text_of("verified-name"), "Kenneth Decerqueira");
    assert_eq!(page.text_of("verified-birth-date"), "8 July 1965");
    let driving_sub = page.text_of("sub");
    assert!(
        driving_sub.starts_with("urn:fdc:gov.uk:2022:"),
        "{driving_sub}"
    );

    // Benefits signs in with Cl.Cm: single sign-on (no password), consent, and back.
    let page = browser.get(&stack.benefits_url("/sign-in")).await;
    assert_eq!(
        page.path(),
        "/authorize/consent",
        "no sign-in page: single sign-on"
    );
    let page = agree_if_asked(&browser, page).await;
    assert_eq!(
        page.url,
        stack.benefits_url("/application"),
        "{}",
        page.body
    );
    assert_eq!(page.status, 200);
    let benefits_sub = page.text_of("sub");
    assert!(
        benefits_sub.starts_with("urn:fdc:gov.uk:2022:"),
        "{benefits_sub}"
    );
    assert_ne!(
        driving_sub, benefits_sub,
        "pairwise: each sector its own sub"
    );
    assert_eq!(page.text_of("email"), EMAIL);
    page.assert_contains("Password and security code");
    assert!(
        !page.body.contains("Cl.Cm"),
        "no vector of trust on a citizen's page"
    );
    page.assert_contains("Confirm your identity");

    // The refresh token (offline_access) gives new tokens without the citizen.
    let page = browser.submit(&page, "/refresh", &[]).await;
    assert_eq!(page.path(), "/application");
    assert_eq!(page.text_of("sub"), benefits_sub);
    page.assert_contains("id=\"refreshed\"");

    // The age step (issue 17 §2): the provider is asked only whether the citizen is 18 or
    // over; the consent page names only that, and the service learns no birth date.
    page.assert_contains("Check you are 18 or over");
    let page = browser.submit(&page, "/check-age", &[]).await;
    assert_eq!(page.path(), "/authorize/consent", "{}", page.body);
    page.assert_contains("Whether you are over 18");
    assert!(!page.body.contains("date of birth"), "{}", page.body);
    let page = agree_if_asked(&browser, page).await;
    let page = reuse_if_asked(&browser, page).await;
    assert_eq!(
        page.url,
        stack.benefits_url("/application"),
        "{}",
        page.body
    );
    assert!(
        page.text_of("over-18")
            .contains("confirmed you are 18 or over")
    );
    assert!(
        !page.body.contains("1965"),
        "no birth date before the identity step"
    );
    assert_eq!(page.text_of("sub"), benefits_sub);

    // The identity step (P2): the proven identity is reused, no check runs again.
    let page = browser.submit(&page, "/check-identity", &[]).await;
    let page = agree_if_asked(&browser, page).await;
    assert_eq!(page.path(), "/identity/reuse", "{}", page.body);
    page.assert_contains("Kenneth Decerqueira");
    let page = reuse_if_asked(&browser, page).await;
    assert_eq!(
        page.url,
        stack.benefits_url("/application"),
        "{}",
        page.body
    );
    assert_eq!(page.text_of("verified-name"), "Kenneth Decerqueira");
    assert_eq!(page.text_of("verified-birth-date"), "8 July 1965");
    assert_eq!(page.text_of("sub"), benefits_sub);
    page.assert_contains("your proven identity was reused");
    // The identity step asked for the address too, and the form is filled in from it.
    for (field, value) in [
        ("full_name", "Kenneth Decerqueira"),
        ("address_line", "8 Hadley Road"),
        ("postcode", "BA2 5AA"),
    ] {
        page.assert_contains(&format!("name=\"{field}\" type=\"text\" value=\"{value}\""));
    }

    // Signing out of benefits signs out at the provider, which tells the driving licence
    // service by back-channel.
    let page = browser.get(&stack.benefits_url("/application")).await;
    let signed_out = browser.submit(&page, "/sign-out", &[]).await;
    assert_eq!(signed_out.path(), "/signed-out", "{}", signed_out.body);
    signed_out.assert_contains("You have signed out");
    assert_eq!(
        browser.get_once(&stack.benefits_url("/application")).await,
        (303, Some("/".into()))
    );
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
    loop {
        let (status, location) = browser.get_once(&stack.driving_url("/application")).await;
        if (status, location.as_deref()) == (303, Some("/")) {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "driving licence session not ended by back-channel:\n{}",
            stack.driving.log()
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    assert!(stack.driving.log().contains("back-channel logout"));
    let provider_account = browser
        .get(&format!(
            "http://localhost:{}/account",
            stack.ports.provider
        ))
        .await;
    assert_eq!(
        provider_account.path(),
        "/sign-in",
        "provider session ended too"
    );
    let _ = (&stack.provider, &stack.benefits, &stack.dir, &stack.ports);
}

#[test]
fn a_bad_configuration_exits_2_naming_the_key() {
    let check = |env: &[(&str, &str)]| {
        let output = std::process::Command::new(binary("one-login-department"))
            .args(["--check", "--config"])
            .arg(repo_root().join("config/departments/benefits.toml"))
            .envs(env.iter().copied())
            .output()
            .unwrap();
        (
            output.status.code(),
            String::from_utf8_lossy(&output.stdout).into_owned()
                + &String::from_utf8_lossy(&output.stderr),
        )
    };
    let (code, out) = check(&[]);
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("configuration is valid"), "{out}");
    for (key, value, named) in [
        ("ONE_LOGIN_DEPARTMENT__SIGN_IN__VTR", "Cl.P2", "sign_in.vtr"),
        ("ONE_LOGIN_DEPARTMENT__COLOUR", "red", "colour"),
        (
            "ONE_LOGIN_DEPARTMENT__PUBLIC_URL",
            "http://benefits.example/",
            "public_url",
        ),
    ] {
        let (code, out) = check(&[(key, value)]);
        assert_eq!(code, Some(2), "{key}: {out}");
        assert!(out.contains(&format!("`{named}`")), "{key}: {out}");
    }
}
