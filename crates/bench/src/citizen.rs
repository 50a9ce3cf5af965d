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
    /// The second client of `identity-reuse`, in another sector.
    pub reuse_rp: RelyingParty,
    /// The relying party's own HTTP client for the token and userinfo endpoints: its back end,
    /// not the citizen's browser, calls those.
    pub backend: reqwest::Client,
    /// Where the protocol's endpoints are, as the provider's discovery document says.
    pub endpoints: Endpoints,
    pub flavour: Flavour,
}

/// Which provider a [`Site`] is. One client code path drives both; this says which way to go
/// where they differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavour {
    OneLogin,
    /// panva oidc-provider (`tests/perf/anchor`): it keeps `offline_access` only when the
    /// request has `prompt=consent` (OpenID Connect Core §11), and signs a citizen in at its
    /// `/interaction/<uid>` page for the account the bench names, without a password.
    Anchor,
}

/// The endpoints a relying party uses, from the discovery document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoints {
    pub discovery: url::Url,
    pub authorization: url::Url,
    pub token: url::Url,
    pub userinfo: url::Url,
    pub jwks: url::Url,
}

/// Where the discovery document of the provider at `base` is (OpenID Connect Discovery §4).
pub fn discovery_url(base: &url::Url) -> Result<url::Url> {
    base.join(".well-known/openid-configuration")
        .map_err(|e| Error::flow("discovery", e.to_string()))
}

impl Endpoints {
    /// Reads the endpoints from a discovery document fetched from `discovery`.
    pub fn from_document(discovery: url::Url, document: &serde_json::Value) -> Result<Self> {
        let field = |name: &str| -> Result<url::Url> {
            let value = document[name]
                .as_str()
                .ok_or_else(|| Error::flow("discovery", format!("no {name}")))?;
            url::Url::parse(value).map_err(|e| Error::flow("discovery", format!("{name}: {e}")))
        };
        Ok(Endpoints {
            authorization: field("authorization_endpoint")?,
            token: field("token_endpoint")?,
            userinfo: field("userinfo_endpoint")?,
            jwks: field("jwks_uri")?,
            discovery,
        })
    }

    /// Fetches the discovery document of the provider at `base` and reads it.
    pub async fn discover(client: &reqwest::Client, base: &url::Url) -> Result<Self> {
        let url = discovery_url(base)?;
        let response = client
            .get(url.clone())
            .send()
            .await
            .map_err(http("discovery"))?;
        if response.status() != StatusCode::OK {
            return Err(Error::flow(
                "discovery",
                format!("status {}", response.status()),
            ));
        }
        let document: serde_json::Value = response.json().await.map_err(http("discovery"))?;
        Self::from_document(url, &document)
    }

    /// The paths One Login serves under `base` (its discovery document names these), for a
    /// site made without fetching the document.
    pub fn one_login(base: &url::Url) -> Result<Self> {
        let at = |path: &str| {
            base.join(path)
                .map_err(|e| Error::flow("url", e.to_string()))
        };
        Ok(Endpoints {
            discovery: discovery_url(base)?,
            authorization: at("authorize")?,
            token: at("token")?,
            userinfo: at("userinfo")?,
            jwks: at(".well-known/jwks.json")?,
        })
    }
}

#[derive(Debug, Deserialize)]
pub struct Tokens {
    pub access_token: String,
    #[serde(default)]
    pub refresh_token: Option<String>,
}

/// What an authorization request asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// `openid email`: a department visit.
    Visit,
    /// `openid email offline_access`: a service that keeps a refresh token.
    Offline,
    /// `openid email` with `vtr=["Cl.Cm.P2"]` and the core identity JWT at userinfo: a service
    /// that needs a proven identity (medium confidence).
    Identity,
}

/// The vector of trust of an identity request.
pub const IDENTITY_VTR: &str = r#"["Cl.Cm.P2"]"#;

impl Scope {
    fn as_str(self) -> &'static str {
        match self {
            Scope::Visit | Scope::Identity => "openid email",
            Scope::Offline => "openid email offline_access",
        }
    }
}

/// The test data set's Kenneth Decerqueira (crates/identity-proofing/data/README.md): every
/// bench account proves as him (the data set allows one person on many accounts).
mod kenneth {
    pub const PASSPORT: &[(&str, &str)] = &[
        ("passport-number", "321654987"),
        ("surname", "Decerqueira"),
        ("given-names", "Kenneth"),
        ("birth-date-day", "8"),
        ("birth-date-month", "7"),
        ("birth-date-year", "1965"),
        ("expiry-date-day", "1"),
        ("expiry-date-month", "1"),
        ("expiry-date-year", "2030"),
    ];
    pub const POSTCODE: &str = "BA2 5AA";
    /// How his line starts in the postcode's address list.
    pub const ADDRESS: &str = "8 Hadley Road";
    /// Answers his records support; each question offers one of them.
    pub const ANSWERS: [&str; 4] = ["Halifax", "Zopa", "Vodafone", "£401 to £700"];
}

/// A provider page as the browser got it: a redirect's target, or a page to read.
enum Got {
    Redirect(String),
    Page(String),
}

/// Undoes the HTML escaping of an attribute value or label (the few entities the pages use).
fn unescape(text: &str) -> String {
    text.replace("&#38;", "&")
        .replace("&amp;", "&")
        .replace("&#x27;", "'")
        .replace("&#39;", "'")
        .replace("&quot;", "\"")
}

/// The value of the hidden field `name`.
fn hidden_value(page: &str, name: &str, step: &'static str) -> Result<String> {
    let marker = format!("name=\"{name}\" value=\"");
    let start = page
        .find(&marker)
        .ok_or_else(|| Error::flow(step, format!("no {name} on the page")))?
        + marker.len();
    let end = page[start..]
        .find('"')
        .ok_or_else(|| Error::flow(step, format!("unterminated {name}")))?;
    Ok(unescape(&page[start..start + end]))
}

/// A radio group's (value, label) pairs, in page order.
fn radios(page: &str, name: &str) -> Vec<(String, String)> {
    let marker = format!("name=\"{name}\" type=\"radio\" value=\"");
    page.match_indices(&marker)
        .filter_map(|(i, _)| {
            let start = i + marker.len();
            let end = page[start..].find('"')? + start;
            let label = page[end..].find("govuk-radios__label")? + end;
            let label = page[label..].find('>')? + label + 1;
            let label_end = page[label..].find("</label>")? + label;
            Some((
                unescape(&page[start..end]),
                unescape(page[label..label_end].trim()),
            ))
        })
        .collect()
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

    /// GET `url`; the status must be 200 (discovery, JWKS).
    pub async fn get_ok(&self, url: &url::Url, step: &'static str) -> Result<()> {
        let response = self
            .browser
            .get(url.clone())
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

    /// Reads the code from a redirect to the relying party `rp`, checking `state`.
    fn classify(&self, rp: &RelyingParty, location: &str, state: &str) -> Result<Answer> {
        if !location.starts_with(rp.redirect_uri) {
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
    async fn authorize(
        &self,
        rp: &RelyingParty,
        scope: Scope,
        challenge: &str,
        state: &str,
    ) -> Result<Answer> {
        let nonce = uuid::Uuid::new_v4().simple().to_string();
        let mut url = self.site.endpoints.authorization.clone();
        url.query_pairs_mut()
            .append_pair("response_type", "code")
            .append_pair("scope", scope.as_str())
            .append_pair("client_id", rp.client_id)
            .append_pair("redirect_uri", rp.redirect_uri)
            .append_pair("state", state)
            .append_pair("nonce", &nonce)
            .append_pair("code_challenge", challenge)
            .append_pair("code_challenge_method", "S256");
        if scope == Scope::Offline && self.site.flavour == Flavour::Anchor {
            url.query_pairs_mut().append_pair("prompt", "consent");
        }
        if scope == Scope::Identity {
            let claims = serde_json::json!({ "userinfo": { rp::CORE_IDENTITY_CLAIM: null } });
            url.query_pairs_mut()
                .append_pair("vtr", IDENTITY_VTR)
                .append_pair("claims", &claims.to_string());
        }
        let response = self
            .browser
            .get(url)
            .send()
            .await
            .map_err(http("authorize"))?;
        let location = Self::location(&response, "authorize")?;
        self.classify(rp, &location, state)
    }

    /// GETs a provider page: its redirect, or its body when it answers 200.
    async fn get_page(&self, path: &str, step: &'static str) -> Result<Got> {
        let response = self.follow(path, step).await?;
        if response.status().is_redirection() {
            return Ok(Got::Redirect(Self::location(&response, step)?));
        }
        if response.status() != StatusCode::OK {
            return Err(Error::flow(step, format!("page: {}", response.status())));
        }
        Ok(Got::Page(response.text().await.map_err(http(step))?))
    }

    /// POSTs `fields` with `page`'s CSRF token to `path`; returns the redirect.
    async fn post_form(
        &self,
        path: &str,
        page: &str,
        fields: &[(&str, &str)],
        step: &'static str,
    ) -> Result<String> {
        let token = csrf_token(page, step)?;
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

    /// One page of the proving journey, answered as Kenneth would; returns where it led.
    async fn proving_page(&self, path: &str, location: &str) -> Result<String> {
        match path {
            "/identity/next" => match self.get_page(location, "identity next").await? {
                Got::Redirect(next) => Ok(next),
                Got::Page(body) if body.contains("You have proved your identity") => {
                    Ok("/authorize/continue".to_owned())
                }
                Got::Page(_) => Err(Error::flow("identity next", "not proven")),
            },
            "/identity/start" => {
                self.fill(path, &[("document", "passport")], "identity start")
                    .await
            }
            "/identity/passport" => self.fill(path, kenneth::PASSPORT, "passport").await,
            "/identity/address" => {
                self.fill(path, &[("postcode", kenneth::POSTCODE)], "postcode")
                    .await
            }
            "/identity/address/choose" => {
                let Got::Page(page) = self.get_page(path, "address").await? else {
                    return Err(Error::flow("address", "no address list"));
                };
                let (home, _) = radios(&page, "address")
                    .into_iter()
                    .find(|(_, label)| label.starts_with(kenneth::ADDRESS))
                    .ok_or_else(|| Error::flow("address", "Kenneth's address is not listed"))?;
                self.post_form(path, &page, &[("address", &home)], "address")
                    .await
            }
            "/identity/questions" => {
                let page = match self.get_page(path, "questions").await? {
                    Got::Redirect(next) => return Ok(next),
                    Got::Page(page) => page,
                };
                let question = hidden_value(&page, "question", "questions")?;
                let (answer, _) = radios(&page, "answer")
                    .into_iter()
                    .find(|(value, _)| kenneth::ANSWERS.contains(&value.as_str()))
                    .ok_or_else(|| Error::flow("questions", "no answer of Kenneth's offered"))?;
                self.post_form(
                    path,
                    &page,
                    &[("question", &question), ("answer", &answer)],
                    "questions",
                )
                .await
            }
            other => Err(Error::flow("identity", format!("unexpected page {other}"))),
        }
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
        self.post_form(path, &body, fields, step).await
    }

    /// The anchor's sign-in: its interaction page signs in the account named, without a
    /// password, grants what the client asked for, and sends the browser back to `/auth`.
    async fn finish_interaction(&self, location: &str, account: &Account) -> Result<String> {
        let mut url = self
            .site
            .base
            .join(location)
            .map_err(|e| Error::flow("interaction", e.to_string()))?;
        url.query_pairs_mut().append_pair("account", &account.email);
        let response = self
            .browser
            .get(url)
            .send()
            .await
            .map_err(http("interaction"))?;
        Self::location(&response, "interaction")
    }

    /// A whole front-channel visit at the bench's first client: authorize, and if the provider
    /// asks, sign in with password and the code for TOTP `step`, and agree to share. Returns
    /// the code and PKCE verifier.
    pub async fn visit(
        &self,
        scope: Scope,
        account: &Account,
        step: Option<i64>,
    ) -> Result<(String, String, Visited)> {
        let site = self.site.clone();
        self.visit_at(&site.rp, scope, account, step, false).await
    }

    /// A visit at `rp`. An identity request may be asked to confirm the reuse of a proven
    /// identity (always answered yes), and when `prove` is set, to prove it (as Kenneth).
    pub async fn visit_at(
        &self,
        rp: &RelyingParty,
        scope: Scope,
        account: &Account,
        step: Option<i64>,
        prove: bool,
    ) -> Result<(String, String, Visited)> {
        let (verifier, challenge) = rp::pkce();
        let state = uuid::Uuid::new_v4().simple().to_string();
        let mut visited = Visited::default();
        let mut next = self.authorize(rp, scope, &challenge, &state).await?;
        // At most: sign-in, code, continue, consent, and the proving journey's dozen pages: a
        // loop bound against a provider that sends the browser round in circles.
        for _ in 0..32 {
            let location = match next {
                Answer::Code(code) => return Ok((code, verifier, visited)),
                Answer::Page(location) => location,
            };
            // One Login redirects by path; the anchor by absolute URL on its own origin.
            let path = match self.site.base.join(&location) {
                Ok(url) if url.origin() == self.site.base.origin() => url.path().to_owned(),
                _ => location.split('?').next().unwrap_or_default().to_owned(),
            };
            let location = match path.as_str() {
                // "/" is "Create your GOV.UK One Login or sign in", for a browser not yet
                // signed in: the bench's citizens have accounts, so they sign in.
                "/" | "/sign-in" => {
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
                interaction if interaction.starts_with("/interaction/") => {
                    visited.signed_in = true;
                    self.finish_interaction(&location, account).await?
                }
                // The anchor's resume after its interaction: back to the client with a code.
                resume if self.site.flavour == Flavour::Anchor && resume.starts_with("/auth/") => {
                    let response = self.follow(&location, "resume").await?;
                    Self::location(&response, "resume")?
                }
                "/identity/reuse" => {
                    visited.reused = true;
                    self.fill("/identity/reuse", &[], "identity reuse").await?
                }
                identity if prove && identity.starts_with("/identity/") => {
                    visited.proved = true;
                    self.proving_page(identity, &location).await?
                }
                other => {
                    return Err(Error::flow(
                        "authorize",
                        format!("unexpected redirect to {other}"),
                    ));
                }
            };
            next = self.classify(rp, &location, &state)?;
        }
        Err(Error::flow("authorize", "too many redirects"))
    }
}

/// What a visit went through besides the code, for the report.
#[derive(Debug, Default, Clone, Copy)]
pub struct Visited {
    pub signed_in: bool,
    pub consented: bool,
    /// Went through the proving journey.
    pub proved: bool,
    /// Confirmed the reuse of a proven identity.
    pub reused: bool,
}

impl Site {
    fn url(&self, path: &str) -> Result<url::Url> {
        self.base
            .join(path)
            .map_err(|e| Error::flow("url", e.to_string()))
    }

    async fn token_request(
        &self,
        rp: &RelyingParty,
        form: &[(&str, &str)],
        step: &'static str,
    ) -> Result<Tokens> {
        let assertion = rp.assertion_for(self.endpoints.token.as_str())?;
        let mut all = form.to_vec();
        all.push(("client_assertion_type", rp::JWT_BEARER));
        all.push(("client_assertion", &assertion));
        let response = self
            .backend
            .post(self.endpoints.token.clone())
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
        self.redeem_at(&self.rp, code, verifier).await
    }

    /// The same at the client `rp`.
    pub async fn redeem_at(&self, rp: &RelyingParty, code: &str, verifier: &str) -> Result<Tokens> {
        self.token_request(
            rp,
            &[
                ("grant_type", "authorization_code"),
                ("code", code),
                ("redirect_uri", rp.redirect_uri),
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
                &self.rp,
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
        self.userinfo_body(access_token).await.map(|_| ())
    }

    async fn userinfo_body(&self, access_token: &str) -> Result<Vec<u8>> {
        let response = self
            .backend
            .get(self.endpoints.userinfo.clone())
            .bearer_auth(access_token)
            .send()
            .await
            .map_err(http("userinfo"))?;
        let status = response.status();
        let body = response.bytes().await.map_err(http("userinfo"))?;
        if status != StatusCode::OK {
            return Err(Error::flow("userinfo", format!("status {status}")));
        }
        Ok(body.to_vec())
    }

    /// Userinfo for an identity grant: returns the core identity JWT, an error without one.
    pub async fn core_identity(&self, access_token: &str) -> Result<String> {
        let body = self.userinfo_body(access_token).await?;
        let info: serde_json::Value =
            serde_json::from_slice(&body).map_err(|e| Error::flow("userinfo", e.to_string()))?;
        info.get(rp::CORE_IDENTITY_CLAIM)
            .and_then(|v| v.as_str())
            .map(str::to_owned)
            .ok_or_else(|| Error::flow("userinfo", "no core identity JWT"))
    }

    /// Verifies a core identity JWT as a relying party does: the key its `kid` names in the
    /// provider's `did.json`, ES256, this issuer, `rp` as audience. Returns its claims.
    pub async fn verify_core_identity(
        &self,
        rp: &RelyingParty,
        jwt: &str,
    ) -> Result<serde_json::Value> {
        let fail = |why: String| Error::flow("core identity", why);
        let response = self
            .backend
            .get(self.url(".well-known/did.json")?)
            .send()
            .await
            .map_err(http("did.json"))?;
        let did: serde_json::Value = response.json().await.map_err(http("did.json"))?;
        let header = jsonwebtoken::decode_header(jwt).map_err(|e| fail(e.to_string()))?;
        let kid = header.kid.ok_or_else(|| fail("no kid".into()))?;
        let method = did["assertionMethod"]
            .as_array()
            .and_then(|methods| methods.iter().find(|m| m["id"] == kid.as_str()))
            .ok_or_else(|| fail(format!("{kid} is not in did.json")))?;
        let jwk: jsonwebtoken::jwk::Jwk = serde_json::from_value(method["publicKeyJwk"].clone())
            .map_err(|e| fail(e.to_string()))?;
        let key = jsonwebtoken::DecodingKey::from_jwk(&jwk).map_err(|e| fail(e.to_string()))?;
        let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::ES256);
        validation.set_issuer(&[&self.issuer]);
        validation.set_audience(&[rp.client_id]);
        jsonwebtoken::decode::<serde_json::Value>(jwt, &key, &validation)
            .map(|data| data.claims)
            .map_err(|e| fail(e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_endpoints_from_a_discovery_document() {
        let base = url::Url::parse("http://127.0.0.1:4000/").unwrap();
        let discovery = discovery_url(&base).unwrap();
        assert_eq!(
            discovery.as_str(),
            "http://127.0.0.1:4000/.well-known/openid-configuration"
        );
        // The anchor's own names for them (oidc-provider's defaults).
        let document = serde_json::json!({
            "issuer": "http://127.0.0.1:4000",
            "authorization_endpoint": "http://127.0.0.1:4000/auth",
            "token_endpoint": "http://127.0.0.1:4000/token",
            "userinfo_endpoint": "http://127.0.0.1:4000/me",
            "jwks_uri": "http://127.0.0.1:4000/jwks",
        });
        let endpoints = Endpoints::from_document(discovery.clone(), &document).unwrap();
        assert_eq!(endpoints.authorization.path(), "/auth");
        assert_eq!(endpoints.token.path(), "/token");
        assert_eq!(endpoints.userinfo.path(), "/me");
        assert_eq!(endpoints.jwks.path(), "/jwks");
        assert_eq!(endpoints.discovery, discovery);
    }

    #[test]
    fn a_document_without_an_endpoint_or_with_a_bad_url_is_refused() {
        let discovery = url::Url::parse("http://x/.well-known/openid-configuration").unwrap();
        let missing = serde_json::json!({
            "authorization_endpoint": "http://x/auth",
            "token_endpoint": "http://x/token",
            "jwks_uri": "http://x/jwks",
        });
        let err = Endpoints::from_document(discovery.clone(), &missing).unwrap_err();
        assert!(err.to_string().contains("userinfo_endpoint"), "{err}");
        let bad = serde_json::json!({
            "authorization_endpoint": "/auth",
            "token_endpoint": "http://x/token",
            "userinfo_endpoint": "http://x/me",
            "jwks_uri": "http://x/jwks",
        });
        let err = Endpoints::from_document(discovery, &bad).unwrap_err();
        assert!(err.to_string().contains("authorization_endpoint"), "{err}");
    }

    #[test]
    fn one_logins_endpoints_are_its_paths_under_the_issuer() {
        let base = url::Url::parse("https://signin.example.gov.uk/").unwrap();
        let endpoints = Endpoints::one_login(&base).unwrap();
        assert_eq!(
            endpoints.authorization.as_str(),
            "https://signin.example.gov.uk/authorize"
        );
        assert_eq!(
            endpoints.jwks.as_str(),
            "https://signin.example.gov.uk/.well-known/jwks.json"
        );
    }
}
