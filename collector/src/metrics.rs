//! Prometheus metrics at `GET /metrics` (text exposition format), through the
//! `prometheus-client` crate. The route is behind the admin token (see
//! [`admin`](crate::admin)): Prometheus sends it as `authorization: { credentials: … }`.
//!
//! | metric | kind | what |
//! |---|---|---|
//! | `kindling_speed_to_lead_seconds` | histogram | from receiving what made a lead qualify to its CRM hand-off leaving the collector (first attempt) |
//! | `kindling_webhook_deliveries_total{outcome}` | counter | delivery attempts: `delivered`, `failed` (retried or dead after its window), `dead` (refused target) |
//! | `kindling_workflow_steps_total` | counter | workflow steps taken |
//! | `kindling_workflow_runs_started_total` | counter | runs started by the scheduler's inactivity triggers and by steps |

use std::sync::Arc;

use axum::extract::State;
use axum::http::header::CONTENT_TYPE;
use axum::response::IntoResponse;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;

/// Speed-to-lead buckets, in seconds: the target is under one.
const SPEED_TO_LEAD_BUCKETS: [f64; 12] =
    [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 30.0, 300.0];

/// A delivery attempt's outcome, as a label.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct Outcome {
    pub outcome: &'static str,
}

/// The collector's metrics; share it behind an `Arc`.
pub struct Metrics {
    registry: Registry,
    pub speed_to_lead: Histogram,
    pub deliveries: Family<Outcome, Counter>,
    pub workflow_steps: Counter,
    pub workflow_runs_started: Counter,
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::default();
        let speed_to_lead = Histogram::new(SPEED_TO_LEAD_BUCKETS);
        registry.register(
            "kindling_speed_to_lead_seconds",
            "From receiving what made a lead qualify to its CRM hand-off leaving the collector",
            speed_to_lead.clone(),
        );
        let deliveries = Family::<Outcome, Counter>::default();
        registry.register(
            "kindling_webhook_deliveries",
            "Webhook delivery attempts",
            deliveries.clone(),
        );
        let workflow_steps = Counter::default();
        registry.register(
            "kindling_workflow_steps",
            "Workflow steps taken",
            workflow_steps.clone(),
        );
        let workflow_runs_started = Counter::default();
        registry.register(
            "kindling_workflow_runs_started",
            "Workflow runs started by the scheduler and by steps",
            workflow_runs_started.clone(),
        );
        Metrics { registry, speed_to_lead, deliveries, workflow_steps, workflow_runs_started }
    }
}

impl Metrics {
    /// Counts one delivery attempt.
    pub fn delivery(&self, outcome: &'static str) {
        self.deliveries.get_or_create(&Outcome { outcome }).inc();
    }

    /// The text exposition.
    pub fn render(&self) -> String {
        let mut text = String::new();
        if let Err(error) = prometheus_client::encoding::text::encode(&mut text, &self.registry) {
            tracing::error!(%error, "metrics could not be encoded");
        }
        text
    }
}

/// `GET /metrics` (behind the admin token).
#[utoipa::path(
    get,
    path = "/metrics",
    tag = "admin",
    summary = "The Prometheus scrape",
    responses((status = 200, description = "The metrics in the OpenMetrics text format",
        content_type = "application/openmetrics-text; version=1.0.0; charset=utf-8",
        body = String))
)]
pub async fn metrics(State(metrics): State<Arc<Metrics>>) -> impl IntoResponse {
    (
        [(CONTENT_TYPE, "application/openmetrics-text; version=1.0.0; charset=utf-8")],
        metrics.render(),
    )
}
