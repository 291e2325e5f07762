//! The event publisher: the event table's DynamoDB stream → EventBridge (TrafficBus).
//!
//! Each new event becomes one `PutEvents` entry: `Source` = the service of its aggregate type
//! ([`event_consumer::service_for`]), `DetailType` = its event type, `Detail` = the envelope
//! JSON, `Time` = when it occurred. Entries go out in stream order, ten per call (the
//! `PutEvents` maximum). At the first entry that is not published (the call fails, or
//! EventBridge reports the entry failed), the publisher stops and reports that record's
//! sequence number as the batch's only failure: the stream resumes from that record, so no
//! event is skipped and none is published out of order before it.
//!
//! `PutEvents` is not atomic: entries after a failed one in the same call may have been
//! published, and are published again on the retry. Delivery is at least once; consumers are
//! idempotent.

use aws_sdk_eventbridge::error::DisplayErrorContext;
use aws_sdk_eventbridge::operation::put_events::PutEventsOutput;
use aws_sdk_eventbridge::primitives::DateTime;
use aws_sdk_eventbridge::types::PutEventsRequestEntry;
use aws_sdk_eventbridge::Client;
use es_core::EventEnvelope;
use event_consumer::{service_for, StreamRecord, UNKNOWN_SERVICE};
use std::fmt;

/// The largest number of entries one `PutEvents` call takes.
pub const MAX_ENTRIES: usize = 10;

/// The environment variable naming the bus.
pub const EVENT_BUS_NAME: &str = "EVENT_BUS_NAME";

#[derive(Debug, Clone)]
pub struct Publisher {
    client: Client,
    bus: String,
}

/// A required environment variable is not set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissingEnv(pub &'static str);

impl fmt::Display for MissingEnv {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "environment variable {} is not set", self.0)
    }
}

impl std::error::Error for MissingEnv {}

impl Publisher {
    pub fn new(client: Client, bus: impl Into<String>) -> Self {
        Self {
            client,
            bus: bus.into(),
        }
    }

    /// The bus named by `EVENT_BUS_NAME`.
    pub fn from_env(client: Client) -> Result<Self, MissingEnv> {
        let bus = std::env::var(EVENT_BUS_NAME).map_err(|_| MissingEnv(EVENT_BUS_NAME))?;
        Ok(Self::new(client, bus))
    }

    /// Publishes the records in order and returns the sequence number of the first one not
    /// published (the stream resumes there), or `None` when all were.
    pub async fn publish(&self, records: &[StreamRecord]) -> Option<String> {
        let readable = readable_prefix(records);
        if let Some(bad) = records.get(readable) {
            // A record of the event table that is not an event: a broken contract. Stop
            // before it rather than lose it; it ends in the failure destination after the
            // retries.
            if let Err(error) = &bad.envelope {
                tracing::error!(sequence_number = %bad.sequence_number, %error, "unreadable record");
            }
        }
        for chunk in records[..readable].chunks(MAX_ENTRIES) {
            let entries: Vec<PutEventsRequestEntry> = chunk
                .iter()
                .filter_map(|r| r.envelope.as_ref().ok())
                .map(|envelope| entry(envelope, &self.bus))
                .collect();
            let answer = self
                .client
                .put_events()
                .set_entries(Some(entries))
                .send()
                .await;
            if let Err(error) = &answer {
                tracing::error!(error = %DisplayErrorContext(error), "PutEvents failed");
            }
            if let Some(failed) = first_unpublished(chunk.len(), answer.as_ref().ok()) {
                let record = &chunk[failed];
                if let Ok(answer) = &answer {
                    let result = answer.entries().get(failed);
                    tracing::error!(
                        sequence_number = %record.sequence_number,
                        error_code = result.and_then(|r| r.error_code()).unwrap_or_default(),
                        error_message = result.and_then(|r| r.error_message()).unwrap_or_default(),
                        "event not published; the stream resumes from it"
                    );
                }
                return Some(record.sequence_number.clone());
            }
            tracing::info!(published = chunk.len(), "events published");
        }
        records
            .get(readable)
            .map(|record| record.sequence_number.clone())
    }
}

/// How many records from the start are events (the publisher stops at the first that is not).
pub fn readable_prefix(records: &[StreamRecord]) -> usize {
    records
        .iter()
        .position(|r| r.envelope.is_err())
        .unwrap_or(records.len())
}

/// The `PutEvents` entry of an envelope.
pub fn entry(envelope: &EventEnvelope, bus: &str) -> PutEventsRequestEntry {
    let source = service_for(&envelope.aggregate_type);
    if source == UNKNOWN_SERVICE {
        tracing::warn!(
            aggregate_type = %envelope.aggregate_type,
            "no service owns this aggregate type; published as {UNKNOWN_SERVICE}"
        );
    }
    let detail = serde_json::to_string(envelope).expect("an envelope serialises to JSON");
    PutEventsRequestEntry::builder()
        .event_bus_name(bus)
        .source(source)
        .detail_type(&envelope.event_type)
        .detail(detail)
        .time(DateTime::from_millis(
            envelope.occurred_at.timestamp_millis(),
        ))
        .build()
}

/// Which of the `sent` entries of one call is the first not published, given the call's
/// answer (`None`: the call itself failed, so none is known to be published).
///
/// An entry is published when its result has an event id and no error code. A result
/// missing for an entry, or a failed count the entries do not account for, counts as a
/// failure at the first entry not known to be published.
pub fn first_unpublished(sent: usize, answer: Option<&PutEventsOutput>) -> Option<usize> {
    if sent == 0 {
        return None;
    }
    let Some(answer) = answer else {
        return Some(0);
    };
    let results = answer.entries();
    let failed = (0..sent).find(|&i| {
        results
            .get(i)
            .is_none_or(|r| r.error_code().is_some() || r.event_id().is_none())
    });
    match failed {
        Some(i) => Some(i),
        None if answer.failed_entry_count() > 0 => Some(0),
        None => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_eventbridge::types::PutEventsResultEntry;
    use event_consumer::ConsumerError;
    use serde_json::json;

    fn ok(id: &str) -> PutEventsResultEntry {
        PutEventsResultEntry::builder().event_id(id).build()
    }

    fn failed(code: &str) -> PutEventsResultEntry {
        PutEventsResultEntry::builder()
            .error_code(code)
            .error_message("no")
            .build()
    }

    fn answer(failed_count: i32, entries: Vec<PutEventsResultEntry>) -> PutEventsOutput {
        PutEventsOutput::builder()
            .failed_entry_count(failed_count)
            .set_entries(Some(entries))
            .build()
    }

    #[test]
    fn all_published() {
        let all_ok = answer(0, vec![ok("a"), ok("b"), ok("c")]);
        assert_eq!(first_unpublished(3, Some(&all_ok)), None);
    }

    #[test]
    fn the_first_failed_entry_is_reported() {
        let one_failed = answer(
            2,
            vec![
                ok("a"),
                ok("b"),
                failed("ThrottlingException"),
                ok("d"),
                failed("InternalFailure"),
            ],
        );
        assert_eq!(first_unpublished(5, Some(&one_failed)), Some(2));
        let first = answer(1, vec![failed("InternalFailure"), ok("b")]);
        assert_eq!(first_unpublished(2, Some(&first)), Some(0));
        let last = answer(1, vec![ok("a"), ok("b"), failed("InternalFailure")]);
        assert_eq!(first_unpublished(3, Some(&last)), Some(2));
    }

    #[test]
    fn a_failed_call_publishes_nothing() {
        assert_eq!(first_unpublished(10, None), Some(0));
        assert_eq!(
            first_unpublished(0, None),
            None,
            "nothing sent, nothing failed"
        );
    }

    #[test]
    fn missing_or_inconsistent_results_count_as_failures() {
        let short = answer(0, vec![ok("a"), ok("b")]);
        assert_eq!(first_unpublished(4, Some(&short)), Some(2));
        let no_id = answer(0, vec![ok("a"), PutEventsResultEntry::builder().build()]);
        assert_eq!(first_unpublished(2, Some(&no_id)), Some(1));
        let unexplained = answer(1, vec![ok("a"), ok("b")]);
        assert_eq!(first_unpublished(2, Some(&unexplained)), Some(0));
    }

    fn envelope(aggregate_type: &str) -> EventEnvelope {
        serde_json::from_value(json!({
            "event_id": "5b0f7c1e-93a4-4c1d-9a52-5a0b7e3e6f10",
            "aggregate_type": aggregate_type,
            "aggregate_id": "a-1",
            "version": 3,
            "event_type": "SomethingHappened",
            "schema_version": 1,
            "occurred_at": "2026-11-22T10:15:00.123Z",
            "correlation_id": "c-1",
            "causation_id": "r-1",
            "source": "f",
            "data": {"n": 1.5, "list": [1, 2]},
            "metadata": {"k": "v"}
        }))
        .unwrap()
    }

    #[test]
    fn an_entry_carries_the_envelope() {
        for (aggregate_type, service) in [
            ("radar", "radar-service"),
            ("owner", "registration-service"),
            ("vehicle", "registration-service"),
            ("infraction", "infraction-service"),
            ("order", "order-service"),
            ("product", "stock-service"),
            ("invoice", "unknown-service"),
        ] {
            let envelope = envelope(aggregate_type);
            let entry = entry(&envelope, "bus-1");
            assert_eq!(entry.source(), Some(service));
            assert_eq!(entry.detail_type(), Some("SomethingHappened"));
            assert_eq!(entry.event_bus_name(), Some("bus-1"));
            let detail: EventEnvelope = serde_json::from_str(entry.detail().unwrap()).unwrap();
            assert_eq!(detail, envelope);
            assert_eq!(
                entry.time().unwrap().to_millis().unwrap(),
                envelope.occurred_at.timestamp_millis()
            );
        }
    }

    fn record(sequence: &str, readable: bool) -> StreamRecord {
        StreamRecord {
            sequence_number: sequence.into(),
            envelope: if readable {
                Ok(envelope("radar"))
            } else {
                Err(ConsumerError::BadRecord("broken".into()))
            },
        }
    }

    #[test]
    fn publishing_stops_before_the_first_unreadable_record() {
        assert_eq!(readable_prefix(&[]), 0);
        assert_eq!(readable_prefix(&[record("1", true), record("2", true)]), 2);
        assert_eq!(
            readable_prefix(&[record("1", true), record("2", false), record("3", true)]),
            1
        );
        assert_eq!(readable_prefix(&[record("1", false)]), 0);
    }
}
