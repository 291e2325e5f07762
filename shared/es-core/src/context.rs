//! Who and what caused a command: carried into every event it produces.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::envelope::EventEnvelope;

/// The causal context of a command. A request starts a correlation; every event caused by it,
/// directly or down a chain of reactions, carries the same `correlation_id` (SPEC §2).
#[derive(Debug, Clone, PartialEq)]
pub struct CommandContext {
    pub correlation_id: String,
    /// The request id or the event id that caused the command.
    pub causation_id: String,
    /// The function that handles the command, stored as the event's `source`.
    pub source: String,
    pub now: DateTime<Utc>,
    pub metadata: serde_json::Value,
}

impl CommandContext {
    /// A command caused by a client request. Without a correlation id one is started.
    pub fn for_request(source: &str, correlation_id: Option<&str>, request_id: &str) -> Self {
        Self {
            correlation_id: correlation_id
                .map(str::to_owned)
                .unwrap_or_else(|| Uuid::new_v4().to_string()),
            causation_id: request_id.to_owned(),
            source: source.to_owned(),
            now: Utc::now(),
            metadata: serde_json::Value::Object(Default::default()),
        }
    }

    /// A command caused by an event (a policy or saga step): same correlation, caused by it.
    pub fn caused_by(source: &str, event: &EventEnvelope) -> Self {
        Self {
            correlation_id: event.correlation_id.clone(),
            causation_id: event.event_id.to_string(),
            source: source.to_owned(),
            now: Utc::now(),
            metadata: serde_json::Value::Object(Default::default()),
        }
    }

    /// Fixes the clock, for tests and replays.
    pub fn at(mut self, now: DateTime<Utc>) -> Self {
        self.now = now;
        self
    }
}
