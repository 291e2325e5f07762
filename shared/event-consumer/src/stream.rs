//! DynamoDB stream records of the event table: new images in, envelopes out.

use aws_lambda_events::dynamodb::{Event, EventRecord};
use aws_lambda_events::streams::{DynamoDbBatchItemFailure, DynamoDbEventResponse};
use es_core::EventEnvelope;
use event_store::schema::{GUARD_PREFIX, SNAPSHOT_SCHEMA, STREAM_ID};
use serde::Deserialize;
use uuid::Uuid;

use crate::ConsumerError;

/// One event of the stream, or the reason its record does not read as one.
#[derive(Debug)]
pub struct StreamRecord {
    /// Where the stream resumes if this record is reported as the first failure.
    pub sequence_number: String,
    pub envelope: Result<EventEnvelope, ConsumerError>,
}

/// The event item as `event_store` writes it (see its `item` module): `data` and `metadata`
/// are JSON text, times are RFC 3339 text. The feed attributes are not needed here.
#[derive(Deserialize)]
struct StoredEvent {
    event_id: Uuid,
    aggregate_type: String,
    aggregate_id: String,
    version: u64,
    event_type: String,
    schema_version: u32,
    occurred_at: String,
    correlation_id: String,
    causation_id: String,
    source: String,
    data: String,
    metadata: String,
}

/// The envelope stored in a new image of the event table.
pub fn envelope_from_image(image: &serde_dynamo::Item) -> Result<EventEnvelope, ConsumerError> {
    let bad = |what: String| ConsumerError::BadRecord(what);
    let stored: StoredEvent =
        serde_dynamo::from_item(image.clone()).map_err(|e| bad(e.to_string()))?;
    let json = |name: &str, text: &str| {
        serde_json::from_str(text).map_err(|e| bad(format!("{name} is not JSON: {e}")))
    };
    Ok(EventEnvelope {
        event_id: stored.event_id,
        occurred_at: es_core::time::parse(&stored.occurred_at).ok_or_else(|| {
            bad(format!(
                "occurred_at {} is not RFC 3339",
                stored.occurred_at
            ))
        })?,
        data: json("data", &stored.data)?,
        metadata: json("metadata", &stored.metadata)?,
        aggregate_type: stored.aggregate_type,
        aggregate_id: stored.aggregate_id,
        version: stored.version,
        event_type: stored.event_type,
        schema_version: stored.schema_version,
        correlation_id: stored.correlation_id,
        causation_id: stored.causation_id,
        source: stored.source,
    })
}

/// The `stream_id` of a record, from its keys (or its new image).
fn stream_id(record: &EventRecord) -> Option<&str> {
    [&record.change.keys, &record.change.new_image]
        .into_iter()
        .find_map(|item| match item.get(STREAM_ID) {
            Some(serde_dynamo::AttributeValue::S(key)) => Some(key.as_str()),
            _ => None,
        })
}

/// Whether a record is a new event: an `INSERT` that is not a uniqueness guard nor a
/// snapshot. Events are never changed, so `MODIFY` and `REMOVE` (a TTL, a hand edit) are not
/// new facts; a snapshot is replaced in place (`MODIFY`) but its first write is an `INSERT`.
pub fn is_new_event(record: &EventRecord) -> bool {
    record.event_name == "INSERT"
        && !stream_id(record).is_some_and(|key| key.starts_with(GUARD_PREFIX))
        && !record.change.new_image.contains_key(SNAPSHOT_SCHEMA)
}

/// The new events of a stream batch, in stream order, each with its sequence number.
/// Records that are not new events are left out; an `INSERT` whose image does not read as an
/// envelope is kept, as an error, so the caller decides (the publisher stops there rather than
/// lose an event).
pub fn stream_records(event: &Event) -> Vec<StreamRecord> {
    event
        .records
        .iter()
        .filter(|record| is_new_event(record))
        .map(|record| StreamRecord {
            sequence_number: record.change.sequence_number.clone().unwrap_or_default(),
            envelope: envelope_from_image(&record.change.new_image),
        })
        .collect()
}

/// The answer to a stream batch: nothing failed, or the stream resumes from
/// `first_failed` (the sequence number of the first record not done; everything after it is
/// delivered again too).
pub fn stream_response(first_failed: Option<String>) -> DynamoDbEventResponse {
    let mut response = DynamoDbEventResponse::default();
    if let Some(sequence_number) = first_failed {
        let mut failure = DynamoDbBatchItemFailure::default();
        failure.item_identifier = Some(sequence_number);
        response.batch_item_failures.push(failure);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// A stream record as Lambda delivers it of a new item of the events table: its key
    /// (`stream_id`, `version`) and its other `attributes`.
    fn item_record(
        event_name: &str,
        sequence: &str,
        (stream_id, version): (&str, &str),
        attributes: serde_json::Value,
    ) -> serde_json::Value {
        let keys = json!({"stream_id": {"S": stream_id}, "version": {"N": version}});
        let mut image = keys.clone();
        let image_attributes = image.as_object_mut().expect("an object");
        image_attributes.extend(attributes.as_object().expect("attributes").clone());
        json!({
            "eventID": format!("e-{sequence}"),
            "eventName": event_name,
            "eventVersion": "1.1",
            "eventSource": "aws:dynamodb",
            "awsRegion": "eu-west-1",
            "eventSourceARN": "arn:aws:dynamodb:eu-west-1:123456789012:table/events/stream/x",
            "dynamodb": {
                "ApproximateCreationDateTime": 1_795_000_000.0,
                "Keys": keys,
                "NewImage": image,
                "SequenceNumber": sequence,
                "SizeBytes": 512,
                "StreamViewType": "NEW_IMAGE"
            }
        })
    }

    /// An event's record, with the item layout of `event_store`.
    fn record(
        event_name: &str,
        stream_id: &str,
        version: u64,
        sequence: &str,
    ) -> serde_json::Value {
        let attributes = json!({
            "event_id": {"S": "5b0f7c1e-93a4-4c1d-9a52-5a0b7e3e6f10"},
            "aggregate_type": {"S": "radar"},
            "aggregate_id": {"S": "r-1"},
            "event_type": {"S": "RadarSpeedLimitChanged"},
            "schema_version": {"N": "1"},
            "occurred_at": {"S": "2026-11-22T10:15:00.123Z"},
            "correlation_id": {"S": "c-1"},
            "causation_id": {"S": "req-1"},
            "source": {"S": "change-radar-speed-limit"},
            "data": {"S": "{\"max_speed_kmh\":90,\"previous_max_speed_kmh\":110}"},
            "metadata": {"S": "{}"},
            "feed_key": {"S": "2026-11-22T10:15:00.123Z#radar#r-1#00000000000000000002"},
            "feed_shard": {"S": "shard-1"}
        });
        let version = version.to_string();
        item_record(event_name, sequence, (stream_id, &version), attributes)
    }

    /// A uniqueness guard's record.
    fn guard(sequence: &str) -> serde_json::Value {
        let key = ("$unique#owner.national_id#X1", "0");
        item_record(
            "INSERT",
            sequence,
            key,
            json!({"claimed_by": {"S": "owner#o-1"}}),
        )
    }

    fn event(records: Vec<serde_json::Value>) -> Event {
        serde_json::from_value(json!({ "Records": records })).expect("a stream event")
    }

    #[test]
    fn reads_envelopes_with_their_sequence_numbers() {
        let records = stream_records(&event(vec![
            record("INSERT", "radar#r-1", 2, "100"),
            record("INSERT", "radar#r-1", 3, "101"),
        ]));
        assert_eq!(records.len(), 2);
        assert_eq!(records[0].sequence_number, "100");
        assert_eq!(records[1].sequence_number, "101");
        let envelope = records[0].envelope.as_ref().unwrap();
        assert_eq!(envelope.version, 2);
        assert_eq!(envelope.event_type, "RadarSpeedLimitChanged");
        assert_eq!(
            envelope.data,
            json!({"max_speed_kmh": 90, "previous_max_speed_kmh": 110})
        );
        assert_eq!(envelope.metadata, json!({}));
        assert_eq!(
            es_core::time::format(&envelope.occurred_at),
            "2026-11-22T10:15:00.123Z"
        );
        assert_eq!(envelope.source, "change-radar-speed-limit");
    }

    /// A snapshot item as the stream carries it: the stream's partition, the snapshot's key.
    fn snapshot(sequence: &str) -> serde_json::Value {
        let attributes = json!({
            "snapshot_schema": {"N": "1"},
            "snapshot_version": {"N": "100"},
            "state": {"S": "{}"}
        });
        let key = ("radar#r-1", event_store::schema::SNAPSHOT_SORT_KEY);
        item_record("INSERT", sequence, key, attributes)
    }

    #[test]
    fn skips_guards_snapshots_modifications_and_removals() {
        let records = stream_records(&event(vec![
            guard("1"),
            snapshot("5"),
            record("MODIFY", "radar#r-1", 2, "2"),
            record("REMOVE", "radar#r-1", 3, "3"),
            record("INSERT", "radar#r-1", 4, "4"),
        ]));
        let sequences: Vec<&str> = records.iter().map(|r| r.sequence_number.as_str()).collect();
        assert_eq!(sequences, ["4"]);
    }

    #[test]
    fn an_insert_that_is_not_an_envelope_is_kept_as_an_error() {
        let mut broken = record("INSERT", "radar#r-1", 2, "7");
        broken["dynamodb"]["NewImage"]["data"] = json!({"S": "{not json"});
        let mut missing = record("INSERT", "radar#r-1", 3, "8");
        missing["dynamodb"]["NewImage"]
            .as_object_mut()
            .unwrap()
            .remove("event_id");
        let records = stream_records(&event(vec![broken, missing]));
        assert_eq!(records.len(), 2);
        assert!(matches!(
            records[0].envelope,
            Err(ConsumerError::BadRecord(ref why)) if why.contains("data")
        ));
        assert!(records[1].envelope.is_err());
    }

    #[test]
    fn the_response_names_the_first_failure_only() {
        assert_eq!(
            serde_json::to_value(stream_response(None)).unwrap(),
            json!({"batchItemFailures": []})
        );
        assert_eq!(
            serde_json::to_value(stream_response(Some("101".into()))).unwrap(),
            json!({"batchItemFailures": [{"itemIdentifier": "101"}]})
        );
    }
}
