//! Conversions between envelopes and DynamoDB items.
//!
//! `data` and `metadata` are stored as JSON text: numbers keep their exact JSON form, and the
//! stream record that the publisher reads carries the same text the command wrote.

use aws_sdk_dynamodb::types::AttributeValue;
use es_core::{EventEnvelope, StreamId, UniqueClaim};
use std::collections::HashMap;

use crate::error::StoreError;
use crate::schema::{FEED_KEY, FEED_SHARD, FEED_SHARDS, GUARD_PREFIX, STREAM_ID, VERSION};

pub type Item = HashMap<String, AttributeValue>;

fn s(text: impl Into<String>) -> AttributeValue {
    AttributeValue::S(text.into())
}

fn n(number: impl ToString) -> AttributeValue {
    AttributeValue::N(number.to_string())
}

pub fn version_value(version: u64) -> AttributeValue {
    n(version)
}

pub fn stream_value(stream: &StreamId) -> AttributeValue {
    s(stream.key())
}

/// The sort key of the feed indexes: time first, then stream and zero-padded version so that
/// events of one command (same instant) keep their order and no two keys are equal.
pub fn feed_key(envelope: &EventEnvelope) -> String {
    format!(
        "{}#{}#{:020}",
        es_core::time::format(&envelope.occurred_at),
        envelope.stream_id(),
        envelope.version
    )
}

fn feed_shard(envelope: &EventEnvelope) -> String {
    format!("shard-{}", envelope.event_id.as_bytes()[0] % FEED_SHARDS)
}

pub fn to_item(envelope: &EventEnvelope) -> Item {
    HashMap::from([
        (STREAM_ID.into(), stream_value(&envelope.stream_id())),
        (VERSION.into(), version_value(envelope.version)),
        ("event_id".into(), s(envelope.event_id.to_string())),
        ("aggregate_type".into(), s(&envelope.aggregate_type)),
        ("aggregate_id".into(), s(&envelope.aggregate_id)),
        ("event_type".into(), s(&envelope.event_type)),
        ("schema_version".into(), n(envelope.schema_version)),
        (
            "occurred_at".into(),
            s(es_core::time::format(&envelope.occurred_at)),
        ),
        ("correlation_id".into(), s(&envelope.correlation_id)),
        ("causation_id".into(), s(&envelope.causation_id)),
        ("source".into(), s(&envelope.source)),
        ("data".into(), s(envelope.data.to_string())),
        ("metadata".into(), s(envelope.metadata.to_string())),
        (FEED_KEY.into(), s(feed_key(envelope))),
        (FEED_SHARD.into(), s(feed_shard(envelope))),
    ])
}

fn text<'a>(item: &'a Item, name: &str) -> Result<&'a str, StoreError> {
    match item.get(name) {
        Some(AttributeValue::S(value)) => Ok(value),
        _ => Err(StoreError::corrupt(format!(
            "attribute {name} missing or not a string"
        ))),
    }
}

fn number<T: std::str::FromStr>(item: &Item, name: &str) -> Result<T, StoreError> {
    match item.get(name) {
        Some(AttributeValue::N(value)) => value
            .parse()
            .map_err(|_| StoreError::corrupt(format!("attribute {name} is not a valid number"))),
        _ => Err(StoreError::corrupt(format!(
            "attribute {name} missing or not a number"
        ))),
    }
}

fn json(item: &Item, name: &str) -> Result<serde_json::Value, StoreError> {
    serde_json::from_str(text(item, name)?)
        .map_err(|e| StoreError::corrupt(format!("attribute {name} is not JSON: {e}")))
}

pub fn from_item(item: &Item) -> Result<EventEnvelope, StoreError> {
    Ok(EventEnvelope {
        event_id: text(item, "event_id")?
            .parse()
            .map_err(|_| StoreError::corrupt("event_id is not a UUID"))?,
        aggregate_type: text(item, "aggregate_type")?.to_owned(),
        aggregate_id: text(item, "aggregate_id")?.to_owned(),
        version: number(item, VERSION)?,
        event_type: text(item, "event_type")?.to_owned(),
        schema_version: number(item, "schema_version")?,
        occurred_at: es_core::time::parse(text(item, "occurred_at")?)
            .ok_or_else(|| StoreError::corrupt("occurred_at is not RFC 3339"))?,
        correlation_id: text(item, "correlation_id")?.to_owned(),
        causation_id: text(item, "causation_id")?.to_owned(),
        source: text(item, "source")?.to_owned(),
        data: json(item, "data")?,
        metadata: json(item, "metadata")?,
    })
}

/// The key of the guard item for a uniqueness claim.
pub fn guard_key(claim: &UniqueClaim) -> String {
    format!("{GUARD_PREFIX}{}#{}", claim.scope, claim.value)
}

pub fn guard_item(claim: &UniqueClaim, claimed_by: &StreamId) -> Item {
    HashMap::from([
        (STREAM_ID.into(), s(guard_key(claim))),
        (VERSION.into(), n(0)),
        ("claimed_by".into(), stream_value(claimed_by)),
    ])
}

pub fn guard_owner(item: &Item) -> Result<StreamId, StoreError> {
    let key = text(item, "claimed_by")?;
    StreamId::parse(key).ok_or_else(|| StoreError::corrupt(format!("bad claimed_by {key}")))
}

pub fn text_attribute(item: &Item, name: &str) -> Result<String, StoreError> {
    text(item, name).map(str::to_owned)
}

pub fn number_attribute<T: std::str::FromStr>(item: &Item, name: &str) -> Result<T, StoreError> {
    number(item, name)
}
