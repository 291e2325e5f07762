//! The consumers' metrics (SPEC §9, see the `metrics` crate): events appended by type, counted
//! from the event table's stream, and consumer lag, measured on every batch of the stream and
//! of the queues.
//!
//! Lag is now − when the batch's oldest event occurred (`occurred_at` of its envelope): for the
//! publisher, how far behind the stream it runs; for a projection or a saga step, how old the
//! events it applies are when it applies them (the whole way from the command).

use es_core::EventEnvelope;
use metrics::{Metrics, Unit};

use crate::StreamRecord;

/// Milliseconds since the Unix epoch, now.
pub(crate) fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |since| since.as_millis() as i64)
}

/// The oldest `occurred_at` of a batch, in ms since the epoch.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct Oldest(Option<i64>);

impl Oldest {
    pub fn see(&mut self, envelope: &EventEnvelope) {
        let at = envelope.occurred_at.timestamp_millis();
        self.0 = Some(self.0.map_or(at, |oldest| oldest.min(at)));
    }

    /// `ConsumerLag` of this function, into `metrics`; never negative (an event stamped by a
    /// clock ahead of this one has no lag). Nothing for a batch without a readable event.
    fn record(self, metrics: &mut Metrics, now_ms: i64) {
        if let Some(oldest) = self.0 {
            let lag = (now_ms - oldest).max(0) as f64;
            let consumer = metrics::function_name();
            metrics.max(
                metrics::CONSUMER_LAG,
                Unit::Milliseconds,
                &[(metrics::CONSUMER, consumer)],
                lag,
            );
        }
    }
}

/// The lag of an SQS batch whose oldest event is `oldest`.
pub(crate) fn queue_batch(oldest: Oldest, now_ms: i64) -> Metrics {
    let mut metrics = Metrics::new();
    oldest.record(&mut metrics, now_ms);
    metrics
}

/// What the metrics need of a stream batch, taken before its handler consumes the records.
#[derive(Debug, Default)]
pub(crate) struct StreamBatch {
    /// Each readable event's sequence number and type, in stream order.
    events: Vec<(String, String)>,
    oldest: Oldest,
}

impl StreamBatch {
    pub fn of(records: &[StreamRecord]) -> Self {
        let mut batch = Self::default();
        for record in records {
            if let Ok(envelope) = &record.envelope {
                batch
                    .events
                    .push((record.sequence_number.clone(), envelope.event_type.clone()));
                batch.oldest.see(envelope);
            }
        }
        batch
    }

    /// The batch's metrics once its handler said where it stopped: `EventsAppended` for each
    /// event before `first_failed` (the rest comes again, and is counted then), and the lag of
    /// the whole batch.
    pub fn metrics(&self, first_failed: Option<&str>, now_ms: i64) -> Metrics {
        let mut metrics = Metrics::new();
        let done = self
            .events
            .iter()
            .take_while(|(sequence_number, _)| Some(sequence_number.as_str()) != first_failed);
        for (_, event_type) in done {
            metrics.count(
                metrics::EVENTS_APPENDED,
                &[(metrics::EVENT_TYPE, event_type)],
                1,
            );
        }
        self.oldest.record(&mut metrics, now_ms);
        metrics
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    fn envelope(event_type: &str, occurred_at: &str) -> EventEnvelope {
        serde_json::from_value(json!({
            "event_id": "5b0f7c1e-93a4-4c1d-9a52-5a0b7e3e6f10",
            "aggregate_type": "order",
            "aggregate_id": "o-1",
            "version": 1,
            "event_type": event_type,
            "schema_version": 1,
            "occurred_at": occurred_at,
            "correlation_id": "c-1",
            "causation_id": "req-1",
            "source": "test",
            "data": {},
            "metadata": {}
        }))
        .expect("an envelope")
    }

    fn record(sequence: &str, event_type: &str, occurred_at: &str) -> StreamRecord {
        StreamRecord {
            sequence_number: sequence.into(),
            envelope: Ok(envelope(event_type, occurred_at)),
        }
    }

    fn at(text: &str) -> i64 {
        es_core::time::parse(text).unwrap().timestamp_millis()
    }

    /// metric → dimension value → value, over the documents.
    fn values(metrics: &Metrics) -> Vec<(String, String, Value)> {
        let mut values = vec![];
        for document in metrics.documents(1) {
            let directive = &document["_aws"]["CloudWatchMetrics"][0];
            let dimension = directive["Dimensions"][0][0].as_str().unwrap();
            for metric in directive["Metrics"].as_array().unwrap() {
                let name = metric["Name"].as_str().unwrap();
                values.push((
                    name.to_owned(),
                    document[dimension].as_str().unwrap().to_owned(),
                    document[name].clone(),
                ));
            }
        }
        values
    }

    #[test]
    fn a_stream_batch_counts_its_events_by_type_and_its_oldest_lag() {
        let records = vec![
            record("1", "OrderPlaced", "2026-11-22T10:15:00.000Z"),
            record("2", "StockReserved", "2026-11-22T10:15:00.250Z"),
            StreamRecord {
                sequence_number: "3".into(),
                envelope: Err(crate::ConsumerError::BadRecord("broken".into())),
            },
            record("4", "OrderPlaced", "2026-11-22T10:15:01.000Z"),
        ];
        let now = at("2026-11-22T10:15:02.000Z");
        let metrics = StreamBatch::of(&records).metrics(None, now);
        let consumer = metrics::function_name().to_owned();
        assert_eq!(
            values(&metrics),
            vec![
                ("ConsumerLag".into(), consumer, json!(2000)),
                ("EventsAppended".into(), "OrderPlaced".into(), json!(2)),
                ("EventsAppended".into(), "StockReserved".into(), json!(1)),
            ]
        );
    }

    #[test]
    fn events_from_the_first_failure_on_are_counted_when_they_come_again() {
        let records = vec![
            record("1", "OrderPlaced", "2026-11-22T10:15:00.000Z"),
            record("2", "StockReserved", "2026-11-22T10:15:00.000Z"),
            record("3", "StockReserved", "2026-11-22T10:15:00.000Z"),
        ];
        let now = at("2026-11-22T10:15:00.000Z");
        let metrics = StreamBatch::of(&records).metrics(Some("2"), now);
        let counted: Vec<_> = values(&metrics)
            .into_iter()
            .filter(|(name, _, _)| name == "EventsAppended")
            .collect();
        assert_eq!(
            counted,
            vec![("EventsAppended".into(), "OrderPlaced".into(), json!(1))]
        );
    }

    #[test]
    fn lag_is_never_negative_and_absent_without_events() {
        let mut oldest = Oldest::default();
        assert!(queue_batch(oldest, 0).is_empty());
        oldest.see(&envelope("OrderPlaced", "2026-11-22T10:15:00.000Z"));
        let before = at("2026-11-22T10:14:59.000Z");
        assert_eq!(values(&queue_batch(oldest, before))[0].2, json!(0));
        oldest.see(&envelope("OrderPlaced", "2026-11-22T10:14:00.000Z"));
        let now = at("2026-11-22T10:15:00.000Z");
        assert_eq!(values(&queue_batch(oldest, now))[0].2, json!(60_000));
    }
}
