//! The functions' CloudWatch metrics (SPEC §9), in embedded metric format (EMF).
//!
//! A function does not call CloudWatch: it prints one JSON document per line on standard
//! output, which Lambda sends to CloudWatch Logs, and CloudWatch turns each document into
//! metric values (no network call, no extra latency; the line is the cost). The local cloud
//! reads the same lines from the functions' output and serves them as Prometheus text
//! (`GET /_local/metrics`), with [`read_line`].
//!
//! Functions do not use this crate by hand: `http-api` counts every request it answers and
//! `event-consumer` counts events and measures lag for every batch. What is measured, all in
//! namespace [`NAMESPACE`] (the dashboard of `template.yaml` reads these names):
//!
//! | metric | unit | dimensions | what |
//! |---|---|---|---|
//! | [`COMMANDS`] | Count | [`ROUTE`], [`OUTCOME`] | requests answered, commands and queries, by API Gateway route key (`POST /radars/{radar_id}/detections`, never the raw path: ids and plates are no dimension) and the answer's status class, `2xx`, `3xx`, `4xx` or `5xx` ([`status_class`]) |
//! | [`EVENTS_APPENDED`] | Count | [`EVENT_TYPE`] | events read from the event table's stream and published |
//! | [`SAGA_OUTCOMES`] | Count | [`OUTCOME`] | settled orders: `confirmed`, `cancelled_out_of_stock`, `cancelled_payment_refused`, `cancelled_timeout` |
//! | [`CONSUMER_LAG`] | Milliseconds | [`CONSUMER`] | the oldest event of a batch: now − when it occurred, per consumer function |
//!
//! [`Metrics`] gathers one invocation's (or one batch's) values, counts summed and lags kept
//! at their largest, and [`Metrics::emit`] prints them: one line per set of dimension values
//! (an EMF document holds one value per dimension name).

mod batch;
mod document;

pub use batch::Metrics;
pub use document::{read_line, Sample};

/// The CloudWatch namespace of every metric of the system.
pub const NAMESPACE: &str = "EsServerless";

/// Requests answered by `http-api`, by [`ROUTE`] and [`OUTCOME`].
pub const COMMANDS: &str = "Commands";
/// Events the publisher took from the stream, by [`EVENT_TYPE`].
pub const EVENTS_APPENDED: &str = "EventsAppended";
/// Settled orders, by [`OUTCOME`].
pub const SAGA_OUTCOMES: &str = "SagaOutcomes";
/// How far behind a consumer is, by [`CONSUMER`].
pub const CONSUMER_LAG: &str = "ConsumerLag";

/// API Gateway's route key.
pub const ROUTE: &str = "Route";
/// A small closed set: a status class for [`COMMANDS`], a saga's end for [`SAGA_OUTCOMES`].
pub const OUTCOME: &str = "Outcome";
pub const EVENT_TYPE: &str = "EventType";
/// The consumer function's name.
pub const CONSUMER: &str = "Consumer";

/// CloudWatch units the system uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    Count,
    Milliseconds,
}

impl Unit {
    pub fn as_str(self) -> &'static str {
        match self {
            Unit::Count => "Count",
            Unit::Milliseconds => "Milliseconds",
        }
    }
}

/// The [`OUTCOME`] of an answered request: its status class, `2xx` to `5xx` (`1xx` cannot
/// come out of a function; anything out of range is `5xx`, as API Gateway answers it).
pub fn status_class(status: u16) -> &'static str {
    match status {
        200..=299 => "2xx",
        300..=399 => "3xx",
        400..=499 => "4xx",
        _ => "5xx",
    }
}

/// This function's name: `AWS_LAMBDA_FUNCTION_NAME` (Lambda and the local cloud set it), else
/// the binary's name.
pub fn function_name() -> &'static str {
    static NAME: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    NAME.get_or_init(|| {
        std::env::var("AWS_LAMBDA_FUNCTION_NAME")
            .ok()
            .filter(|name| !name.is_empty())
            .or_else(|| {
                let exe = std::env::current_exe().ok()?;
                Some(exe.file_stem()?.to_string_lossy().into_owned())
            })
            .unwrap_or_else(|| "unknown".to_owned())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_fall_in_four_classes() {
        assert_eq!(status_class(200), "2xx");
        assert_eq!(status_class(202), "2xx");
        assert_eq!(status_class(304), "3xx");
        assert_eq!(status_class(404), "4xx");
        assert_eq!(status_class(412), "4xx");
        assert_eq!(status_class(500), "5xx");
        assert_eq!(status_class(503), "5xx");
        assert_eq!(status_class(0), "5xx");
    }

    #[test]
    fn the_function_name_is_never_empty() {
        assert!(!function_name().is_empty());
    }
}
