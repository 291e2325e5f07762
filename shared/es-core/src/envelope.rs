//! The stored and published form of an event (SPEC §3).

use chrono::{DateTime, SubsecRound, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::fmt;
use uuid::Uuid;

use crate::aggregate::DomainEvent;
use crate::context::CommandContext;
use crate::upcast::upcast;

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

/// What an envelope says about its event, beside the event itself: what a read model gets
/// with each decoded event (its data is the event).
#[derive(Debug, Clone, PartialEq)]
pub struct EventMeta {
    pub event_id: Uuid,
    pub aggregate_type: String,
    pub aggregate_id: String,
    /// The event's version within its stream.
    pub version: u64,
    pub event_type: String,
    pub occurred_at: DateTime<Utc>,
    pub correlation_id: String,
    pub causation_id: String,
}

impl EventMeta {
    pub fn stream_id(&self) -> StreamId {
        StreamId::new(&self.aggregate_type, &self.aggregate_id)
    }
}

/// An event that does not encode as, or decode from, an envelope.
#[derive(Debug, thiserror::Error)]
pub enum EnvelopeError {
    #[error("event does not serialise as an adjacently tagged enum (event_type + data)")]
    NotTagged,
    #[error("event data does not (de)serialise: {0}")]
    Serde(#[from] serde_json::Error),
    /// Stored at `stored`, upcast as far as `reached`, but this build reads it at `expected`:
    /// an upcaster is missing, or the event was written by a newer build.
    #[error(
        "{event_type} stored at schema version {stored} reads as version {reached}, \
         this build expects {expected}"
    )]
    SchemaVersion {
        event_type: String,
        stored: u32,
        reached: u32,
        expected: u32,
    },
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

    /// The domain event this envelope carries, upgraded from its stored `schema_version` by
    /// `E`'s upcasters first ([`crate::upcast`]). Every read of a stored or published event
    /// goes through here.
    pub fn decode<E: DomainEvent>(&self) -> Result<E, EnvelopeError> {
        let (data, reached) = upcast(
            E::UPCASTERS,
            &self.event_type,
            self.schema_version,
            &self.data,
        );
        let event: E = decode_event(&self.event_type, &data)?;
        let expected = event.schema_version();
        if reached != expected {
            return Err(EnvelopeError::SchemaVersion {
                event_type: self.event_type.clone(),
                stored: self.schema_version,
                reached,
                expected,
            });
        }
        Ok(event)
    }

    /// Everything but the event's data.
    pub fn meta(&self) -> EventMeta {
        EventMeta {
            event_id: self.event_id,
            aggregate_type: self.aggregate_type.clone(),
            aggregate_id: self.aggregate_id.clone(),
            version: self.version,
            event_type: self.event_type.clone(),
            occurred_at: self.occurred_at,
            correlation_id: self.correlation_id.clone(),
            causation_id: self.causation_id.clone(),
        }
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

/// Joins a type name and data, at the schema version this build writes, back into the domain
/// event. Stored events are read with [`EventEnvelope::decode`], which upcasts them first.
pub fn decode_event<E: DomainEvent>(event_type: &str, data: &Value) -> Result<E, EnvelopeError> {
    let tagged = serde_json::json!({ "event_type": event_type, "data": data });
    Ok(serde_json::from_value(tagged)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::upcast::Upcaster;
    use serde::{Deserialize, Serialize};
    use serde_json::json;

    /// `Weighed` is at version 2: version 1 said `weight` in kilograms.
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    #[serde(tag = "event_type", content = "data")]
    enum ParcelEvent {
        Registered { label: String },
        Weighed { weight_grams: u64 },
    }

    fn weighed_v1_to_v2(data: Value) -> Value {
        let kg = data["weight"].as_f64().unwrap_or_default();
        json!({ "weight_grams": (kg * 1000.0).round() as u64 })
    }

    impl DomainEvent for ParcelEvent {
        fn schema_version(&self) -> u32 {
            match self {
                Self::Registered { .. } => 1,
                Self::Weighed { .. } => 2,
            }
        }

        const UPCASTERS: &'static [Upcaster] = &[Upcaster {
            event_type: "Weighed",
            from: 1,
            upcast: weighed_v1_to_v2,
        }];
    }

    /// The same event without its upcaster.
    #[derive(Debug, Clone, Serialize, Deserialize)]
    #[serde(tag = "event_type", content = "data")]
    enum Forgetful {
        Weighed { weight_grams: u64 },
    }

    impl DomainEvent for Forgetful {
        fn schema_version(&self) -> u32 {
            2
        }
    }

    fn stored(event: &ParcelEvent) -> EventEnvelope {
        let ctx = CommandContext::for_request("test", Some("c-1"), "r-1");
        EventEnvelope::new(&StreamId::new("parcel", "p-1"), 1, event, &ctx).unwrap()
    }

    fn stored_v1() -> EventEnvelope {
        let mut envelope = stored(&ParcelEvent::Weighed { weight_grams: 0 });
        envelope.schema_version = 1;
        envelope.data = json!({"weight": 1.5});
        envelope
    }

    #[test]
    fn an_event_is_stored_at_its_schema_version() {
        assert_eq!(
            stored(&ParcelEvent::Weighed { weight_grams: 1 }).schema_version,
            2
        );
        let registered = stored(&ParcelEvent::Registered { label: "x".into() });
        assert_eq!(registered.schema_version, 1);
        assert_eq!(
            registered.decode::<ParcelEvent>().unwrap(),
            ParcelEvent::Registered { label: "x".into() }
        );
    }

    #[test]
    fn an_older_event_is_upcast_before_it_is_decoded() {
        assert_eq!(
            stored_v1().decode::<ParcelEvent>().unwrap(),
            ParcelEvent::Weighed { weight_grams: 1500 }
        );
        let current = stored(&ParcelEvent::Weighed { weight_grams: 7 });
        assert_eq!(
            current.decode::<ParcelEvent>().unwrap(),
            ParcelEvent::Weighed { weight_grams: 7 },
            "the current version is not upcast"
        );
    }

    #[test]
    fn a_missing_upcaster_or_a_newer_event_fails_loudly() {
        // v1 data that happens to decode as v2 would be misread without the version check.
        let mut lookalike = stored_v1();
        lookalike.data = json!({"weight_grams": 2});
        let error = lookalike.decode::<Forgetful>().unwrap_err();
        assert!(
            matches!(
                error,
                EnvelopeError::SchemaVersion {
                    stored: 1,
                    reached: 1,
                    expected: 2,
                    ..
                }
            ),
            "{error}"
        );
        let mut newer = stored(&ParcelEvent::Weighed { weight_grams: 1 });
        newer.schema_version = 3;
        assert!(matches!(
            newer.decode::<ParcelEvent>(),
            Err(EnvelopeError::SchemaVersion { stored: 3, .. })
        ));
    }

    #[test]
    fn meta_is_the_envelope_without_its_data() {
        let envelope = stored_v1();
        let meta = envelope.meta();
        assert_eq!(meta.event_id, envelope.event_id);
        assert_eq!(meta.stream_id(), StreamId::new("parcel", "p-1"));
        assert_eq!((meta.version, meta.event_type.as_str()), (1, "Weighed"));
        assert_eq!(meta.occurred_at, envelope.occurred_at);
        assert_eq!(meta.correlation_id, "c-1");
    }
}
