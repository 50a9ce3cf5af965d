use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde_json::json;

use crate::app::AppState;

/// `GET /healthz`: 200 once the database and the short-lived store both answer, else 503.
pub async fn check(State(app): State<AppState>) -> (StatusCode, Json<serde_json::Value>) {
    let (database, ephemeral) = tokio::join!(app.db.ping(), app.ephemeral.ping());
    let status =
        |r: &one_login_store::error::Result<()>| if r.is_ok() { "ok" } else { "unavailable" };
    let body = json!({ "database": status(&database), "ephemeral": status(&ephemeral) });
    if let Err(e) = database.as_ref().and(ephemeral.as_ref()) {
        tracing::warn!(error = %e, "health check failed");
        return (StatusCode::SERVICE_UNAVAILABLE, Json(body));
    }
    (StatusCode::OK, Json(body))
}
