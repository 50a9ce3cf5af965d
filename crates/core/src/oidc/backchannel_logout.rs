//! Back-Channel Logout 1.0: telling the services a login session signed in to that it ended.

use std::collections::BTreeSet;
use std::time::Duration;

use serde_json::json;

use super::Provider;
use super::signed_tokens::{BACKCHANNEL_LOGOUT_EVENT, LOGOUT_TOKEN_TYPE, LogoutTokenClaims};
use crate::sessions::Authentication;

impl Provider {
    /// Back-Channel Logout §2.5: for each service with a logout URI, a `logout+jwt` by POST, retried
    /// a few times with back-off.
    pub fn notify_logout(&self, auth: &Authentication, clients: &BTreeSet<String>, now: i64) {
        for client in clients.iter().filter_map(|id| self.clients.get(id)) {
            let Some(uri) = client.backchannel_logout_uri.clone() else {
                continue;
            };
            let claims = LogoutTokenClaims {
                iss: self.issuer.clone(),
                aud: client.client_id.clone(),
                iat: now,
                exp: now + self.tokens.logout_token_ttl.as_secs() as i64,
                jti: uuid::Uuid::new_v4().to_string(),
                sub: self.subject_for(&client, &auth.account_id),
                sid: auth.sid.clone(),
                events: json!({ BACKCHANNEL_LOGOUT_EVENT: {} }),
            };
            let token = match self
                .keys
                .sign(client.id_token_alg, LOGOUT_TOKEN_TYPE, &claims, now)
            {
                Ok(token) => token,
                Err(e) => {
                    tracing::error!(error = %e, client = %client.client_id, "could not sign a logout token");
                    continue;
                }
            };
            let http = self.http.clone();
            let client_id = client.client_id.clone();
            tokio::spawn(async move {
                for attempt in 0..3u32 {
                    if attempt > 0 {
                        tokio::time::sleep(Duration::from_secs(1 << attempt)).await;
                    }
                    let request = match http.post(&uri) {
                        Ok(request) => request,
                        Err(e) => {
                            tracing::warn!(client = %client_id, error = %e, "back-channel logout refused by the outbound policy");
                            ::metrics::counter!(crate::metrics::BACKCHANNEL_LOGOUTS, "result" => "failed").increment(1);
                            return;
                        }
                    };
                    match request
                        .form(&[("logout_token", token.as_str())])
                        .send()
                        .await
                    {
                        Ok(response) if response.status().is_success() => {
                            tracing::info!(client = %client_id, "back-channel logout delivered");
                            ::metrics::counter!(crate::metrics::BACKCHANNEL_LOGOUTS, "result" => "delivered").increment(1);
                            return;
                        }
                        Ok(response) => {
                            tracing::warn!(client = %client_id, status = %response.status(), attempt, "back-channel logout refused")
                        }
                        Err(e) => {
                            tracing::warn!(client = %client_id, error = %e, attempt, "back-channel logout failed")
                        }
                    }
                }
                ::metrics::counter!(crate::metrics::BACKCHANNEL_LOGOUTS, "result" => "failed")
                    .increment(1);
            });
        }
    }
}
