//! Knowledge-based verification: questions built from the citizen's records at a credit
//! reference agency, one per page. The answers are marked together at the end, so a wrong
//! answer is not revealed question by question.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use identity_proofing::QuestionSet;
use serde::Deserialize;

use super::templates::{QuestionPage, RadioOption};
use super::{answering_questions, at_step, evidence, limit_reached, record, source_error, today};
use crate::app::AppState;
use crate::web::error::Result;
use crate::web::templates::{FormErrors, render};
use crate::web::{PageForm, Visit};
use one_login_core::identity::Source;
use one_login_core::identity::attempts::{AttemptKind, CheckResult, Reserved};
use one_login_core::identity::journey::{claimed_document, claimed_identity};

fn question_page(
    visit: &mut Visit,
    questions: &QuestionSet,
    answered: usize,
    errors: FormErrors,
) -> Option<QuestionPage> {
    let question = questions.questions.get(answered)?;
    Some(QuestionPage {
        csrf_token: visit.csrf_token(),
        question_id: question.id.clone(),
        question: question.text.clone(),
        number: answered + 1,
        total: questions.questions.len(),
        options: question
            .options
            .iter()
            .map(|o| RadioOption::new(o.clone(), o.clone()))
            .collect(),
        errors,
    })
}

/// `GET /identity/questions`: the next unanswered question (a new set when none is open).
pub async fn question(State(app): State<AppState>, mut visit: Visit) -> Result<Response> {
    let (auth, mut journey) = match at_step(&app, &visit, answering_questions).await? {
        Ok(at) => at,
        Err(elsewhere) => return Ok(elsewhere),
    };
    let questions = match journey.questions.clone() {
        Some(questions) => questions,
        None => {
            let held = evidence(&app, &auth, visit.now).await?;
            let (Some(claimed), Some(document)) =
                (claimed_identity(&held), claimed_document(&held))
            else {
                return Ok(Redirect::to("/identity/next").into_response());
            };
            // Sets failed before, by this account or with this document: the source asks other
            // questions where the records allow (issue 11.5).
            let earlier = app
                .identity
                .attempts
                .standing(
                    &app.db,
                    &auth.account_id,
                    AttemptKind::QuestionSet,
                    Some(&document),
                    visit.now,
                )
                .await?
                .failures;
            let questions = app
                .identity
                .sources
                .knowledge
                .questions(&claimed, earlier)
                .await
                .map_err(source_error(Source::Knowledge))?;
            journey.questions = Some(questions.clone());
            journey.answers.clear();
            visit.session_mut().proving = Some(journey.clone());
            questions
        }
    };
    let Some(page) = question_page(
        &mut visit,
        &questions,
        journey.answers.len(),
        FormErrors::none(),
    ) else {
        return Ok(Redirect::to("/identity/next").into_response());
    };
    let response = render(&page, StatusCode::OK)?;
    Ok(response)
}

#[derive(Debug, Deserialize)]
pub struct AnswerForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    question: String,
    #[serde(default)]
    answer: String,
}

pub async fn answer_question(
    State(app): State<AppState>,
    mut visit: Visit,
    PageForm(form): PageForm<AnswerForm>,
) -> Result<Response> {
    visit.check_csrf(&form.csrf_token)?;
    let (auth, mut journey) = match at_step(&app, &visit, answering_questions).await? {
        Ok(at) => at,
        Err(elsewhere) => return Ok(elsewhere),
    };
    let Some(questions) = journey.questions.clone() else {
        return Ok(Redirect::to("/identity/questions").into_response());
    };
    let answered = journey.answers.len();
    let Some(current) = questions.questions.get(answered) else {
        return Ok(Redirect::to("/identity/next").into_response());
    };
    // An answer to another question (the back button, a second click) is not counted: the
    // citizen sees the question they are really at.
    if form.question != current.id {
        return Ok(Redirect::to("/identity/questions").into_response());
    }
    if !current.options.contains(&form.answer) {
        let errors = FormErrors::one("answer", "Select an answer");
        let Some(page) = question_page(&mut visit, &questions, answered, errors) else {
            return Ok(Redirect::to("/identity/next").into_response());
        };
        return render(&page, StatusCode::BAD_REQUEST);
    }
    journey.answers.push(form.answer);
    let answers = journey.answers.clone();
    if answers.len() < questions.questions.len() {
        visit.session_mut().proving = Some(journey);
        return Ok(Redirect::to("/identity/questions").into_response());
    }
    let now = visit.now;
    let held = evidence(&app, &auth, now).await?;
    let (Some(claimed), Some(document)) = (claimed_identity(&held), claimed_document(&held)) else {
        return Ok(Redirect::to("/identity/next").into_response());
    };
    // The set is spent before it is marked (issue 11.3, "reserve, then verify"): the same
    // answers sent many times at once are marked no more often than the limit allows.
    let attempts = &app.identity.attempts;
    journey.questions = None;
    journey.answers.clear();
    let reservation = match attempts
        .reserve(
            &app.db,
            &auth.account_id,
            AttemptKind::QuestionSet,
            &document,
            now,
        )
        .await?
    {
        Reserved::Go(reservation) => reservation,
        Reserved::Limited { until } => {
            visit.session_mut().proving = Some(journey);
            return limit_reached(visit, until);
        }
    };
    let outcome = match app
        .identity
        .sources
        .knowledge
        .mark(&claimed, &questions, &answers, today(now))
        .await
    {
        Ok(outcome) => outcome,
        Err(e) => {
            attempts.release(&app.db, reservation).await?;
            return Err(source_error(Source::Knowledge)(e));
        }
    };
    let credential = record(&app, &auth, Source::Knowledge, &outcome, now).await?;
    let passed = credential
        .evidence
        .iter()
        .any(|e| e.verification_score.unwrap_or(0) > 0 && e.ci.is_empty());
    let result = if passed {
        CheckResult::Matched
    } else {
        CheckResult::NotMatched
    };
    journey.limited_until = attempts
        .settle(&app.db, reservation, result, now)
        .await?
        .or(journey.limited_until);
    visit.session_mut().proving = Some(journey);
    Ok(Redirect::to("/identity/next").into_response())
}
