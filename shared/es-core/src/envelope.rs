//! The stored and published form of an event (SPEC §3).

use chrono::{DateTime, SubsecRound, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::fmt;
use uuid::Uuid;

use crate::aggregate::DomainEvent;
use crate::context::CommandContext;

/// Identifies one stream: `aggregate_type#aggregate_id`, the partition key of the event table.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct StreamId {
    pub aggregate_type: String,
    pub aggregate_id: String,
}

impl StreamId {
    pub fn new(aggregate_type: impl Into<String>, aggregate_id: impl Into<String>) -> Self {
        Self {
            aggregate_type: aggregate_type.into(),
            aggregate_id: aggregate_id.into(),
        }
    }

    /// Parses `aggregate_type#aggregate_id`; the id may itself contain `#`.
    pub fn parse(key: &str) -> Option<Self> {
        let (aggregate_type, aggregate_id) = key.split_once('#')?;
        (!aggregate_type.is_empty() && !aggregate_id.is_empty())
            .then(|| Self::new(aggregate_type, aggregate_id))
    }

    pub fn key(&self) -> String {
        format!("{}#{}", self.aggregate_type, self.aggregate_id)
    }
}

impl fmt::Display for StreamId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}#{}", self.aggregate_type, self.aggregate_id)
    }
}

/// Every stored event, as SPEC §3 lists its fields.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventEnvelope {
    pub event_id: Uuid,
    pub aggregate_type: String,
    pub aggregate_id: String,
    /// 1, 2, 3… with no gaps within a stream.
    pub version: u64,
    pub event_type: String,
    pub schema_version: u32,
    #[serde(with = "crate::time::rfc3339_millis")]
    pub occurred_at: DateTime<Utc>,
    pub correlation_id: String,
    pub causation_id: String,
    pub source: String,
    pub data: Value,
    pub metadata: Value,
}

/// An event value that is not a `{"event_type": …, "data": …}` object once serialised.
#[derive(Debug, thiserror::Error)]
pub enum EnvelopeError {
    #[error("event does not serialise as an adjacently tagged enum (event_type + data)")]
    NotTagged,
    #[error("event data does not (de)serialise: {0}")]
    Serde(#[from] serde_json::Error),
}

impl EventEnvelope {
    /// Wraps a domain event produced by `ctx` as version `version` of `stream`.
    pub fn new<E: DomainEvent>(
        stream: &StreamId,
        version: u64,
        event: &E,
        ctx: &CommandContext,
    ) -> Result<Self, EnvelopeError> {
        let (event_type, data) = encode_event(event)?;
        Ok(Self {
            event_id: Uuid::new_v4(),
            aggregate_type: stream.aggregate_type.clone(),
            aggregate_id: stream.aggregate_id.clone(),
            version,
            event_type,
            schema_version: event.schema_version(),
            // Stored times have millisecond precision; truncating here makes the envelope a
            // command returns equal to the one read back.
            occurred_at: ctx.now.trunc_subsecs(3),
            correlation_id: ctx.correlation_id.clone(),
            causation_id: ctx.causation_id.clone(),
            source: ctx.source.clone(),
            data,
            metadata: ctx.metadata.clone(),
        })
    }

    pub fn stream_id(&self) -> StreamId {
        StreamId::new(&self.aggregate_type, &self.aggregate_id)
    }

    /// The domain event this envelope carries.
    pub fn decode<E: DomainEvent>(&self) -> Result<E, EnvelopeError> {
        decode_event(&self.event_type, &self.data)
    }
}

/// Splits an adjacently tagged event into its type name and data.
pub fn encode_event<E: DomainEvent>(event: &E) -> Result<(String, Value), EnvelopeError> {
    match serde_json::to_value(event)? {
        Value::Object(mut fields) => {
            let event_type = match fields.remove("event_type") {
                Some(Value::String(t)) => t,
                _ => return Err(EnvelopeError::NotTagged),
            };
            let data = fields.remove("data").unwrap_or(Value::Null);
            Ok((event_type, data))
        }
        _ => Err(EnvelopeError::NotTagged),
    }
}

/// Joins a type name and data back into the domain event.
pub fn decode_event<E: DomainEvent>(event_type: &str, data: &Value) -> Result<E, EnvelopeError> {
    let tagged = serde_json::json!({ "event_type": event_type, "data": data });
    Ok(serde_json::from_value(tagged)?)
}
