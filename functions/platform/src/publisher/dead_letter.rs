//! Where the publisher keeps what it could not publish: an SQS queue (`PublishEventsDLQ`),
//! one message per event. The body is the whole envelope as JSON, so that an operator reads
//! it as it was stored and `es-admin dlq redrive PublishEventsDLQ` puts it on the bus as
//! is; attributes say why it was refused and where it was in the stream.

use aws_sdk_sqs::error::DisplayErrorContext;
use aws_sdk_sqs::types::MessageAttributeValue;
use aws_sdk_sqs::Client;
use es_core::EventEnvelope;
use serde_json::json;

use super::entries::Refusal;

/// The environment variable naming the queue (its URL).
pub const FAILED_EVENTS_QUEUE_URL: &str = "FAILED_EVENTS_QUEUE_URL";

/// What is kept of a record that was not published.
#[derive(Debug)]
pub enum Unpublished<'a> {
    /// An event the bus refused (after the retries of a passing failure).
    Event {
        envelope: &'a EventEnvelope,
        refusal: Refusal,
    },
    /// A new item of the event table that does not read as an event: a broken contract,
    /// kept with the reason so that it is not lost silently.
    Unreadable { error: String },
}

#[derive(Debug, Clone)]
pub struct DeadLetters {
    client: Client,
    queue_url: String,
}

impl DeadLetters {
    pub fn new(client: Client, queue_url: impl Into<String>) -> Self {
        Self {
            client,
            queue_url: queue_url.into(),
        }
    }

    /// Keeps one record; an error means it is not kept (the stream must retry it).
    pub async fn keep(
        &self,
        sequence_number: &str,
        record: &Unpublished<'_>,
    ) -> Result<(), String> {
        let (body, code, message) = match record {
            Unpublished::Event { envelope, refusal } => (
                serde_json::to_string(envelope).expect("an envelope serialises to JSON"),
                refusal.code.as_str(),
                refusal.message.as_str(),
            ),
            Unpublished::Unreadable { error } => (
                json!({ "unreadable_record": { "sequence_number": sequence_number, "error": error } })
                    .to_string(),
                "UnreadableRecord",
                error.as_str(),
            ),
        };
        let text = |value: &str| {
            MessageAttributeValue::builder()
                .data_type("String")
                // SQS refuses empty attribute values.
                .string_value(if value.is_empty() { "-" } else { value })
                .build()
                .expect("data type and value are set")
        };
        self.client
            .send_message()
            .queue_url(&self.queue_url)
            .message_body(body)
            .message_attributes("error_code", text(code))
            .message_attributes("error_message", text(message))
            .message_attributes("sequence_number", text(sequence_number))
            .send()
            .await
            .map(|_| ())
            .map_err(|e| DisplayErrorContext(&e).to_string())
    }
}
