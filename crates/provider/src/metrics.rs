//! The Prometheus exporter: the process's recorder, the per-request HTTP metrics and the
//! `/metrics` page. What each metric means is in `one_login_core::metrics`.

use std::collections::HashMap;
use std::sync::{OnceLock, RwLock};
use std::time::{Duration, Instant};

use ::metrics::{Counter, Histogram};
use axum::extract::{MatchedPath, Request};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use one_login_core::metrics::{HTTP_REQUEST_DURATION, HTTP_REQUESTS};

/// Histogram buckets (seconds) for every `*_seconds` metric: from a cached page (about 1 ms)
/// to a store timing out (30 s).
const BUCKETS: [f64; 14] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
];

/// How often histograms are folded in when nobody scrapes (their samples otherwise pile up).
const UPKEEP_EVERY: Duration = Duration::from_secs(5);

static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();

/// The process's Prometheus recorder, installed on first use. `None` if another recorder was
/// installed first (metrics are then not ours to show).
pub fn handle() -> Option<&'static PrometheusHandle> {
    HANDLE
        .get_or_init(|| {
            let recorder = PrometheusBuilder::new()
                .set_buckets_for_metric(Matcher::Suffix("_seconds".into()), &BUCKETS)
                .ok()?
                .build_recorder();
            let handle = recorder.handle();
            ::metrics::set_global_recorder(recorder).ok()?;
            let upkeep = handle.clone();
            if let Ok(runtime) = tokio::runtime::Handle::try_current() {
                runtime.spawn(async move {
                    let mut ticker = tokio::time::interval(UPKEEP_EVERY);
                    loop {
                        ticker.tick().await;
                        upkeep.run_upkeep();
                    }
                });
            }
            Some(handle)
        })
        .as_ref()
}

/// `GET /metrics`: every metric in the Prometheus text format.
pub async fn render() -> Response {
    let Some(handle) = handle() else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let mut response = handle.render().into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
    );
    response
}

/// The request's route template (never its raw path: that could hold anything a client sent).
const UNMATCHED: &str = "unmatched";

/// The handles of one route and status class: looked up once, then only atomics per request.
#[derive(Clone)]
struct RouteMetrics {
    requests: Counter,
    duration: Histogram,
}

/// Handles by (route template, status class). Routes are the router's own templates, so the
/// map stays as small as the router.
static ROUTES: OnceLock<RwLock<HashMap<(&'static str, u8), RouteMetrics>>> = OnceLock::new();

fn route_metrics(route: &str, class: u8) -> RouteMetrics {
    let routes = ROUTES.get_or_init(Default::default);
    let found = match routes.read() {
        Ok(map) => map.get(&(route, class)).cloned(),
        Err(poisoned) => poisoned.into_inner().get(&(route, class)).cloned(),
    };
    if let Some(found) = found {
        return found;
    }
    // First request of this route and class: a template string lives as long as the process.
    let route: &'static str = Box::leak(route.to_owned().into_boxed_str());
    let status = STATUS_CLASSES[usize::from(class)];
    let made = RouteMetrics {
        requests: ::metrics::counter!(HTTP_REQUESTS, "route" => route, "status" => status),
        duration: ::metrics::histogram!(HTTP_REQUEST_DURATION, "route" => route),
    };
    let mut map = match routes.write() {
        Ok(map) => map,
        Err(poisoned) => poisoned.into_inner(),
    };
    map.entry((route, class)).or_insert(made).clone()
}

const STATUS_CLASSES: [&str; 6] = ["other", "1xx", "2xx", "3xx", "4xx", "5xx"];

fn status_class(status: StatusCode) -> u8 {
    match status.as_u16() / 100 {
        class @ 1..=5 => class as u8,
        _ => 0,
    }
}

/// Middleware: counts each request by route and status class and times it.
pub async fn record_request(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let route = request.extensions().get::<MatchedPath>().cloned();
    let response = next.run(request).await;
    let route = route.as_ref().map_or(UNMATCHED, MatchedPath::as_str);
    let metrics = route_metrics(route, status_class(response.status()));
    metrics.requests.increment(1);
    metrics.duration.record(started.elapsed().as_secs_f64());
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_classes() {
        assert_eq!(
            STATUS_CLASSES[usize::from(status_class(StatusCode::OK))],
            "2xx"
        );
        assert_eq!(
            STATUS_CLASSES[usize::from(status_class(StatusCode::SEE_OTHER))],
            "3xx"
        );
        assert_eq!(
            STATUS_CLASSES[usize::from(status_class(StatusCode::SERVICE_UNAVAILABLE))],
            "5xx"
        );
    }
}
