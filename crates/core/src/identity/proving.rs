//! The proving journey's checks as the provider runs them: each attempt reserved before its
//! source is asked (issue 11.3, "reserve, then verify") and settled after, each outcome recorded
//! as evidence, and the journey told what follows. The pages in `web::pages::identity` (and the
//! lost-app recovery's passport page) parse, call these, and render.

use std::future::Future;

use identity_proofing::{
    CheckOutcome, ClaimedIdentity, ContraIndicatorEffect, CredentialSubject, PassportDetails,
    PostalAddress, ProvenIdentity, QuestionSet, VerifiedCredential,
};
use time::{Date, OffsetDateTime};

use super::attempts::{AttemptKind, CheckResult, ClaimedDocument, Reservation, Reserved};
use super::journey::{ProvingJourney, claimed_document, claimed_identity, did_not_match};
use super::{IdentityService, Source};
use crate::error::{Error, Result};
use crate::i18n::Message;
use crate::oidc::keys::KeySet;
use one_login_store::{AuditEvent, AuditKind, Database, IdentityRecord};

/// The date of `now` (unix seconds), as the checks read "today".
pub fn today(now: i64) -> Date {
    OffsetDateTime::from_unix_timestamp(now)
        .map(|t| t.date())
        .unwrap_or(Date::MIN)
}

/// A source failed (not a "no match": it could not answer). The citizen sees the service's
/// problem page; nothing is recorded.
pub fn source_error(source: Source) -> impl Fn(identity_proofing::Error) -> Error {
    move |e| Error::Internal(format!("{} check unavailable: {e}", source.as_str()))
}

/// Whether a contra-indicator on this credential ends the journey (a lost or stolen document,
/// say): the journey's hub then shows the failure.
pub fn blocks(credential: &VerifiedCredential) -> bool {
    credential
        .evidence
        .iter()
        .flat_map(|e| &e.ci)
        .any(|ci| ci.effect() == ContraIndicatorEffect::Blocks)
}

/// An attempt the limits allowed, its source's answer in hand.
enum Attempt<T> {
    Ran(Reservation, T),
    Limited { until: i64 },
}

/// What a photo ID check came to.
#[derive(Debug, PartialEq, Eq)]
pub enum DocumentChecked {
    /// A match, a blocking contra-indicator or no tries left: the journey's hub says what next.
    Next,
    /// No record matched: the form again, with the tries left.
    NotMatched { left: u32 },
    /// An attempt limit was met, until then.
    Limited { until: i64 },
}

/// What giving a passport again, to replace a lost app, came to.
#[derive(Debug, PartialEq, Eq)]
pub enum Reproved {
    /// The account holds no proven identity (it expired meanwhile): nothing to protect.
    NoIdentity,
    /// The passport is of the person whose identity the account holds.
    SamePerson,
    /// A real passport, of someone else: recorded, and the journey ends.
    OtherPerson,
    /// No record matched what was typed: again, with the tries left.
    NotMatched { left: u32 },
    /// Too many attempts: none until then.
    Limited { until: i64 },
}

/// A question set's answers, marked or not.
#[derive(Debug, PartialEq, Eq)]
pub enum Marking {
    /// Marked (or the attempt refused by the limits): the journey changed and goes on.
    Done,
    /// The evidence no longer names whom the questions were about: the journey is left as it
    /// was, and its hub decides again.
    NothingToMark,
}

impl IdentityService {
    /// Reserves an attempt of `kind` at `document` and asks the source; an attempt the source
    /// could not answer is taken back.
    async fn attempt<T>(
        &self,
        db: &Database,
        (account_id, kind, document): (&str, AttemptKind, &ClaimedDocument),
        source: Source,
        now: i64,
        ask: impl Future<Output = identity_proofing::Result<T>>,
    ) -> Result<Attempt<T>> {
        let reservation = match self
            .attempts
            .reserve(db, account_id, kind, document, now)
            .await?
        {
            Reserved::Go(reservation) => reservation,
            Reserved::Limited { until } => return Ok(Attempt::Limited { until }),
        };
        match ask.await {
            Ok(answer) => Ok(Attempt::Ran(reservation, answer)),
            Err(e) => {
                self.attempts.release(db, reservation).await?;
                Err(source_error(source)(e))
            }
        }
    }

    /// Checks a photo ID with its issuer (`check`), recording the outcome whatever it is (a
    /// failed check's contra-indicators must count later too).
    pub async fn check_document(
        &self,
        (db, keys): (&Database, &KeySet),
        account_id: &str,
        (source, document): (Source, ClaimedDocument),
        now: i64,
        check: impl Future<Output = identity_proofing::Result<CheckOutcome>>,
    ) -> Result<DocumentChecked> {
        let what = (account_id, AttemptKind::DocumentCheck, &document);
        let (reservation, outcome) = match self.attempt(db, what, source, now, check).await? {
            Attempt::Ran(reservation, outcome) => (reservation, outcome),
            Attempt::Limited { until } => return Ok(DocumentChecked::Limited { until }),
        };
        let credential = self
            .record(db, keys, account_id, source, &outcome, now)
            .await?;
        let not_matched = did_not_match(&credential);
        let result = if not_matched {
            CheckResult::NotMatched
        } else {
            CheckResult::Matched
        };
        let left = reservation.left_if_failed;
        if let Some(until) = self.attempts.settle(db, reservation, result, now).await? {
            return Ok(DocumentChecked::Limited { until });
        }
        // The form again, with the tries left, only after a plain mismatch: a match or a
        // blocking contra-indicator moves the journey on.
        if !not_matched || blocks(&credential) || left == 0 {
            Ok(DocumentChecked::Next)
        } else {
            Ok(DocumentChecked::NotMatched { left })
        }
    }

    /// Who the account's proven identity is, from its evidence still good; `None` without one.
    pub async fn proven_identity(
        &self,
        (db, keys): (&Database, &KeySet),
        account_id: &str,
        now: i64,
    ) -> Result<Option<ClaimedIdentity>> {
        if db.identity().record(account_id).await?.is_none() {
            return Ok(None);
        }
        let held = self.evidence(db, keys, account_id, now).await?;
        Ok(claimed_identity(&held))
    }

    /// A passport given to replace a lost app: checked with the passport office, counted against
    /// the proving attempt limits, and then it must be of the person whose identity the account
    /// holds (`ClaimedIdentity::same_person`). Someone else's passport is recorded in the audit
    /// log; the stored identity and the old app stay.
    pub async fn reprove(
        &self,
        (db, keys): (&Database, &KeySet),
        account_id: &str,
        details: &PassportDetails,
        (ip, now): (&str, i64),
    ) -> Result<Reproved> {
        let Some(stored) = self.proven_identity((db, keys), account_id, now).await? else {
            return Ok(Reproved::NoIdentity);
        };
        let document = ClaimedDocument::Passport(details.passport_number.clone());
        let what = (account_id, AttemptKind::DocumentCheck, &document);
        let check = self.sources.passport.check(details, today(now));
        let source = Source::Passport;
        let (reservation, outcome) = match self.attempt(db, what, source, now, check).await? {
            Attempt::Ran(reservation, outcome) => (reservation, outcome),
            Attempt::Limited { until } => return Ok(Reproved::Limited { until }),
        };
        let confirmed = outcome.confirmed_identity();
        let same = confirmed
            .as_ref()
            .is_some_and(|new| stored.same_person(new));
        let result = if same {
            CheckResult::Matched
        } else {
            CheckResult::NotMatched
        };
        let left = reservation.left_if_failed;
        let limited = self.attempts.settle(db, reservation, result, now).await?;
        match (same, confirmed) {
            (true, _) => Ok(Reproved::SamePerson),
            (false, Some(_)) => {
                let event = AuditEvent::new(AuditKind::ReprovingMismatch, Some(account_id), now)
                    .from_ip(Some(ip.to_owned()));
                db.audit().record(&event).await?;
                tracing::warn!(account = %account_id, client = %ip, "lost app: the passport given is another person's");
                Ok(Reproved::OtherPerson)
            }
            (false, None) => Ok(match limited {
                Some(until) => Reproved::Limited { until },
                None if left == 0 => Reproved::Limited { until: now },
                None => Reproved::NotMatched { left },
            }),
        }
    }

    /// The addresses at a postcode, or the message for the postcode field.
    pub async fn find_addresses(
        &self,
        postcode: &str,
    ) -> Result<std::result::Result<Vec<PostalAddress>, Message>> {
        let Some(postcode) = identity_proofing::normalise_postcode(postcode) else {
            return Ok(Err(if postcode.trim().is_empty() {
                Message::new("problem-enter-your").key("what", "field-postcode")
            } else {
                Message::new("problem-postcode-not-real")
            }));
        };
        let found = self
            .sources
            .address
            .find(&postcode)
            .await
            .map_err(source_error(Source::Address))?;
        let found = super::addresses::in_house_number_order(found);
        if found.is_empty() {
            return Ok(Err(
                Message::new("problem-no-addresses-at-postcode").text("postcode", postcode)
            ));
        }
        Ok(Ok(found))
    }

    /// Confirms the chosen address with the source and records it.
    pub async fn confirm_address(
        &self,
        (db, keys): (&Database, &KeySet),
        account_id: &str,
        address: &PostalAddress,
        now: i64,
    ) -> Result<()> {
        let outcome = self
            .sources
            .address
            .confirm(address, today(now))
            .await
            .map_err(source_error(Source::Address))?;
        self.record(db, keys, account_id, Source::Address, &outcome, now)
            .await?;
        Ok(())
    }

    /// Records an address the citizen typed because the register did not list it (issue 15).
    /// It is not checked against the register: its credential is stored as entered by hand
    /// ([`Source::ManualAddress`], the stored evidence's `source`), and [`Self::fraud_check`]
    /// leaves it out, so it raises no score. (GPG 45 scores no address on its own; the fraud
    /// check's score of 2, rather than 1, needs an address the register confirmed.)
    pub async fn record_manual_address(
        &self,
        (db, keys): (&Database, &KeySet),
        account_id: &str,
        address: &PostalAddress,
        now: i64,
    ) -> Result<()> {
        let outcome = CheckOutcome {
            subject: CredentialSubject {
                address: vec![address.clone()],
                ..CredentialSubject::default()
            },
            evidence: Vec::new(),
        };
        self.record(db, keys, account_id, Source::ManualAddress, &outcome, now)
            .await?;
        Ok(())
    }

    /// The fraud check, which needs no page, of the identity the evidence claims. `false` when
    /// the evidence claims no identity.
    pub async fn fraud_check(
        &self,
        (db, keys): (&Database, &KeySet),
        account_id: &str,
        held: &[VerifiedCredential],
        now: i64,
    ) -> Result<bool> {
        // An address typed by hand counts as unchecked: the fraud check does not get it.
        let by_hand: std::collections::HashSet<String> =
            (db.identity().credentials(account_id, now).await?)
                .into_iter()
                .filter(|c| c.source == Source::ManualAddress.as_str())
                .map(|c| c.id)
                .collect();
        let checked: Vec<VerifiedCredential> = (held.iter())
            .filter(|c| !by_hand.contains(&c.jti))
            .cloned()
            .collect();
        let Some(claimed) = claimed_identity(&checked) else {
            return Ok(false);
        };
        let outcome = self
            .sources
            .fraud
            .check(&claimed, today(now))
            .await
            .map_err(source_error(Source::Fraud))?;
        self.record(db, keys, account_id, Source::Fraud, &outcome, now)
            .await?;
        Ok(true)
    }

    /// The journey's open question set, or a new one when none is open (its answers start
    /// again): `true` beside it when the journey changed. `None` when the evidence names nobody
    /// to ask about. Sets failed before, by this account or with this document, make the source
    /// ask other questions where the records allow (issue 11.5).
    pub async fn question_set(
        &self,
        (db, keys): (&Database, &KeySet),
        journey: &mut ProvingJourney,
        now: i64,
    ) -> Result<Option<(QuestionSet, bool)>> {
        if let Some(questions) = &journey.questions {
            return Ok(Some((questions.clone(), false)));
        }
        let held = self.evidence(db, keys, &journey.account_id, now).await?;
        let (Some(claimed), Some(document)) = (claimed_identity(&held), claimed_document(&held))
        else {
            return Ok(None);
        };
        let account_id = &journey.account_id;
        let kind = AttemptKind::QuestionSet;
        let earlier = self
            .attempts
            .standing(db, account_id, kind, Some(&document), now)
            .await?
            .failures;
        let questions = self
            .sources
            .knowledge
            .questions(&claimed, earlier)
            .await
            .map_err(source_error(Source::Knowledge))?;
        journey.questions = Some(questions.clone());
        journey.answers.clear();
        Ok(Some((questions, true)))
    }

    /// Marks the journey's answered question set. The set is spent before it is marked (issue
    /// 11.3): the same answers sent many times at once are marked no more often than the limit
    /// allows. The journey's set is closed either way, and a limit met is kept in it.
    pub async fn mark_answers(
        &self,
        (db, keys): (&Database, &KeySet),
        journey: &mut ProvingJourney,
        now: i64,
    ) -> Result<Marking> {
        let account_id = journey.account_id.clone();
        let held = self.evidence(db, keys, &account_id, now).await?;
        let (Some(claimed), Some(document)) = (claimed_identity(&held), claimed_document(&held))
        else {
            return Ok(Marking::NothingToMark);
        };
        let Some(questions) = journey.questions.take() else {
            return Ok(Marking::NothingToMark);
        };
        let answers = std::mem::take(&mut journey.answers);
        let what = (account_id.as_str(), AttemptKind::QuestionSet, &document);
        let mark = self
            .sources
            .knowledge
            .mark(&claimed, &questions, &answers, today(now));
        let source = Source::Knowledge;
        let (reservation, outcome) = match self.attempt(db, what, source, now, mark).await? {
            Attempt::Ran(reservation, outcome) => (reservation, outcome),
            Attempt::Limited { until } => {
                journey.limited_until = Some(until);
                return Ok(Marking::Done);
            }
        };
        let credential = self
            .record(db, keys, &account_id, source, &outcome, now)
            .await?;
        let passed = credential
            .evidence
            .iter()
            .any(|e| e.verification_score.unwrap_or(0) > 0 && e.ci.is_empty());
        let result = if passed {
            CheckResult::Matched
        } else {
            CheckResult::NotMatched
        };
        journey.limited_until = self
            .attempts
            .settle(db, reservation, result, now)
            .await?
            .or(journey.limited_until);
        Ok(Marking::Done)
    }

    /// Records the identity proven: the level reached and the credentials behind it, until the
    /// first of them expires.
    pub async fn record_proven(
        &self,
        db: &Database,
        account_id: &str,
        held: &[VerifiedCredential],
        identity: &ProvenIdentity,
        now: i64,
    ) -> Result<()> {
        let expires_at = held
            .iter()
            .map(|c| c.expires_at.unix_timestamp())
            .min()
            .unwrap_or(now);
        db.identity()
            .set_record(&IdentityRecord {
                account_id: account_id.to_owned(),
                level: identity.level.to_string(),
                credential_ids: held.iter().map(|c| c.jti.clone()).collect(),
                proven_at: now,
                expires_at,
            })
            .await?;
        db.audit()
            .record(
                &AuditEvent::new(AuditKind::IdentityProven, Some(account_id), now)
                    .with_detail(identity.level.to_string()),
            )
            .await?;
        tracing::info!(account = %account_id, level = %identity.level, "identity proven");
        ::metrics::counter!(crate::metrics::IDENTITIES_PROVEN, "level" => identity.level.to_string())
            .increment(1);
        Ok(())
    }
}
