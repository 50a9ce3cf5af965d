//! A virtual citizen: a browser with its own cookie jar that does not follow redirects (the
//! tool reads each `Location` itself), and the relying party's back-channel calls it causes.

use std::sync::Arc;

use reqwest::StatusCode;
use reqwest::header::LOCATION;
use serde::Deserialize;
use totp_rs::{Algorithm, Builder, Secret};

use crate::error::{Error, Result};
use crate::rp::{self, RelyingParty};

/// The password every bench account has (long enough, and not a common one).
pub const PASSWORD: &str = "bench load test passphrase 7";

/// One account the tool created, with the authenticator secret it chose.
#[derive(Debug, Clone)]
pub struct Account {
    pub email: String,
    pub totp_secret: String,
}

impl Account {
    /// The authenticator code for TOTP step `step` (30 s steps, 6 digits, SHA-1: RFC 6238 as
    /// the provider configures it).
    pub fn code_for_step(&self, step: i64) -> Result<String> {
        let fail = |why: String| Error::flow("authenticator code", why);
        let secret = Secret::try_from_base32(&self.totp_secret)
            .map_err(|e| fail(format!("secret: {e:?}")))?;
        let totp = Builder::new()
            .with_algorithm(Algorithm::SHA1)
            .with_digits(6)
            .with_skew(1)
            .with_step_duration(30)
            .with_secret(secret)
            .with_issuer(Some("One Login"))
            .with_account_name(self.email.clone())
            .build()
            .map_err(|e| fail(format!("{e:?}")))?;
        Ok(totp.generate(step.max(0) as u64 * 30).to_string())
    }
}

/// The current TOTP step by this machine's clock (the provider's clock is the same one).
pub fn current_step() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp() / 30
}

/// What the shared parts of every citizen need: where the provider is, and the relying party.
pub struct Site {
    pub base: url::Url,
    pub issuer: String,
    pub rp: RelyingParty,
    /// The relying party's own HTTP client for the token and userinfo endpoints: its back end,
    /// not the citizen's browser, calls those.
    pub backend: reqwest::Client,
}

#[derive(Debug, Deserialize)]
pub struct Tokens {
    pub access_token: String,
    #[serde(default)]
    pub refresh_token: Option<String>,
}

/// Which scopes an authorization request asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// `openid email`: a department visit.
    Visit,
    /// `openid email offline_access`: a service that keeps a refresh token.
    Offline,
}

impl Scope {
    fn as_str(self) -> &'static str {
        match self {
            Scope::Visit => "openid email",
            Scope::Offline => "openid email offline_access",
        }
    }
}

/// Where `/authorize` sent the browser.
enum Answer {
    /// Back to the relying party with a code.
    Code(String),
    /// To a provider page (sign-in, code, consent).
    Page(String),
}

pub struct Citizen {
    browser: reqwest::Client,
    site: Arc<Site>,
}

pub fn browser() -> Result<reqwest::Client> {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| Error::Provider(format!("HTTP client: {e}")))
}

fn http(step: &'static str) -> impl Fn(reqwest::Error) -> Error {
    move |e| Error::flow(step, e.to_string())
}

fn csrf_token(page: &str, step: &'static str) -> Result<String> {
    let marker = "name=\"csrf_token\" value=\"";
    let start = page
        .find(marker)
        .ok_or_else(|| Error::flow(step, "no csrf_token on the page"))?
        + marker.len();
    let end = page[start..]
        .find('"')
        .ok_or_else(|| Error::flow(step, "unterminated csrf_token"))?;
    Ok(page[start..start + end].to_owned())
}

impl Citizen {
    pub fn new(site: Arc<Site>) -> Result<Self> {
        Ok(Citizen {
            browser: browser()?,
            site,
        })
    }

    pub fn site(&self) -> Arc<Site> {
        self.site.clone()
    }

    fn url(&self, path: &str) -> Result<url::Url> {
        self.site
            .base
            .join(path)
            .map_err(|e| Error::flow("url", e.to_string()))
    }

    /// GET `path`; the status must be 200 (discovery, JWKS).
    pub async fn get_ok(&self, path: &str, step: &'static str) -> Result<()> {
        let response = self
            .browser
            .get(self.url(path)?)
            .send()
            .await
            .map_err(http(step))?;
        let status = response.status();
        // Read the body: a real client does, and it returns the connection to the pool.
        response.bytes().await.map_err(http(step))?;
        if status != StatusCode::OK {
            return Err(Error::flow(step, format!("status {status}")));
        }
        Ok(())
    }

    /// GETs a redirect's target relative to the provider and returns where it points next.
    async fn follow(&self, location: &str, step: &'static str) -> Result<reqwest::Response> {
        let url = self
            .site
            .base
            .join(location)
            .map_err(|e| Error::flow(step, e.to_string()))?;
        self.browser.get(url).send().await.map_err(http(step))
    }

    fn location(response: &reqwest::Response, step: &'static str) -> Result<String> {
        if !response.status().is_redirection() {
            return Err(Error::flow(
                step,
                format!("expected a redirect, got {}", response.status()),
            ));
        }
        response
            .headers()
            .get(LOCATION)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
            .ok_or_else(|| Error::flow(step, "redirect without Location"))
    }

    /// Reads the code from a redirect to the relying party, checking `state` and `iss`.
    fn classify(&self, location: &str, state: &str) -> Result<Answer> {
        if !location.starts_with(rp::REDIRECT_URI) {
            return Ok(Answer::Page(location.to_owned()));
        }
        let url = url::Url::parse(location).map_err(|e| Error::flow("callback", e.to_string()))?;
        let mut code = None;
        let mut got_state = None;
        let mut error = None;
        for (name, value) in url.query_pairs() {
            match name.as_ref() {
                "code" => code = Some(value.into_owned()),
                "state" => got_state = Some(value.into_owned()),
                "error" => error = Some(value.into_owned()),
                _ => {}
            }
        }
        if let Some(error) = error {
            return Err(Error::flow("callback", format!("error={error}")));
        }
        if got_state.as_deref() != Some(state) {
            return Err(Error::flow("callback", "state does not match"));
        }
        code.map(Answer::Code)
            .ok_or_else(|| Error::flow("callback", "no code"))
    }

    /// Starts an authorization request; returns where the provider sent the browser.
    async fn authorize(&self, scope: Scope, challenge: &str, state: &str) -> Result<Answer> {
        let nonce = uuid::Uuid::new_v4().simple().to_string();
        let mut url = self.url("authorize")?;
        url.query_pairs_mut()
            .append_pair("response_type", "code")
            .append_pair("scope", scope.as_str())
            .append_pair("client_id", rp::CLIENT_ID)
            .append_pair("redirect_uri", rp::REDIRECT_URI)
            .append_pair("state", state)
            .append_pair("nonce", &nonce)
            .append_pair("code_challenge", challenge)
            .append_pair("code_challenge_method", "S256");
        let response = self
            .browser
            .get(url)
            .send()
            .await
            .map_err(http("authorize"))?;
        let location = Self::location(&response, "authorize")?;
        self.classify(&location, state)
    }

    /// GETs the form at `path`, then POSTs `fields` with its CSRF token; returns the redirect.
    async fn fill(
        &self,
        path: &str,
        fields: &[(&str, &str)],
        step: &'static str,
    ) -> Result<String> {
        let page = self.follow(path, step).await?;
        if page.status() != StatusCode::OK {
            return Err(Error::flow(step, format!("form page: {}", page.status())));
        }
        let body = page.text().await.map_err(http(step))?;
        let token = csrf_token(&body, step)?;
        let mut form = vec![("csrf_token", token.as_str())];
        form.extend_from_slice(fields);
        let response = self
            .browser
            .post(self.url(path)?)
            .form(&form)
            .send()
            .await
            .map_err(http(step))?;
        Self::location(&response, step)
    }

    /// A whole front-channel visit: authorize, and if the provider asks, sign in with password
    /// and the code for TOTP `step`, and agree to share. Returns the code and PKCE verifier.
    pub async fn visit(
        &self,
        scope: Scope,
        account: &Account,
        step: Option<i64>,
    ) -> Result<(String, String, Visited)> {
        let (verifier, challenge) = rp::pkce();
        let state = uuid::Uuid::new_v4().simple().to_string();
        let mut visited = Visited::default();
        let mut next = self.authorize(scope, &challenge, &state).await?;
        // At most: sign-in, code, continue, consent: a loop bound against a provider that
        // sends the browser round in circles.
        for _ in 0..6 {
            let location = match next {
                Answer::Code(code) => return Ok((code, verifier, visited)),
                Answer::Page(location) => location,
            };
            let path = location.split('?').next().unwrap_or_default().to_owned();
            let location = match path.as_str() {
                "/sign-in" => {
                    visited.signed_in = true;
                    self.fill(
                        "/sign-in",
                        &[("email", &account.email), ("password", PASSWORD)],
                        "sign-in",
                    )
                    .await?
                }
                "/sign-in/authenticator-code" => {
                    let step = step.ok_or_else(|| {
                        Error::flow("authorize", "asked for a code in a single sign-on visit")
                    })?;
                    let code = account.code_for_step(step)?;
                    self.fill(
                        "/sign-in/authenticator-code",
                        &[("code", &code)],
                        "authenticator code",
                    )
                    .await?
                }
                "/authorize/consent" => {
                    visited.consented = true;
                    self.fill("/authorize/consent", &[("decision", "agree")], "consent")
                        .await?
                }
                "/authorize/continue" => {
                    let response = self.follow(&location, "continue").await?;
                    Self::location(&response, "continue")?
                }
                other => {
                    return Err(Error::flow(
                        "authorize",
                        format!("unexpected redirect to {other}"),
                    ));
                }
            };
            next = self.classify(&location, &state)?;
        }
        Err(Error::flow("authorize", "too many redirects"))
    }
}

/// What a visit went through besides the code, for the report.
#[derive(Debug, Default, Clone, Copy)]
pub struct Visited {
    pub signed_in: bool,
    pub consented: bool,
}

impl Site {
    fn url(&self, path: &str) -> Result<url::Url> {
        self.base
            .join(path)
            .map_err(|e| Error::flow("url", e.to_string()))
    }

    async fn token_request(&self, form: &[(&str, &str)], step: &'static str) -> Result<Tokens> {
        let assertion = self.rp.assertion()?;
        let mut all = form.to_vec();
        all.push(("client_assertion_type", rp::JWT_BEARER));
        all.push(("client_assertion", &assertion));
        let response = self
            .backend
            .post(self.url("token")?)
            .form(&all)
            .send()
            .await
            .map_err(http(step))?;
        let status = response.status();
        let body = response.bytes().await.map_err(http(step))?;
        if status != StatusCode::OK {
            return Err(Error::flow(
                step,
                format!("status {status}: {}", String::from_utf8_lossy(&body)),
            ));
        }
        serde_json::from_slice(&body).map_err(|e| Error::flow(step, e.to_string()))
    }

    /// `grant_type=authorization_code` with PKCE and a fresh client assertion.
    pub async fn redeem(&self, code: &str, verifier: &str) -> Result<Tokens> {
        self.token_request(
            &[
                ("grant_type", "authorization_code"),
                ("code", code),
                ("redirect_uri", rp::REDIRECT_URI),
                ("code_verifier", verifier),
            ],
            "token (code)",
        )
        .await
    }

    /// `grant_type=refresh_token`: returns the rotated refresh token.
    pub async fn refresh(&self, refresh_token: &str) -> Result<String> {
        let tokens = self
            .token_request(
                &[
                    ("grant_type", "refresh_token"),
                    ("refresh_token", refresh_token),
                ],
                "token (refresh)",
            )
            .await?;
        tokens
            .refresh_token
            .ok_or_else(|| Error::flow("token (refresh)", "no rotated refresh token"))
    }

    pub async fn userinfo(&self, access_token: &str) -> Result<()> {
        let response = self
            .backend
            .get(self.url("userinfo")?)
            .bearer_auth(access_token)
            .send()
            .await
            .map_err(http("userinfo"))?;
        let status = response.status();
        response.bytes().await.map_err(http("userinfo"))?;
        if status != StatusCode::OK {
            return Err(Error::flow("userinfo", format!("status {status}")));
        }
        Ok(())
    }
}
