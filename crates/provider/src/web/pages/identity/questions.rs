//! Knowledge-based verification: questions built from the citizen's records at a credit
//! reference agency, one per page. The answers are marked together at the end, so a wrong
//! answer is not revealed question by question.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use identity_proofing::QuestionSet;
use serde::Deserialize;

use super::templates::{QuestionPage, RadioOption};
use super::{answering_questions, at_step};
use crate::app::AppState;
use crate::web::error::Result;
use crate::web::extract::PageForm;
use crate::web::language::from_english;
use crate::web::templates::{FormErrors, render};
use crate::web::visit::Visit;
use one_login_core::identity::journey::{Answered, ProvingJourney};
use one_login_core::identity::proving::Marking;

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
        // The agency's words are English; the catalogue has them in Welsh too.
        question: from_english(&question.text),
        number: answered + 1,
        total: questions.questions.len(),
        options: question
            .options
            .iter()
            .map(|o| RadioOption::new(o.clone(), from_english(o)))
            .collect(),
        errors,
    })
}

/// `GET /identity/questions`: the next unanswered question (a new set when none is open).
pub async fn question(State(app): State<AppState>, mut visit: Visit) -> Result<Response> {
    let (_, mut journey) = match at_step(&app, &visit, answering_questions).await? {
        Ok(at) => at,
        Err(elsewhere) => return Ok(elsewhere),
    };
    let (keys, now) = (app.oidc.keys.set(), visit.now);
    let stores = (&app.db, &*keys);
    let Some((questions, opened)) = app.identity.question_set(stores, &mut journey, now).await?
    else {
        return Ok(Redirect::to("/identity/next").into_response());
    };
    let answered = journey.answers.len();
    if opened {
        visit.session_mut().proving = Some(journey);
    }
    let Some(page) = question_page(&mut visit, &questions, answered, FormErrors::none()) else {
        return Ok(Redirect::to("/identity/next").into_response());
    };
    render(&page, StatusCode::OK)
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

/// Takes the answer to the question the citizen is at; the answers are marked together once
/// the last is in (`IdentityService::mark_answers`).
pub async fn answer_question(
    State(app): State<AppState>,
    mut visit: Visit,
    PageForm(form): PageForm<AnswerForm>,
) -> Result<Response> {
    visit.check_csrf(&form.csrf_token)?;
    let (_, mut journey) = match at_step(&app, &visit, answering_questions).await? {
        Ok(at) => at,
        Err(elsewhere) => return Ok(elsewhere),
    };
    match journey.answer(&form.question, form.answer) {
        Answered::NoSetOpen | Answered::NotTheCurrentQuestion => {
            return Ok(Redirect::to("/identity/questions").into_response());
        }
        Answered::AllAnswered => return Ok(Redirect::to("/identity/next").into_response()),
        Answered::NotAnOption => return answer_again(&mut visit, &journey),
        Answered::More => {
            visit.session_mut().proving = Some(journey);
            return Ok(Redirect::to("/identity/questions").into_response());
        }
        Answered::Last => {}
    }
    let (keys, now) = (app.oidc.keys.set(), visit.now);
    let stores = (&app.db, &*keys);
    if app.identity.mark_answers(stores, &mut journey, now).await? == Marking::Done {
        visit.session_mut().proving = Some(journey);
    }
    Ok(Redirect::to("/identity/next").into_response())
}

/// The question again: the answer given was not one of its options.
fn answer_again(visit: &mut Visit, journey: &ProvingJourney) -> Result<Response> {
    let errors = FormErrors::one("answer", "Select an answer");
    let page = journey
        .questions
        .as_ref()
        .and_then(|questions| question_page(visit, questions, journey.answers.len(), errors));
    match page {
        Some(page) => render(&page, StatusCode::BAD_REQUEST),
        None => Ok(Redirect::to("/identity/next").into_response()),
    }
}
