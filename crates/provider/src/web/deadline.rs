//! The provider's limit on one request. A store that answers slowly (but answers) would hold
//! a request as long as it likes; past the deadline the request is dropped and answered as an
//! outage is: 503 with `Retry-After`, the page for a person, OAuth `temporarily_unavailable`
//! for a relying party's server. A load balancer's own timeout sits a little above it.

use std::time::Duration;

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::web::error::Error;
use crate::web::oidc::for_client;

/// Long enough for the slowest honest request (a password hash and a few queries on a loaded
/// database), short enough that a citizen is not left looking at a spinner.
pub const REQUEST_DEADLINE: Duration = Duration::from_secs(30);

/// The deadline on the pages and the browser's protocol endpoints.
pub async fn for_people(request: Request, next: Next) -> Response {
    within(REQUEST_DEADLINE, next.run(request))
        .await
        .unwrap_or_else(|e| e.into_response())
}

/// The deadline on the endpoints relying parties' servers call.
pub async fn for_clients(request: Request, next: Next) -> Response {
    within(REQUEST_DEADLINE, next.run(request))
        .await
        .unwrap_or_else(|e| for_client(e).into_response())
}

async fn within(
    limit: Duration,
    answer: impl Future<Output = Response>,
) -> Result<Response, Error> {
    tokio::time::timeout(limit, answer)
        .await
        .map_err(|_| Error::TimedOut)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_request_past_its_deadline_is_answered_as_unavailable() {
        let limit = Duration::from_millis(20);
        let slow = async {
            tokio::time::sleep(Duration::from_secs(30)).await;
            "late".into_response()
        };
        assert!(matches!(within(limit, slow).await, Err(Error::TimedOut)));
        let quick = async { "on time".into_response() };
        assert!(within(limit, quick).await.is_ok());
    }
}
