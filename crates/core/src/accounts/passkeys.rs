//! Passkeys (issue 17 §1): WebAuthn Level 3 public-key credentials, through `webauthn-rs`.
//!
//! The rules: no attestation asked for or judged (§5.4.7 `attestation: "none"`: a citizen's own
//! phone or laptop is as good as any), user verification required (§5.8.6: the PIN or biometric
//! on the device is the second factor, so a passkey alone is `Cl.Cm`), a discoverable credential
//! asked for at creation (§5.4.6 `residentKey: "required"`) so that it can sign in without an
//! email address, and the signature counter checked (§6.1.1, §7.2 step 22: a counter that does
//! not go up means a cloned authenticator, refused and logged).
//!
//! A ceremony is two requests, perhaps on two replicas: its state (the challenge) waits in the
//! short-lived store under a random id, and is taken once (a replayed response finds it used).

use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use webauthn_rs::prelude::{
    AuthenticationResult, DiscoverableAuthentication, Passkey, PasskeyRegistration,
    PublicKeyCredential, RegisterPublicKeyCredential, Url, Uuid, Webauthn, WebauthnBuilder,
    WebauthnError,
};

use super::emails::{self, PasskeyChange};
use super::services::AccountServices;
use crate::error::{Error, Result};
use crate::random::random_token;
use crate::sessions::SessionId;
use one_login_store::ephemeral::put_kept;
use one_login_store::{Account, AuditEvent, AuditKind, StoredPasskey};

/// How many passkeys one account may have: enough for every device a person owns.
pub const MAX_PASSKEYS: usize = 10;
/// The longest name a passkey may be given.
pub const MAX_NAME_CHARS: usize = 50;
/// How long a ceremony may take, from the options to the response (WebAuthn §5.4.8 suggests
/// 300 seconds to 10 minutes when user verification is required).
pub const CEREMONY_TTL: Duration = Duration::from_secs(300);
/// The relying party's name, shown by some authenticators beside the passkey.
const RP_NAME: &str = "GOV.UK One Login";
/// What is left in a ceremony's place once it is used (replays find this).
const USED: &[u8] = b"used";

/// Why a passkey was not added or did not sign in. Each is logged; the citizen sees the same
/// plain message for all but the missing JavaScript.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasskeyProblem {
    /// No response at all: the browser ran no JavaScript, or the citizen cancelled.
    NoResponse,
    /// A response that does not parse.
    Malformed,
    /// The ceremony is unknown, expired, or was used already (a replay).
    NotPending,
    /// No account has this credential (or its user handle is not the account's).
    Unknown,
    /// The library refused the response: signature, challenge, origin, RP ID, flags.
    Refused,
    /// The signature counter did not go up: a cloned credential (WebAuthn §6.1.1).
    Cloned,
    /// The credential is registered already.
    Duplicate,
    /// The account has [`MAX_PASSKEYS`] already.
    TooMany,
    /// Another account's passkey, offered as the second factor after this one's password.
    OtherAccount,
}

impl PasskeyProblem {
    pub fn as_str(self) -> &'static str {
        match self {
            PasskeyProblem::NoResponse => "no response",
            PasskeyProblem::Malformed => "malformed response",
            PasskeyProblem::NotPending => "no such ceremony (expired or replayed)",
            PasskeyProblem::Unknown => "unknown credential",
            PasskeyProblem::Refused => "refused by WebAuthn verification",
            PasskeyProblem::Cloned => "signature counter did not increase (cloned credential)",
            PasskeyProblem::Duplicate => "credential already registered",
            PasskeyProblem::TooMany => "too many passkeys",
            PasskeyProblem::OtherAccount => "another account's passkey after this one's password",
        }
    }
}

/// The relying party, as the issuer's URL makes it: the RP ID is its host (§5.1.2: a passkey
/// works on that host and no other) and only its origin may answer.
pub struct PasskeyCeremonies {
    webauthn: Webauthn,
}

/// A ceremony waiting in the short-lived store.
#[derive(Serialize, Deserialize)]
enum Ceremony {
    Registration {
        account_id: String,
        user_handle: Uuid,
        state: PasskeyRegistration,
    },
    SignIn {
        state: DiscoverableAuthentication,
    },
}

fn store_key(ceremony_id: &str) -> String {
    format!("passkey-ceremony:{ceremony_id}")
}

/// The credential id as the browser writes it (`PublicKeyCredential.id`): base64url, unpadded.
pub fn credential_id_text(raw: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(raw)
}

/// The name a citizen gives a passkey, trimmed; or the message saying what is wrong with it.
pub fn passkey_name(typed: &str) -> std::result::Result<String, &'static str> {
    let name = typed.trim();
    if name.is_empty() {
        return Err("Enter a name for your passkey");
    }
    if name.chars().count() > MAX_NAME_CHARS {
        return Err("The name of your passkey must be 50 characters or fewer");
    }
    if name.chars().any(char::is_control) {
        return Err("The name of your passkey must not contain special characters");
    }
    Ok(name.to_owned())
}

impl PasskeyCeremonies {
    /// The relying party of the issuer `issuer` (an `http://localhost` issuer included: WebAuthn
    /// counts localhost as a secure context).
    pub fn new(issuer: &str) -> Result<Self> {
        let issuer = Url::parse(issuer).map_err(|e| Error::config("issuer", e.to_string()))?;
        let rp_id = issuer
            .host_str()
            .ok_or_else(|| Error::config("issuer", "has no host for the passkeys' RP ID"))?;
        let origin = Url::parse(&issuer.origin().ascii_serialization())
            .map_err(|e| Error::config("issuer", e.to_string()))?;
        let webauthn = WebauthnBuilder::new(rp_id, &origin)
            .and_then(|b| b.rp_name(RP_NAME).timeout(CEREMONY_TTL).build())
            .map_err(|e| Error::config("issuer", format!("not a WebAuthn relying party: {e}")))?;
        Ok(PasskeyCeremonies { webauthn })
    }

    /// The options for `navigator.credentials.create()` and the state to keep. `existing` are
    /// excluded (§5.4 `excludeCredentials`: the same authenticator twice is refused there).
    fn start_registration(
        &self,
        user_handle: Uuid,
        email: &str,
        existing: &[Passkey],
    ) -> Result<(serde_json::Value, PasskeyRegistration)> {
        let exclude = existing.iter().map(|p| p.cred_id().clone()).collect();
        let (options, state) = self
            .webauthn
            .start_passkey_registration(user_handle, email, email, Some(exclude))
            .map_err(|e| Error::Internal(format!("passkey options: {e}")))?;
        let mut options = serde_json::to_value(options)
            .map_err(|e| Error::Internal(format!("passkey options: {e}")))?;
        // webauthn-rs asks for a server-side credential; a passkey that signs in on its own must
        // be discoverable (§5.4.6 `residentKey: "required"`, and the Level 1 flag with it).
        if let Some(selection) = options
            .pointer_mut("/publicKey/authenticatorSelection")
            .and_then(serde_json::Value::as_object_mut)
        {
            selection.insert("residentKey".into(), "required".into());
            selection.insert("requireResidentKey".into(), true.into());
        }
        Ok((options, state))
    }

    fn finish_registration(
        &self,
        response: &str,
        state: &PasskeyRegistration,
    ) -> std::result::Result<Passkey, PasskeyProblem> {
        let response: RegisterPublicKeyCredential =
            serde_json::from_str(response).map_err(|_| PasskeyProblem::Malformed)?;
        self.webauthn
            .finish_passkey_registration(&response, state)
            .map_err(|e| {
                tracing::info!(error = %e, "passkey registration refused");
                PasskeyProblem::Refused
            })
    }

    /// The options for `navigator.credentials.get()` with no credentials named: the
    /// authenticator offers the citizen's passkeys for this site (§5.5 `allowCredentials` empty).
    fn start_sign_in(&self) -> Result<(serde_json::Value, DiscoverableAuthentication)> {
        let (mut options, state) = self
            .webauthn
            .start_discoverable_authentication()
            .map_err(|e| Error::Internal(format!("passkey options: {e}")))?;
        // The library sets conditional mediation (autofill); the pages ask with a button.
        options.mediation = None;
        let options = serde_json::to_value(options)
            .map_err(|e| Error::Internal(format!("passkey options: {e}")))?;
        Ok((options, state))
    }

    /// Checks an assertion against the stored passkey: challenge, origin, RP ID, signature,
    /// user verification, and the counter against the one in the stored record (§7.2 steps
    /// 11-22).
    fn finish_sign_in(
        &self,
        response: &PublicKeyCredential,
        state: DiscoverableAuthentication,
        passkey: &Passkey,
    ) -> std::result::Result<AuthenticationResult, PasskeyProblem> {
        let result = self
            .webauthn
            .finish_discoverable_authentication_v2(response, state, passkey)
            .map_err(|e| match e {
                WebauthnError::CredentialPossibleCompromise => PasskeyProblem::Cloned,
                e => {
                    tracing::info!(error = %e, "passkey assertion refused");
                    PasskeyProblem::Refused
                }
            })?;
        // Required in the options and checked by the library; checked again here because the
        // second factor rests on it (§6.1 flag UV).
        if !result.user_verified() {
            return Err(PasskeyProblem::Refused);
        }
        Ok(result)
    }
}

/// A passkey the citizen has, as the account page lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PasskeySummary {
    pub credential_id: String,
    pub name: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
}

fn parse_passkey(stored: &StoredPasskey) -> Result<Passkey> {
    serde_json::from_str(&stored.passkey)
        .map_err(|e| Error::Corrupt(format!("passkey {}: {e}", stored.credential_id)))
}

impl AccountServices<'_> {
    /// The account's passkeys, oldest first.
    pub async fn passkeys(&self, account_id: &str) -> Result<Vec<PasskeySummary>> {
        let stored = self.db.passkeys().list(account_id).await?;
        Ok(stored
            .into_iter()
            .map(|p| PasskeySummary {
                credential_id: p.credential_id,
                name: p.name,
                created_at: p.created_at,
                last_used_at: p.last_used_at,
            })
            .collect())
    }

    async fn keep_ceremony(&self, ceremony: &Ceremony, signed_in: bool) -> Result<String> {
        let id = random_token();
        let value =
            serde_json::to_vec(ceremony).map_err(|e| Error::Internal(format!("ceremony: {e}")))?;
        let key = store_key(&id);
        if signed_in {
            put_kept(self.store, &key, &value, CEREMONY_TTL).await?;
        } else {
            // Anonymous work: refused first when the in-memory store is full (issue 12.2).
            self.store.put(&key, &value, CEREMONY_TTL).await?;
        }
        Ok(id)
    }

    /// Takes the ceremony `ceremony_id` once: a second take (a replay) finds nothing.
    async fn take_ceremony(&self, ceremony_id: &str) -> Result<Option<Ceremony>> {
        if ceremony_id.is_empty() || ceremony_id.len() > 100 {
            return Ok(None);
        }
        let Some(value) = self.store.swap(&store_key(ceremony_id), USED).await? else {
            return Ok(None);
        };
        if value == USED {
            return Ok(None);
        }
        Ok(serde_json::from_slice(&value).ok())
    }

    /// Starts adding a passkey to `account`: the ceremony's id and the options for the browser.
    pub async fn start_passkey_registration(
        &self,
        ceremonies: &PasskeyCeremonies,
        account: &Account,
    ) -> Result<(String, serde_json::Value)> {
        let stored = self.db.passkeys().list(&account.id).await?;
        // One user handle per account (§14.6.1: random, not the email address), so an
        // authenticator keeps one passkey per account here and replaces it when made again.
        let user_handle = stored
            .first()
            .and_then(|p| Uuid::parse_str(&p.user_handle).ok())
            .unwrap_or_else(Uuid::new_v4);
        let existing = stored
            .iter()
            .map(parse_passkey)
            .collect::<Result<Vec<_>>>()?;
        let (options, state) =
            ceremonies.start_registration(user_handle, &account.email, &existing)?;
        let ceremony = Ceremony::Registration {
            account_id: account.id.clone(),
            user_handle,
            state,
        };
        let id = self.keep_ceremony(&ceremony, true).await?;
        Ok((id, options))
    }

    /// Finishes adding a passkey named `name` to `account` from the browser's `response`; then
    /// every session but `keep` ends and the citizen is told ([`Self::after_passkey_change`]).
    pub async fn finish_passkey_registration(
        &self,
        ceremonies: &PasskeyCeremonies,
        account: &Account,
        (ceremony_id, response): (&str, &str),
        name: &str,
        (keep, ip, now_ms): (Option<&SessionId>, &str, i64),
    ) -> Result<std::result::Result<StoredPasskey, PasskeyProblem>> {
        let now = now_ms.div_euclid(1000);
        if response.trim().is_empty() {
            return Ok(Err(PasskeyProblem::NoResponse));
        }
        let Some(Ceremony::Registration {
            account_id,
            user_handle,
            state,
        }) = self.take_ceremony(ceremony_id).await?
        else {
            return Ok(Err(PasskeyProblem::NotPending));
        };
        // A ceremony started for another account (another session's id): not this one's.
        if account_id != account.id {
            return Ok(Err(PasskeyProblem::NotPending));
        }
        let passkey = match ceremonies.finish_registration(response, &state) {
            Ok(passkey) => passkey,
            Err(problem) => return Ok(Err(problem)),
        };
        let passkeys = self.db.passkeys();
        if passkeys.list(&account.id).await?.len() >= MAX_PASSKEYS {
            return Ok(Err(PasskeyProblem::TooMany));
        }
        let credential_id = credential_id_text(passkey.cred_id().as_ref());
        let stored = StoredPasskey {
            credential_id: credential_id.clone(),
            account_id: account.id.clone(),
            user_handle: user_handle.to_string(),
            name: name.to_owned(),
            passkey: serde_json::to_string(&passkey)
                .map_err(|e| Error::Internal(format!("passkey: {e}")))?,
            // The counter of the attestation's authenticator data (§6.1): checked from the
            // first use on.
            sign_count: 0,
            created_at: now,
            last_used_at: None,
        };
        let added = AuditEvent::new(AuditKind::PasskeyAdded, Some(&account.id), now)
            .from_ip(Some(ip.to_owned()))
            .with_detail(credential_id);
        if !passkeys.add(&stored, &added).await? {
            return Ok(Err(PasskeyProblem::Duplicate));
        }
        tracing::info!(account = %account.id, "passkey added");
        let change = (PasskeyChange::Added, name);
        self.after_passkey_change(account, change, keep, now_ms)
            .await?;
        Ok(Ok(stored))
    }

    /// Removes one of the account's passkeys, then ends every session but `keep` and tells the
    /// citizen ([`Self::after_passkey_change`]); `false` if it had none such.
    pub async fn remove_passkey(
        &self,
        account: &Account,
        credential_id: &str,
        (keep, ip, now_ms): (Option<&SessionId>, &str, i64),
    ) -> Result<bool> {
        let passkeys = self.db.passkeys();
        let Some(name) = (passkeys.list(&account.id).await?.into_iter())
            .find(|p| p.credential_id == credential_id)
            .map(|p| p.name)
        else {
            return Ok(false);
        };
        let now = now_ms.div_euclid(1000);
        let removed = AuditEvent::new(AuditKind::PasskeyRemoved, Some(&account.id), now)
            .from_ip(Some(ip.to_owned()))
            .with_detail(credential_id.to_owned());
        if !passkeys
            .remove(&account.id, credential_id, &removed)
            .await?
        {
            return Ok(false); // removed meanwhile, in another browser: told there
        }
        tracing::info!(account = %account.id, "passkey removed");
        let change = (PasskeyChange::Removed, name.as_str());
        self.after_passkey_change(account, change, keep, now_ms)
            .await?;
        Ok(true)
    }

    /// What follows adding or removing a passkey, as it follows a new password or app
    /// (`replace_credential`, checklist 32): a passkey signs in on its own, so every other
    /// session ends (one that a removed passkey opened on a lost device among them) and the
    /// citizen is told by email, where a stranger's passkey would not go unnoticed.
    async fn after_passkey_change(
        &self,
        account: &Account,
        (change, name): (PasskeyChange, &str),
        keep: Option<&SessionId>,
        now_ms: i64,
    ) -> Result<()> {
        self.access.end_all(&account.id, keep, now_ms).await?;
        let now = now_ms.div_euclid(1000);
        let email = emails::passkey_changed(self.language, &account.email, change, name, now);
        self.mailer.send(email).await
    }

    /// Starts a sign-in with a passkey: the ceremony's id and the options for the browser.
    pub async fn start_passkey_sign_in(
        &self,
        ceremonies: &PasskeyCeremonies,
    ) -> Result<(String, serde_json::Value)> {
        let (options, state) = ceremonies.start_sign_in()?;
        let id = self
            .keep_ceremony(&Ceremony::SignIn { state }, false)
            .await?;
        Ok((id, options))
    }

    /// Finishes a sign-in with a passkey: the account it signs in. The response must answer
    /// this ceremony's challenge, from this origin, for this RP ID, with user verification, by
    /// a credential an account has, with a counter above the one stored (§7.2); and after a
    /// password (`after_password_of`, that account's id), by a credential of that account.
    pub async fn finish_passkey_sign_in(
        &self,
        ceremonies: &PasskeyCeremonies,
        (ceremony_id, response): (&str, &str),
        after_password_of: Option<&str>,
        (ip, now): (&str, i64),
    ) -> Result<std::result::Result<String, PasskeyProblem>> {
        let answer = (ceremony_id, response);
        let outcome = self
            .check_passkey_sign_in(ceremonies, answer, after_password_of, now)
            .await?;
        if let Err((problem, account_id)) = &outcome {
            // Checklist 78: failed second factors are logged (by account id, never the email).
            tracing::info!(client = %ip, account = ?account_id, problem = problem.as_str(), "passkey sign-in refused");
            if let Some(account_id) = account_id {
                let failed = AuditEvent::new(AuditKind::SignInFailed, Some(account_id), now)
                    .from_ip(Some(ip.to_owned()))
                    .with_detail(format!("passkey: {}", problem.as_str()));
                self.db.audit().record(&failed).await?;
            }
            if *problem == PasskeyProblem::Cloned {
                tracing::warn!(client = %ip, account = ?account_id, "passkey refused: its signature counter went back, so the credential may be cloned");
            }
        }
        Ok(outcome.map_err(|(problem, _)| problem))
    }

    async fn check_passkey_sign_in(
        &self,
        ceremonies: &PasskeyCeremonies,
        (ceremony_id, response): (&str, &str),
        after_password_of: Option<&str>,
        now: i64,
    ) -> Result<std::result::Result<String, (PasskeyProblem, Option<String>)>> {
        if response.trim().is_empty() {
            return Ok(Err((PasskeyProblem::NoResponse, None)));
        }
        let Ok(response) = serde_json::from_str::<PublicKeyCredential>(response) else {
            return Ok(Err((PasskeyProblem::Malformed, None)));
        };
        let Some(Ceremony::SignIn { state }) = self.take_ceremony(ceremony_id).await? else {
            return Ok(Err((PasskeyProblem::NotPending, None)));
        };
        let Ok((user_handle, raw_id)) = ceremonies
            .webauthn
            .identify_discoverable_authentication(&response)
        else {
            return Ok(Err((PasskeyProblem::Unknown, None)));
        };
        let credential_id = credential_id_text(raw_id);
        let passkeys = self.db.passkeys();
        let stored = match passkeys.find(&credential_id).await? {
            Some(stored) if stored.user_handle == user_handle.to_string() => stored,
            _ => return Ok(Err((PasskeyProblem::Unknown, None))),
        };
        // Checked before the counter is written: another account's passkey, refused here, is
        // left as it was. The failure is the signing-in account's (its second factor).
        if let Some(signing_in) = after_password_of
            && signing_in != stored.account_id
        {
            let account = Some(signing_in.to_owned());
            return Ok(Err((PasskeyProblem::OtherAccount, account)));
        }
        let account = Some(stored.account_id.clone());
        let mut passkey = parse_passkey(&stored)?;
        let result = match ceremonies.finish_sign_in(&response, state, &passkey) {
            Ok(result) => result,
            Err(problem) => return Ok(Err((problem, account))),
        };
        passkey.update_credential(&result);
        let record = serde_json::to_string(&passkey)
            .map_err(|e| Error::Internal(format!("passkey: {e}")))?;
        // The same rule again in the write, so that of two racing uses of one counter value
        // only one counts.
        let counter = i64::from(result.counter());
        if !passkeys
            .record_use(&credential_id, &record, counter, now)
            .await?
        {
            return Ok(Err((PasskeyProblem::Cloned, account)));
        }
        Ok(Ok(stored.account_id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::accounts::soft_authenticator::SoftAuthenticator;

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(passkey_name("  My phone "), Ok("My phone".to_owned()));
        assert_eq!(passkey_name(" "), Err("Enter a name for your passkey"));
        assert!(passkey_name(&"a".repeat(50)).is_ok());
        assert!(passkey_name(&"a".repeat(51)).is_err());
        assert!(passkey_name("tab\there").is_err());
    }

    #[test]
    fn the_rp_id_is_the_issuer_host() {
        assert!(PasskeyCeremonies::new("https://signin.example.gov.uk/").is_ok());
        assert!(PasskeyCeremonies::new("http://localhost:8080/").is_ok());
        assert!(PasskeyCeremonies::new("not a url").is_err());
    }

    #[test]
    fn registration_options_ask_for_a_discoverable_verified_credential_without_attestation() {
        let ceremonies = PasskeyCeremonies::new("https://signin.example.gov.uk/").unwrap();
        let (options, _) = ceremonies
            .start_registration(Uuid::new_v4(), "ada@example.com", &[])
            .unwrap();
        let key = &options["publicKey"];
        assert_eq!(key["rp"]["id"], "signin.example.gov.uk");
        assert_eq!(key["attestation"], "none");
        let selection = &key["authenticatorSelection"];
        assert_eq!(selection["residentKey"], "required");
        assert_eq!(selection["requireResidentKey"], true);
        assert_eq!(selection["userVerification"], "required");
    }

    #[test]
    fn sign_in_options_name_no_credential_and_require_verification() {
        let ceremonies = PasskeyCeremonies::new("https://signin.example.gov.uk/").unwrap();
        let (options, _) = ceremonies.start_sign_in().unwrap();
        let key = &options["publicKey"];
        assert_eq!(key["rpId"], "signin.example.gov.uk");
        assert_eq!(key["userVerification"], "required");
        assert!(
            key["allowCredentials"]
                .as_array()
                .is_none_or(|a| a.is_empty())
        );
        assert!(options.get("mediation").is_none());
    }

    const ORIGIN: &str = "https://signin.example.gov.uk";

    /// A soft authenticator's passkey, registered as the provider would.
    fn registered(ceremonies: &PasskeyCeremonies) -> (SoftAuthenticator, Passkey) {
        let mut authenticator = SoftAuthenticator::new(ORIGIN).unwrap();
        let (options, state) = ceremonies
            .start_registration(Uuid::new_v4(), "ada@example.com", &[])
            .unwrap();
        let response = authenticator.create(&options).unwrap().to_string();
        let passkey = ceremonies.finish_registration(&response, &state).unwrap();
        (authenticator, passkey)
    }

    fn sign_in(
        ceremonies: &PasskeyCeremonies,
        authenticator: &mut SoftAuthenticator,
        passkey: &Passkey,
    ) -> std::result::Result<AuthenticationResult, PasskeyProblem> {
        let (options, state) = ceremonies.start_sign_in().unwrap();
        let response = authenticator.get(&options).unwrap();
        let response: PublicKeyCredential = serde_json::from_value(response).unwrap();
        ceremonies.finish_sign_in(&response, state, passkey)
    }

    #[test]
    fn a_passkey_registers_then_signs_in_and_its_counter_must_go_up() {
        let ceremonies = PasskeyCeremonies::new(&format!("{ORIGIN}/")).unwrap();
        let (mut authenticator, mut passkey) = registered(&ceremonies);
        assert_eq!(
            credential_id_text(passkey.cred_id().as_ref()),
            authenticator.credential_id()
        );
        let result = sign_in(&ceremonies, &mut authenticator, &passkey).unwrap();
        assert_eq!(result.counter(), 1);
        assert!(result.user_verified());
        passkey.update_credential(&result);
        let result = sign_in(&ceremonies, &mut authenticator, &passkey).unwrap();
        passkey.update_credential(&result);
        // A copy of the key that has signed fewer times: its next counter is not above the
        // stored one.
        authenticator.counter = 1;
        assert_eq!(
            sign_in(&ceremonies, &mut authenticator, &passkey).unwrap_err(),
            PasskeyProblem::Cloned
        );
    }

    #[test]
    fn an_answer_for_another_site_or_challenge_or_without_verification_is_refused() {
        let ceremonies = PasskeyCeremonies::new(&format!("{ORIGIN}/")).unwrap();
        let (authenticator, passkey) = registered(&ceremonies);

        let mut elsewhere = authenticator.clone();
        elsewhere.origin = "https://signin.example.gov.uk.evil.example".into();
        assert_eq!(
            sign_in(&ceremonies, &mut elsewhere, &passkey).unwrap_err(),
            PasskeyProblem::Refused
        );

        let mut unverified = authenticator.clone();
        unverified.user_verified = false;
        assert_eq!(
            sign_in(&ceremonies, &mut unverified, &passkey).unwrap_err(),
            PasskeyProblem::Refused
        );

        // An answer to one challenge does not finish another ceremony.
        let mut replayer = authenticator.clone();
        let (options, _) = ceremonies.start_sign_in().unwrap();
        let (_, other_state) = ceremonies.start_sign_in().unwrap();
        let response: PublicKeyCredential =
            serde_json::from_value(replayer.get(&options).unwrap()).unwrap();
        assert_eq!(
            ceremonies
                .finish_sign_in(&response, other_state, &passkey)
                .unwrap_err(),
            PasskeyProblem::Refused
        );
    }

    #[test]
    fn registration_without_verification_or_from_another_origin_is_refused() {
        let ceremonies = PasskeyCeremonies::new(&format!("{ORIGIN}/")).unwrap();
        for break_it in [
            (|a: &mut SoftAuthenticator| a.user_verified = false) as fn(&mut SoftAuthenticator),
            |a| a.origin = "https://evil.example".into(),
        ] {
            let mut authenticator = SoftAuthenticator::new(ORIGIN).unwrap();
            break_it(&mut authenticator);
            let (options, state) = ceremonies
                .start_registration(Uuid::new_v4(), "ada@example.com", &[])
                .unwrap();
            let response = authenticator.create(&options).unwrap().to_string();
            assert_eq!(
                ceremonies
                    .finish_registration(&response, &state)
                    .unwrap_err(),
                PasskeyProblem::Refused
            );
        }
        assert_eq!(
            ceremonies
                .finish_registration(
                    "{not json",
                    &ceremonies
                        .start_registration(Uuid::new_v4(), "a@b.c", &[])
                        .unwrap()
                        .1
                )
                .unwrap_err(),
            PasskeyProblem::Malformed
        );
    }
}
