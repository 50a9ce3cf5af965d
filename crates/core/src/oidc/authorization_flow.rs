//! The authorization flow (Core §3.1.2): a checked request, decided for what the citizen's
//! session holds, and the decision's consequences (the consent on record, the identity gate,
//! the grant, its audit, the code). The web layer parses the request, hands it here with the
//! session's facts, and renders the [`Outcome`], recording in the session what it says.

use identity_proofing::ConfidenceLevel;

use super::authorization_request::{
    AuthorizationRequest, AuthorizeError, Consent, Decision, Endpoints, ErrorRedirect, Params,
    ValidRequest, append_query, decide, validate,
};
use super::clients::{Client, RETURN_CODE_CLAIM};
use super::consent_cache::ConsentCache;
use super::grants::{CodeRecord, Codes, Grant};
use super::signed_tokens::verify_id_token_hint;
use super::vtr::IdentityLevel;
use super::{Provider, Stores};
use crate::clock::Clock;
use crate::error::{Error, Result};
use crate::identity::IdentityService;
use crate::identity::claims::{GrantedIdentity, return_codes};
use crate::identity::journey::{Failure, ProvingJourney, Step};
use crate::sessions::{Authentication, Session};
use one_login_store::{AuditEvent, AuditKind};

/// What the web layer does next with an authorization request.
#[derive(Debug)]
pub enum Outcome {
    /// No client or redirect URI to trust (RFC 6749 §4.1.2.1): a page tells the person this.
    Unanswerable(&'static str),
    /// Back to the client with an error (`location`); `ends` says what ends with it.
    Refused { location: String, ends: Ends },
    /// The citizen has `step` to do first; the request waits in the session meanwhile.
    Waiting {
        request: Box<AuthorizationRequest>,
        step: NextStep,
    },
    /// Back to the client with a code (`location`): the request and any proving journey are
    /// over, and the login session has now signed in at `client_id`, which is told when it
    /// ends (Back-Channel Logout §2.7).
    Issued { location: String, client_id: String },
}

/// What the session loses when the client is sent an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ends {
    /// Nothing: the request was never accepted, so a request already waiting in the session
    /// (another tab's) stays.
    Nothing,
    /// The request waiting in the session.
    Request,
    /// The waiting request and the proving journey, which ended without an identity.
    RequestAndJourney,
}

/// What the citizen does before the request can be answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NextStep {
    /// Email and password (and then the code).
    SignIn,
    /// Signed in with the password only: the second factor.
    StepUp,
    Consent,
    /// A page of the proving journey, which is at `journey` (kept in the session).
    Identity {
        journey: ProvingJourney,
        page: IdentityPage,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdentityPage {
    /// The identity is proven already: the citizen confirms its reuse for this service.
    Reuse,
    /// The journey's next step, worked out by the journey's own page.
    Next,
}

/// What the citizen's session holds that the flow reads.
#[derive(Debug, Clone, Copy, Default)]
pub struct SessionFacts<'a> {
    pub auth: Option<&'a Authentication>,
    pub journey: Option<&'a ProvingJourney>,
}

impl<'a> SessionFacts<'a> {
    pub fn of(session: Option<&'a Session>) -> Self {
        SessionFacts {
            auth: session.and_then(Session::signed_in),
            journey: session.and_then(|s| s.proving.as_ref()),
        }
    }
}

/// The flow for one request: what it reads and writes, and when the request arrived.
pub struct Flow<'a> {
    pub provider: &'a Provider,
    pub identity: &'a IdentityService,
    pub stores: Stores<'a>,
    /// Read when the grant is made, which orders it against revocations (`Grant::issued_at_ms`).
    pub clock: &'a dyn Clock,
    /// When the request arrived, in Unix milliseconds.
    pub now_ms: i64,
}

/// What an identity request needs before a code can be issued.
enum Gate {
    /// The identity is settled: proven (now, or reuse confirmed), or not provable and the
    /// client asked for return codes.
    Pass(GrantedIdentity),
    /// A page of the proving journey (or the reuse confirmation) comes first.
    Page(ProvingJourney, IdentityPage),
    /// Cannot be proven and the client takes an error (or `prompt=none` forbids pages).
    Refuse(&'static str, &'static str),
}

pub fn confidence_level(level: IdentityLevel) -> ConfidenceLevel {
    match level {
        IdentityLevel::P1 => ConfidenceLevel::P1,
        IdentityLevel::P2 => ConfidenceLevel::P2,
        IdentityLevel::P3 => ConfidenceLevel::P3,
    }
}

impl Flow<'_> {
    fn now(&self) -> i64 {
        self.now_ms.div_euclid(1_000)
    }

    /// Checks a request as it came (`params`), then decides it for this session.
    pub async fn authorize(&self, params: &Params, session: SessionFacts<'_>) -> Result<Outcome> {
        let issuer = &self.provider.issuer;
        let valid = match self.validate(params).await {
            Ok(valid) => valid,
            Err(AuthorizeError::Page(message)) => return Ok(Outcome::Unanswerable(message)),
            Err(AuthorizeError::Redirect(error)) => {
                tracing::info!(error = error.error, description = %error.description, "authorization request refused");
                return Ok(refused(error.location(issuer), Ends::Nothing));
            }
        };
        if let Some(object) = &valid.request_object
            && !object.mark_used(self.stores.ephemeral, self.now()).await?
        {
            tracing::warn!(client = %object.client_id, "request object replayed");
            return Ok(refused(valid.replayed().location(issuer), Ends::Nothing));
        }
        self.proceed(valid.request, &valid.client, session).await
    }

    /// The request's checks, with the client's keys when it came in a request object.
    async fn validate(&self, params: &Params) -> std::result::Result<ValidRequest, AuthorizeError> {
        let provider = self.provider;
        let verify_hint =
            |token: &str| verify_id_token_hint(&provider.keys, &provider.issuer, token, self.now());
        // A request object needs the client's keys, which may have to be fetched.
        let client = params
            .get("client_id")
            .and_then(|id| provider.clients.get(id));
        let object_keys = match (params.get("request"), client) {
            (Some(_), Some(client)) => provider
                .client_keys
                .keys(&client, false, self.now())
                .await
                .unwrap_or_else(|e| {
                    tracing::warn!(error = %e, "client keys unavailable for a request object");
                    None
                }),
            _ => None,
        };
        let authorize_url = provider.url("authorize");
        let endpoints = Endpoints {
            issuer: &provider.issuer,
            authorize: &authorize_url,
        };
        let keys = object_keys.as_deref();
        validate(
            params,
            &provider.clients,
            keys,
            &verify_hint,
            &endpoints,
            self.now_ms,
        )
    }

    /// Goes on with the request waiting in the session, after sign-in, step-up or a page of
    /// the proving journey.
    pub async fn resume(
        &self,
        request: AuthorizationRequest,
        session: SessionFacts<'_>,
    ) -> Result<Outcome> {
        match self.provider.clients.get(&request.client_id) {
            Some(client) => self.proceed(request, &client, session).await,
            None => Ok(Outcome::Unanswerable(
                "The service you came from is no longer registered.",
            )),
        }
    }

    /// The citizen agreed on the consent page (as `auth`): recorded, then the request goes on.
    pub async fn agree(
        &self,
        request: AuthorizationRequest,
        client: &Client,
        auth: &Authentication,
        session: SessionFacts<'_>,
    ) -> Result<Outcome> {
        let mut claims = request.claims.userinfo.clone();
        claims.extend(request.claims.id_token.iter().cloned());
        let consent = Consent {
            scopes: request.scopes.clone(),
            claims,
        };
        let (account_id, client_id) = (&auth.account_id, &client.client_id);
        let db = self.stores.db;
        db.consents()
            .give(account_id, client_id, &consent, self.now())
            .await?;
        ConsentCache::new(self.stores.ephemeral)
            .forget(account_id, client_id)
            .await?;
        tracing::info!(account = %account_id, client = %client_id, "consent given");
        // The consent page answered `prompt=consent`: do not ask again for this request.
        let mut request = request;
        request.prompt.consent = false;
        self.proceed(request, client, session).await
    }

    /// The citizen declined on the consent page.
    pub fn decline(&self, request: &AuthorizationRequest) -> Outcome {
        // Plain words (issue 15): a service may show the description to the citizen.
        let description = "the citizen chose not to share their details";
        refused(
            self.error_location(request, "access_denied", description),
            Ends::Request,
        )
    }

    /// What `request` needs now from the session signed in as `auth`. Pages of steps that can
    /// be done already (the back button, an old tab) ask it, to send the citizen on to the
    /// step they are really at rather than show a step again.
    pub async fn decision(
        &self,
        request: &AuthorizationRequest,
        auth: Option<&Authentication>,
    ) -> Result<Decision> {
        let client = self.provider.clients.get(&request.client_id);
        self.decide(request, client.as_deref(), auth).await
    }

    /// [`decide`], with the consent on record and the `sub` a hint must name.
    async fn decide(
        &self,
        request: &AuthorizationRequest,
        client: Option<&Client>,
        auth: Option<&Authentication>,
    ) -> Result<Decision> {
        let consent = match auth {
            Some(auth) => self.consent(&auth.account_id, &request.client_id).await?,
            None => None,
        };
        let subject = self.hinted_subject(request, client, auth);
        Ok(decide(request, auth, subject.as_deref(), consent.as_ref()))
    }

    /// Decides a checked request for this session and carries the decision out.
    pub async fn proceed(
        &self,
        request: AuthorizationRequest,
        client: &Client,
        session: SessionFacts<'_>,
    ) -> Result<Outcome> {
        // No read of the account's standing here, on the path single sign-on takes every time:
        // suspending, blocking or deleting an account ends its sessions (`accounts::interventions`),
        // and a sign-in racing with that checks the standing after it saved its session
        // (`pages::sign_in::sign_in_at`), so no session of such an account outlives the
        // intervention by more than the provider's watch interval; grants made meanwhile are
        // revoked when the sessions are ended.
        let auth = session.auth;
        let step = match self.decide(&request, Some(client), auth).await? {
            Decision::Refuse(error, description) => {
                // A different citizen who signed in stays signed in (as GOV.UK does): they
                // proved who they are, and the service's own session for the earlier citizen
                // was ended by back-channel logout when they did. The service only hears
                // login_required.
                tracing::info!(client = %client.client_id, error, description, "authorization refused");
                let location = self.error_location(&request, error, description);
                return Ok(refused(location, Ends::Request));
            }
            Decision::SignIn => NextStep::SignIn,
            Decision::StepUp => NextStep::StepUp,
            Decision::Consent => NextStep::Consent,
            Decision::Issue => match auth {
                Some(auth) => return self.issue(request, client, auth, session.journey).await,
                // `decide` issues only to a signed-in citizen.
                None => NextStep::SignIn,
            },
        };
        Ok(waiting(request, step))
    }

    /// The code for `request`, once any identity it asks for is settled.
    async fn issue(
        &self,
        request: AuthorizationRequest,
        client: &Client,
        auth: &Authentication,
        journey: Option<&ProvingJourney>,
    ) -> Result<Outcome> {
        let identity = match request.vtr.identity {
            None => None,
            Some(level) => match self
                .identity_gate(&request, client, auth, journey, level)
                .await?
            {
                Gate::Pass(granted) => Some(granted),
                // The journey's pages (and the reuse page) act for the waiting request; a
                // citizen who consented earlier arrives here without one.
                Gate::Page(journey, page) => {
                    let step = NextStep::Identity { journey, page };
                    return Ok(waiting(request, step));
                }
                Gate::Refuse(error, description) => {
                    let location = self.error_location(&request, error, description);
                    return Ok(refused(location, Ends::RequestAndJourney));
                }
            },
        };
        let grant = self.grant(&request, client, auth, identity);
        self.send_code(&request, grant).await
    }

    /// Audits an identity shared, stores the code for `grant`, and sends it to the client.
    async fn send_code(&self, request: &AuthorizationRequest, grant: Grant) -> Result<Outcome> {
        if let Some(GrantedIdentity::Proven(level)) = &grant.identity {
            let event = AuditEvent::new(
                AuditKind::IdentityShared,
                Some(&grant.account_id),
                self.now(),
            )
            .with_detail(format!("{} {level}", grant.client_id));
            self.stores.db.audit().record(&event).await?;
        }
        let client_id = grant.client_id.clone();
        let record = CodeRecord {
            grant,
            redirect_uri: request.redirect_uri.clone(),
            code_challenge: request.code_challenge.clone(),
            nonce: request.nonce.clone(),
        };
        let ttl = self.provider.tokens.authorization_code_ttl;
        let code = Codes::new(self.stores.ephemeral, ttl).issue(record).await?;
        let mut pairs = vec![("code", code.as_str())];
        if let Some(state) = &request.state {
            pairs.push(("state", state));
        }
        pairs.push(("iss", &self.provider.issuer));
        let location = append_query(&request.redirect_uri, &pairs);
        Ok(Outcome::Issued {
            location,
            client_id,
        })
    }

    /// What `auth`'s sign-in gives `client` for `request`.
    fn grant(
        &self,
        request: &AuthorizationRequest,
        client: &Client,
        auth: &Authentication,
        identity: Option<GrantedIdentity>,
    ) -> Grant {
        Grant {
            // Named after its code when the code is issued (`Codes::issue`).
            grant_id: String::new(),
            client_id: client.client_id.clone(),
            account_id: auth.account_id.clone(),
            sub: self.provider.subject_for(client, &auth.account_id),
            email: auth.email.clone(),
            scopes: request.scopes.clone(),
            claims: request.claims.clone(),
            auth_time: auth.auth_time,
            vot: auth.level.as_str().to_owned(),
            acr: Some(request.acr_for(auth.level).as_str().to_owned()),
            amr: auth.amr.clone(),
            sid: auth.sid.clone(),
            identity,
            issued_at_ms: self.clock.unix_millis(),
        }
    }

    /// The identity part of an authorization (the vector's P component): the stored evidence
    /// is re-checked against the level asked for; a citizen who has it confirms its reuse,
    /// anyone else goes through the proving journey, asked only for what is missing.
    async fn identity_gate(
        &self,
        request: &AuthorizationRequest,
        client: &Client,
        auth: &Authentication,
        journey: Option<&ProvingJourney>,
        level: IdentityLevel,
    ) -> Result<Gate> {
        let target = confidence_level(level);
        let journey = self.journey_for(journey, auth, client, target);
        let failure = match self.identity_step(&journey, &auth.account_id).await? {
            Step::Proven if journey.proved_now || journey.reuse_confirmed => {
                return Ok(Gate::Pass(GrantedIdentity::Proven(target)));
            }
            // The citizen chose to go back to the service (from a failure page, the document
            // choice, or the reuse page): tell it why.
            Step::Failed(failure) if journey.ended => failure,
            _ if journey.ended => Failure::Stopped,
            _ if request.prompt.none => {
                return Ok(Gate::Refuse(
                    "interaction_required",
                    "the citizen must prove their identity, or confirm its reuse, first",
                ));
            }
            Step::Proven => return Ok(Gate::Page(journey, IdentityPage::Reuse)),
            _ => return Ok(Gate::Page(journey, IdentityPage::Next)),
        };
        tracing::info!(account = %auth.account_id, client = %client.client_id, ?failure, "identity not proven");
        if request.claims.userinfo.contains(RETURN_CODE_CLAIM) {
            let return_codes = return_codes(&failure);
            return Ok(Gate::Pass(GrantedIdentity::NotProven { return_codes }));
        }
        Ok(Gate::Refuse(
            "access_denied",
            "the citizen's identity could not be proven to the level asked for",
        ))
    }

    /// The session's proving journey when it is this citizen's, for this client and level;
    /// a new one otherwise.
    fn journey_for(
        &self,
        journey: Option<&ProvingJourney>,
        auth: &Authentication,
        client: &Client,
        target: ConfidenceLevel,
    ) -> ProvingJourney {
        let (account_id, client_id) = (&auth.account_id, &client.client_id);
        journey
            .filter(|j| {
                j.account_id == *account_id && j.client_id == *client_id && j.target == target
            })
            .cloned()
            .unwrap_or_else(|| ProvingJourney::new(account_id, client_id, target, self.now()))
    }

    /// Where the account's evidence stands for `journey`, whatever the citizen chose: a
    /// stopped journey still reports why it could not go on.
    async fn identity_step(&self, journey: &ProvingJourney, account_id: &str) -> Result<Step> {
        let (db, now) = (self.stores.db, self.now());
        let keys = self.provider.keys.set();
        let evidence = self.identity.evidence(db, &keys, account_id, now).await?;
        let open_journey = ProvingJourney {
            ended: false,
            ..journey.clone()
        };
        let step = self
            .identity
            .next_step(db, &evidence, &open_journey, now)
            .await?;
        Ok(match step {
            Step::Proven => match identity_proofing::prove(&evidence, journey.target) {
                Ok(_) => Step::Proven,
                Err(e) => {
                    tracing::warn!(account = %account_id, error = %e, "stored evidence does not make one identity");
                    Step::Failed(Failure::NotMatched)
                }
            },
            other => other,
        })
    }

    /// The consent on record, read through a short-lived cache: single sign-on reads it on
    /// every visit, so it stays off the database (design: no durable read on the hot path).
    pub async fn consent(&self, account_id: &str, client_id: &str) -> Result<Option<Consent>> {
        let cache = ConsentCache::new(self.stores.ephemeral);
        if let Some(cached) = cache.get(account_id, client_id).await? {
            return Ok(cached);
        }
        let consent = self
            .stores
            .db
            .consents()
            .find(account_id, client_id)
            .await?;
        match cache.put(account_id, client_id, consent.as_ref()).await {
            // A full in-memory store keeps its room for security state: read uncached.
            Err(Error::Store(e)) if e.is_full() => {
                tracing::debug!("short-lived store full: consent not cached")
            }
            other => other?,
        }
        Ok(consent)
    }

    /// The signed-in citizen's `sub` as `client` knows it, worked out only when the request
    /// names a citizen with an `id_token_hint` (single sign-on without one stays cheap).
    fn hinted_subject(
        &self,
        request: &AuthorizationRequest,
        client: Option<&Client>,
        auth: Option<&Authentication>,
    ) -> Option<String> {
        request.hint_subject.as_ref()?;
        Some(self.provider.subject_for(client?, &auth?.account_id))
    }

    /// The redirect that tells the client `error` (RFC 6749 §4.1.2.1).
    fn error_location(
        &self,
        request: &AuthorizationRequest,
        error: &'static str,
        description: &str,
    ) -> String {
        ErrorRedirect {
            redirect_uri: request.redirect_uri.clone(),
            state: request.state.clone(),
            error,
            description: description.to_owned(),
        }
        .location(&self.provider.issuer)
    }
}

fn waiting(request: AuthorizationRequest, step: NextStep) -> Outcome {
    let request = Box::new(request);
    Outcome::Waiting { request, step }
}

fn refused(location: String, ends: Ends) -> Outcome {
    Outcome::Refused { location, ends }
}

#[cfg(test)]
pub(crate) mod tests {

    use super::*;
    use crate::clock::ManualClock;
    use crate::config::Config;
    use crate::identity::Sources;
    use crate::oidc::authorization_request::tests::{REDIRECT, params, with};
    use crate::oidc::clients::CORE_IDENTITY_CLAIM;
    use crate::oidc::grants;
    use crate::oidc::grants::Redemption;
    use crate::sessions::CredentialLevel;
    use one_login_store::ephemeral::MemoryStore;
    use one_login_store::{Database, NewAccount};

    pub(crate) const ISSUER: &str = "http://localhost:8080/";

    /// The provider with one client, `rp`, which may ask for identity: on SQLite and the
    /// in-memory store, at a clock that stands still.
    pub(crate) struct World {
        pub(crate) provider: Provider,
        pub(crate) identity: IdentityService,
        pub(crate) db: Database,
        pub(crate) store: MemoryStore,
        pub(crate) clock: ManualClock,
        _dir: tempfile::TempDir,
    }

    impl World {
        pub(crate) async fn new() -> World {
            let dir = tempfile::tempdir().unwrap();
            let clients = dir.path().join("clients");
            std::fs::create_dir_all(&clients).unwrap();
            std::fs::write(
                clients.join("rp.toml"),
                format!(
                    "client_id = \"rp\"\nname = \"RP\"\nredirect_uris = [\"{REDIRECT}\"]\n\
                     token_endpoint_auth_method = \"none\"\nscopes = [\"openid\", \"email\"]\n\
                     claims = [\"email\", \"{CORE_IDENTITY_CLAIM}\", \"{RETURN_CODE_CLAIM}\"]\n\
                     identity_verification_supported = true\n"
                ),
            )
            .unwrap();
            let overrides = format!(
                "issuer = \"{ISSUER}\"\ndata_dir = {:?}\nclients_dir = {:?}\n\
                 [database]\nurl = \"\"\n[ephemeral]\nurl = \"\"\n",
                dir.path().display().to_string(),
                clients.display().to_string(),
            );
            let config = Config::load_with_overrides(None, &overrides).unwrap();
            let clock = ManualClock::starting_now();
            let db = Database::connect(&config).await.unwrap();
            db.migrate().await.unwrap();
            World {
                provider: Provider::load(&config, &db, clock.unix()).await.unwrap(),
                identity: IdentityService::new(&config, Sources::simulated().unwrap()).unwrap(),
                db,
                store: MemoryStore::new(1 << 20),
                clock,
                _dir: dir,
            }
        }

        pub(crate) fn stores(&self) -> Stores<'_> {
            Stores {
                ephemeral: &self.store,
                db: &self.db,
            }
        }

        fn flow(&self) -> Flow<'_> {
            Flow {
                provider: &self.provider,
                identity: &self.identity,
                stores: self.stores(),
                clock: &self.clock,
                now_ms: self.clock.unix_millis(),
            }
        }

        pub(crate) fn client(&self) -> std::sync::Arc<Client> {
            self.provider.clients.get("rp").unwrap()
        }

        /// A citizen with an account, signed in with password and code just now.
        async fn citizen(&self) -> Authentication {
            let now = self.clock.unix();
            let new = NewAccount {
                email: "ada@example.com".into(),
                password_hash: "not used here".into(),
                totp_secret: None,
                email_verified: true,
                now,
            };
            let created = AuditEvent::new(AuditKind::AccountCreated, None, now);
            let account = self.db.accounts().create(new, created).await.unwrap();
            Authentication {
                account_id: account.id,
                email: account.email,
                level: CredentialLevel::ClCm,
                auth_time: now,
                auth_time_ms: Some(self.clock.unix_millis()),
                amr: vec!["pwd".into(), "otp".into()],
                sid: "sid-1".into(),
            }
        }

        /// A good request from `rp`, with `extra` parameters added or replacing its own.
        async fn authorize(&self, extra: &[(&str, &str)], session: SessionFacts<'_>) -> Outcome {
            let params = params(&with(extra));
            self.flow().authorize(&params, session).await.unwrap()
        }

        /// The grant behind the code `location` carries.
        async fn redeem(&self, location: &str) -> Grant {
            let code = query(location, "code").expect("a code");
            let tokens = &self.provider.tokens;
            let now = self.clock.unix();
            match grants::redeem_code(&self.store, &self.db, &code, tokens, now).await {
                Ok(Redemption::Redeemed(record)) => {
                    assert_eq!(record.redirect_uri, REDIRECT);
                    assert_eq!(record.nonce.as_deref(), Some("n"));
                    record.grant
                }
                other => panic!("{other:?}"),
            }
        }
    }

    fn query(location: &str, name: &str) -> Option<String> {
        assert!(location.starts_with(REDIRECT), "{location}");
        url::Url::parse(location)
            .unwrap()
            .query_pairs()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.into_owned())
    }

    /// The error an outcome sends the client, and what it ends in the session.
    fn refusal(outcome: Outcome) -> (String, Ends) {
        let Outcome::Refused { location, ends } = outcome else {
            panic!("not a refusal: {outcome:?}");
        };
        assert_eq!(query(&location, "state").as_deref(), Some("s"));
        assert_eq!(query(&location, "iss").as_deref(), Some(ISSUER));
        (query(&location, "error").expect("an error"), ends)
    }

    fn signed_in<'a>(
        auth: &'a Authentication,
        journey: Option<&'a ProvingJourney>,
    ) -> SessionFacts<'a> {
        SessionFacts {
            auth: Some(auth),
            journey,
        }
    }

    #[tokio::test]
    async fn a_citizen_not_signed_in_signs_in_first_unless_the_client_forbids_pages() {
        let world = World::new().await;
        let outcome = world.authorize(&[], SessionFacts::default()).await;
        assert!(
            matches!(&outcome, Outcome::Waiting { request, step: NextStep::SignIn } if request.client_id == "rp"),
            "{outcome:?}"
        );
        let outcome = world
            .authorize(&[("prompt", "none")], SessionFacts::default())
            .await;
        assert_eq!(refusal(outcome), ("login_required".into(), Ends::Request));
    }

    #[tokio::test]
    async fn a_request_that_was_never_accepted_leaves_the_session_alone() {
        let world = World::new().await;
        let auth = world.citizen().await;
        let outcome = world
            .authorize(&[("client_id", "nobody")], signed_in(&auth, None))
            .await;
        assert!(
            matches!(outcome, Outcome::Unanswerable(m) if m.contains("not registered")),
            "{outcome:?}"
        );
        let outcome = world
            .authorize(&[("scope", "email")], signed_in(&auth, None))
            .await;
        assert_eq!(refusal(outcome), ("invalid_scope".into(), Ends::Nothing));
    }

    #[tokio::test]
    async fn consent_is_asked_once_and_then_single_sign_on_answers_with_a_code() {
        let world = World::new().await;
        let auth = world.citizen().await;
        let session = signed_in(&auth, None);
        let outcome = world.authorize(&[], session).await;
        let Outcome::Waiting {
            request,
            step: NextStep::Consent,
        } = outcome
        else {
            panic!("consent first: {outcome:?}");
        };
        let client = world.client();
        let outcome = world
            .flow()
            .agree(*request, &client, &auth, session)
            .await
            .unwrap();
        let Outcome::Issued {
            location,
            client_id,
        } = outcome
        else {
            panic!("a code after consent: {outcome:?}");
        };
        assert_eq!(client_id, "rp");
        assert_eq!(query(&location, "state").as_deref(), Some("s"));
        assert_eq!(query(&location, "iss").as_deref(), Some(ISSUER));
        let grant = world.redeem(&location).await;
        assert_eq!(grant.account_id, auth.account_id);
        assert_eq!(
            grant.sub,
            world.provider.subject_for(&client, &auth.account_id)
        );
        assert_eq!(grant.vot, "Cl.Cm");
        assert_eq!(grant.identity, None);
        assert_eq!(grant.issued_at_ms, world.clock.unix_millis());

        let again = world.authorize(&[], session).await;
        assert!(matches!(again, Outcome::Issued { .. }), "{again:?}");
        let asked = world.authorize(&[("prompt", "consent")], session).await;
        assert!(
            matches!(
                asked,
                Outcome::Waiting {
                    step: NextStep::Consent,
                    ..
                }
            ),
            "{asked:?}"
        );
        let silent = world.authorize(&[("prompt", "none")], session).await;
        assert!(matches!(silent, Outcome::Issued { .. }), "{silent:?}");
    }

    #[tokio::test]
    async fn a_declined_consent_tells_the_client_access_denied() {
        let world = World::new().await;
        let auth = world.citizen().await;
        let Outcome::Waiting { request, .. } = world.authorize(&[], signed_in(&auth, None)).await
        else {
            panic!("consent first");
        };
        let outcome = world.flow().decline(&request);
        assert_eq!(refusal(outcome), ("access_denied".into(), Ends::Request));
    }

    #[tokio::test]
    async fn an_identity_request_goes_through_the_journey_or_ends_it() {
        let world = World::new().await;
        let auth = world.citizen().await;
        let claims = format!(
            "{{\"userinfo\":{{\"{CORE_IDENTITY_CLAIM}\":null,\"{RETURN_CODE_CLAIM}\":null}}}}"
        );
        let with_codes = [("vtr", "[\"Cl.Cm.P2\"]"), ("claims", claims.as_str())];
        let Outcome::Waiting { request, .. } =
            world.authorize(&with_codes, signed_in(&auth, None)).await
        else {
            panic!("consent first");
        };
        // Someone else's journey in the session does not count: this citizen's starts.
        let mut theirs = ProvingJourney::new("someone-else", "rp", ConfidenceLevel::P2, 0);
        theirs.ended = true;
        let outcome = world
            .flow()
            .agree(
                *request,
                &world.client(),
                &auth,
                signed_in(&auth, Some(&theirs)),
            )
            .await
            .unwrap();
        let Outcome::Waiting {
            step:
                NextStep::Identity {
                    journey,
                    page: IdentityPage::Next,
                },
            ..
        } = outcome
        else {
            panic!("the journey's next page: {outcome:?}");
        };
        assert_eq!(journey.account_id, auth.account_id);
        assert!(!journey.ended);

        let no_pages = [with_codes.as_slice(), &[("prompt", "none")]].concat();
        let outcome = world
            .authorize(&no_pages, signed_in(&auth, Some(&journey)))
            .await;
        assert_eq!(
            refusal(outcome),
            ("interaction_required".into(), Ends::RequestAndJourney)
        );

        let mut stopped = journey;
        stopped.ended = true;
        let outcome = world
            .authorize(&with_codes, signed_in(&auth, Some(&stopped)))
            .await;
        let Outcome::Issued { location, .. } = outcome else {
            panic!("return codes: {outcome:?}");
        };
        let return_codes = return_codes(&Failure::Stopped);
        assert_eq!(
            world.redeem(&location).await.identity,
            Some(GrantedIdentity::NotProven { return_codes })
        );
        let core_only = format!("{{\"userinfo\":{{\"{CORE_IDENTITY_CLAIM}\":null}}}}");
        let without_codes = [("vtr", "[\"Cl.Cm.P2\"]"), ("claims", core_only.as_str())];
        let outcome = world
            .authorize(&without_codes, signed_in(&auth, Some(&stopped)))
            .await;
        assert_eq!(
            refusal(outcome),
            ("access_denied".into(), Ends::RequestAndJourney)
        );
    }
}
