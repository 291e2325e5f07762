//! The `SagaOutcomes` metric (SPEC §9): how checkouts end, read from the event table's stream.
//!
//! The order's own events say it, once each: `SaleConfirmed` (outcome `confirmed`) or
//! `OrderCancelled {reason}` (`cancelled_<reason>`). Read here, from the stream the publisher
//! already receives, the outcome costs no query and no function of the saga has to count it.
//! Outcomes are a closed set: a reason this code does not know counts as `cancelled_other`, so
//! that nothing unexpected ever becomes a dimension value.
//!
//! A batch the stream delivers again (the publisher stopped before its end) is counted again:
//! the figure is at least once, as delivery is.

use event_consumer::metrics::{self, Metrics};
use event_consumer::StreamRecord;

/// The aggregate type of orders.
const ORDER: &str = "order";

/// The outcomes, each `cancelled_<reason>` for the reasons an order is cancelled with.
pub const OUTCOMES: &[&str] = &[
    "confirmed",
    "cancelled_out_of_stock",
    "cancelled_payment_refused",
    "cancelled_timeout",
    "cancelled_other",
];

/// Emits `SagaOutcomes` by outcome for the settled orders among `records` (one EMF line per
/// outcome seen; nothing when no order settled in the batch).
pub fn emit_saga_outcomes(records: &[StreamRecord]) {
    saga_outcomes(records).emit();
}

/// The `SagaOutcomes` counts of `records`.
pub fn saga_outcomes(records: &[StreamRecord]) -> Metrics {
    let mut outcomes = Metrics::new();
    for outcome in records.iter().filter_map(outcome_of) {
        outcomes.count(metrics::SAGA_OUTCOMES, &[(metrics::OUTCOME, outcome)], 1);
    }
    outcomes
}

/// The saga outcome a record settles, if it settles an order.
fn outcome_of(record: &StreamRecord) -> Option<&'static str> {
    let envelope = record.envelope.as_ref().ok()?;
    if envelope.aggregate_type != ORDER {
        return None;
    }
    match envelope.event_type.as_str() {
        "SaleConfirmed" => Some("confirmed"),
        "OrderCancelled" => {
            let reason = envelope.data.get("reason").and_then(|r| r.as_str());
            let outcome = reason.and_then(|reason| {
                OUTCOMES
                    .iter()
                    .find(|outcome| outcome.strip_prefix("cancelled_") == Some(reason))
            });
            Some(outcome.copied().unwrap_or("cancelled_other"))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    fn record(aggregate_type: &str, event_type: &str, data: Value) -> StreamRecord {
        let envelope = serde_json::from_value(json!({
            "event_id": "5b0f7c1e-93a4-4c1d-9a52-5a0b7e3e6f10",
            "aggregate_type": aggregate_type,
            "aggregate_id": "o-1",
            "version": 2,
            "event_type": event_type,
            "schema_version": 1,
            "occurred_at": "2026-11-22T10:15:00.123Z",
            "correlation_id": "c-1",
            "causation_id": "req-1",
            "source": "confirm-order",
            "data": data,
            "metadata": {}
        }))
        .expect("an envelope");
        StreamRecord {
            sequence_number: "1".into(),
            envelope: Ok(envelope),
        }
    }

    /// Outcome → count.
    fn counts(records: &[StreamRecord]) -> Vec<(String, u64)> {
        saga_outcomes(records)
            .documents(1)
            .iter()
            .map(|document| {
                assert_eq!(
                    document["_aws"]["CloudWatchMetrics"][0]["Metrics"],
                    json!([{"Name": "SagaOutcomes", "Unit": "Count"}])
                );
                (
                    document["Outcome"].as_str().unwrap().to_owned(),
                    document["SagaOutcomes"].as_u64().unwrap(),
                )
            })
            .collect()
    }

    #[test]
    fn settled_orders_count_by_outcome() {
        let records = [
            record("order", "OrderPlaced", json!({})),
            record("order", "SaleConfirmed", Value::Null),
            record("order", "SaleConfirmed", Value::Null),
            record("order", "OrderCancelled", json!({"reason": "out_of_stock"})),
            record(
                "order",
                "OrderCancelled",
                json!({"reason": "payment_refused"}),
            ),
            record("order", "OrderCancelled", json!({"reason": "timeout"})),
            record("order", "OrderCancelled", json!({"reason": "a new one"})),
            record("order", "OrderCancelled", json!({})),
        ];
        assert_eq!(
            counts(&records),
            [
                ("cancelled_other", 2),
                ("cancelled_out_of_stock", 1),
                ("cancelled_payment_refused", 1),
                ("cancelled_timeout", 1),
                ("confirmed", 2),
            ]
            .map(|(outcome, n)| (outcome.to_owned(), n))
        );
    }

    #[test]
    fn other_events_settle_nothing() {
        let records = [
            record("order", "OrderPlaced", json!({})),
            record("cart", "CartCheckedOut", json!({})),
            // Same name, another aggregate: not an order's outcome.
            record("infraction", "OrderCancelled", json!({"reason": "timeout"})),
            StreamRecord {
                sequence_number: "9".into(),
                envelope: Err(event_consumer::ConsumerError::BadRecord("x".into())),
            },
        ];
        assert!(saga_outcomes(&records).is_empty());
    }
}
