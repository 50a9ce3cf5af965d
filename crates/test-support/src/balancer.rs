//! A round-robin HTTP load balancer in front of provider replicas, as a cloud balancer would
//! stand: each request goes to the next replica on a new connection (no stickiness, no pooled
//! connection a stopping replica could close under it); a replica that refuses the connection
//! is skipped for the next one, since the request never reached it. Every exchange is recorded
//! (path, status, `Retry-After`, the body's kind, which replica, when and how long) so a test
//! can assert on all of them.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderName, StatusCode, header};
use axum::response::{IntoResponse, Response};
use tokio::time::Instant;

/// How an exchange ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// A replica answered with this status.
    Answered(u16),
    /// Every replica refused the connection (none listening).
    Refused,
    /// The request reached a replica, which dropped the connection before answering (killed).
    Dropped(String),
    /// No answer within the balancer's timeout: a hang.
    TimedOut,
}

/// What a 503 (or any answer) carried, to check a store outage is told properly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyKind {
    /// An HTML page; `unavailable` when it is the "service is unavailable" page.
    Page {
        unavailable: bool,
    },
    /// OAuth JSON (RFC 6749 §5.2); `temporarily_unavailable` when that is its error.
    OAuth {
        temporarily_unavailable: bool,
    },
    Other,
}

#[derive(Debug, Clone)]
pub struct Exchange {
    pub method: String,
    pub path: String,
    /// The replica that answered (or was tried last), by its index in the list.
    pub replica: usize,
    /// Replicas tried before that one, which refused the connection.
    pub refused_first: usize,
    pub outcome: Outcome,
    pub retry_after: Option<String>,
    pub body: BodyKind,
    pub started: Instant,
    pub ended: Instant,
}

impl Exchange {
    pub fn elapsed(&self) -> Duration {
        self.ended - self.started
    }

    pub fn status(&self) -> Option<u16> {
        match self.outcome {
            Outcome::Answered(status) => Some(status),
            _ => None,
        }
    }

    /// In flight at `at`: started before and ended after.
    pub fn in_flight_at(&self, at: Instant) -> bool {
        self.started <= at && at < self.ended
    }
}

struct Shared {
    replicas: Vec<SocketAddr>,
    next: AtomicUsize,
    client: reqwest::Client,
    log: Mutex<Vec<Exchange>>,
}

/// A running balancer; stops when dropped.
pub struct Balancer {
    addr: SocketAddr,
    shared: Arc<Shared>,
    serving: tokio::task::JoinHandle<()>,
}

impl Balancer {
    /// Listens on `listener` (bound beforehand, so the replicas' issuer can name its address)
    /// and balances over `replicas`; a request that gets no answer within `timeout` is
    /// answered 504 and recorded as [`Outcome::TimedOut`].
    pub fn start(
        listener: std::net::TcpListener,
        replicas: Vec<SocketAddr>,
        timeout: Duration,
    ) -> Balancer {
        listener.set_nonblocking(true).unwrap();
        let listener = tokio::net::TcpListener::from_std(listener).unwrap();
        let addr = listener.local_addr().unwrap();
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .pool_max_idle_per_host(0)
            .timeout(timeout)
            .build()
            .unwrap();
        let shared = Arc::new(Shared {
            replicas,
            next: AtomicUsize::new(0),
            client,
            log: Mutex::new(Vec::new()),
        });
        let app = axum::Router::new()
            .fallback(balance)
            .with_state(shared.clone());
        let serving = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Balancer {
            addr,
            shared,
            serving,
        }
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Every exchange so far, in the order they ended.
    pub fn exchanges(&self) -> Vec<Exchange> {
        self.shared.log.lock().unwrap().clone()
    }
}

impl Drop for Balancer {
    fn drop(&mut self) {
        self.serving.abort();
    }
}

/// Headers that belong to one connection (RFC 9110 §7.6.1), or that the client sets itself.
fn hop_by_hop(name: &HeaderName) -> bool {
    [
        header::CONNECTION,
        header::TRANSFER_ENCODING,
        header::CONTENT_LENGTH,
        header::HOST,
        header::UPGRADE,
        header::TE,
        header::TRAILER,
    ]
    .contains(name)
        || name.as_str() == "keep-alive"
}

fn body_kind(headers: &HeaderMap, body: &[u8]) -> BodyKind {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let text = String::from_utf8_lossy(body);
    if content_type.starts_with("text/html") {
        BodyKind::Page {
            unavailable: text.contains("Sorry, the service is unavailable"),
        }
    } else if content_type.starts_with("application/json") && text.contains("\"error\"") {
        BodyKind::OAuth {
            temporarily_unavailable: text.contains("temporarily_unavailable"),
        }
    } else {
        BodyKind::Other
    }
}

async fn balance(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    let started = Instant::now();
    let (parts, body) = request.into_parts();
    let path = parts
        .uri
        .path_and_query()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_default();
    let body = axum::body::to_bytes(body, 1 << 20)
        .await
        .unwrap_or_default();
    let first = shared.next.fetch_add(1, Ordering::Relaxed);
    let count = shared.replicas.len();
    let mut exchange = Exchange {
        method: parts.method.to_string(),
        path: path.clone(),
        replica: first % count,
        refused_first: 0,
        outcome: Outcome::Refused,
        retry_after: None,
        body: BodyKind::Other,
        started,
        ended: started,
    };
    let mut response = (StatusCode::BAD_GATEWAY, "no replica is listening").into_response();
    for attempt in 0..count {
        let replica = (first + attempt) % count;
        exchange.replica = replica;
        exchange.refused_first = attempt;
        let mut forwarded = shared.client.request(
            parts.method.clone(),
            format!("http://{}{path}", shared.replicas[replica]),
        );
        for (name, value) in &parts.headers {
            if !hop_by_hop(name) {
                forwarded = forwarded.header(name, value);
            }
        }
        match forwarded.body(Bytes::clone(&body)).send().await {
            Ok(answer) => {
                let status = answer.status();
                let headers = answer.headers().clone();
                match answer.bytes().await {
                    Ok(bytes) => {
                        exchange.outcome = Outcome::Answered(status.as_u16());
                        exchange.retry_after = headers
                            .get(header::RETRY_AFTER)
                            .and_then(|v| v.to_str().ok())
                            .map(str::to_owned);
                        exchange.body = body_kind(&headers, &bytes);
                        let mut built = Response::builder().status(status.as_u16());
                        for (name, value) in &headers {
                            if !hop_by_hop(name) {
                                built = built.header(name, value);
                            }
                        }
                        response = built.body(Body::from(bytes)).unwrap();
                    }
                    Err(e) => {
                        exchange.outcome = Outcome::Dropped(format!("reading the body: {e}"));
                        response = (StatusCode::BAD_GATEWAY, "replica dropped").into_response();
                    }
                }
                break;
            }
            // Nothing reached this replica: the next one may take it.
            Err(e) if e.is_connect() => continue,
            Err(e) if e.is_timeout() => {
                exchange.outcome = Outcome::TimedOut;
                response = (StatusCode::GATEWAY_TIMEOUT, "no answer").into_response();
                break;
            }
            Err(e) => {
                exchange.outcome = Outcome::Dropped(error_chain(&e));
                response = (StatusCode::BAD_GATEWAY, "replica dropped").into_response();
                break;
            }
        }
    }
    exchange.ended = Instant::now();
    shared.log.lock().unwrap().push(exchange);
    response
}

fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
