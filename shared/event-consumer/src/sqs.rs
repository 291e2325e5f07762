//! SQS messages whose bodies are EventBridge events carrying an envelope in `detail`.

use aws_lambda_events::sqs::{SqsBatchResponse, SqsEvent};
use es_core::EventEnvelope;
use serde::Deserialize;
use std::future::Future;
use tracing::Instrument;

use crate::measure::{self, Oldest};
use crate::{error_chain, BoxError, ConsumerError};

/// The part of an EventBridge event a consumer needs.
#[derive(Deserialize)]
struct Bridged {
    detail: EventEnvelope,
}

/// The envelope carried by an SQS message body (an EventBridge event whose `detail` is the
/// envelope JSON).
pub fn envelope_from_sqs_body(body: &str) -> Result<EventEnvelope, ConsumerError> {
    serde_json::from_str::<Bridged>(body)
        .map(|bridged| bridged.detail)
        .map_err(ConsumerError::BadMessage)
}

/// Runs `handler` on the envelope of each message, one after the other in the order received,
/// and reports the messages that failed so that only those are retried (and, after the queue's
/// `maxReceiveCount`, moved to its DLQ).
///
/// A body that does not parse is a failure too, logged: retrying it is useless, but it then
/// ends in the DLQ where someone can look at it, instead of vanishing. One failed message
/// never fails the others.
///
/// The batch emits this function's `ConsumerLag` (SPEC §9): now − its oldest event.
pub async fn handle_sqs_event<H, Fut, E>(event: SqsEvent, handler: &H) -> SqsBatchResponse
where
    H: Fn(EventEnvelope) -> Fut,
    Fut: Future<Output = Result<(), E>>,
    E: Into<BoxError>,
{
    let mut response = SqsBatchResponse::default();
    let mut oldest = Oldest::default();
    for message in event.records {
        let message_id = message.message_id.unwrap_or_default();
        let span = tracing::info_span!("message", message_id = %message_id);
        let outcome = async {
            let envelope = envelope_from_sqs_body(message.body.as_deref().unwrap_or_default())
                .map_err(BoxError::from)?;
            oldest.see(&envelope);
            let span = tracing::info_span!(
                "envelope",
                event_type = %envelope.event_type,
                stream = %envelope.stream_id(),
                version = envelope.version,
                correlation_id = %envelope.correlation_id,
            );
            handler(envelope).instrument(span).await.map_err(Into::into)
        }
        .instrument(span.clone())
        .await;
        if let Err(error) = outcome {
            span.in_scope(|| tracing::error!(error = %error_chain(&*error), "message failed"));
            if message_id.is_empty() {
                // Without an id it cannot be reported alone; SQS always sets one.
                tracing::error!("a failed message has no messageId");
            }
            response.add_failure(message_id);
        }
    }
    measure::queue_batch(oldest, measure::now_ms()).emit();
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_lambda_events::sqs::SqsMessage;
    use serde_json::json;
    use std::sync::Mutex;

    pub(crate) fn envelope_json(version: u64) -> serde_json::Value {
        json!({
            "event_id": "5b0f7c1e-93a4-4c1d-9a52-5a0b7e3e6f10",
            "aggregate_type": "radar",
            "aggregate_id": "r-1",
            "version": version,
            "event_type": "RadarStatusChanged",
            "schema_version": 1,
            "occurred_at": "2026-11-22T10:15:00.123Z",
            "correlation_id": "c-1",
            "causation_id": "req-1",
            "source": "change-radar-status",
            "data": {"status": "OFF", "previous_status": "ACTIVE"},
            "metadata": {}
        })
    }

    fn bridged(version: u64) -> String {
        json!({
            "version": "0",
            "id": "0d3c1a52-6a46-4d35-9d0e-8f7b2b1a0c11",
            "detail-type": "RadarStatusChanged",
            "source": "radar-service",
            "account": "123456789012",
            "time": "2026-11-22T10:15:01Z",
            "region": "eu-west-1",
            "resources": [],
            "detail": envelope_json(version)
        })
        .to_string()
    }

    fn message(id: &str, body: &str) -> SqsMessage {
        let mut message = SqsMessage::default();
        message.message_id = Some(id.to_owned());
        message.body = Some(body.to_owned());
        message
    }

    fn sqs_event(messages: Vec<SqsMessage>) -> SqsEvent {
        let mut event = SqsEvent::default();
        event.records = messages;
        event
    }

    fn failed_ids(response: &SqsBatchResponse) -> Vec<String> {
        response
            .batch_item_failures
            .iter()
            .map(|f| f.item_identifier.clone())
            .collect()
    }

    #[test]
    fn reads_the_envelope_from_the_detail() {
        let envelope = envelope_from_sqs_body(&bridged(3)).unwrap();
        assert_eq!(envelope.version, 3);
        assert_eq!(envelope.event_type, "RadarStatusChanged");
        assert_eq!(envelope.stream_id().key(), "radar#r-1");
        assert_eq!(
            serde_json::to_value(&envelope).unwrap(),
            envelope_json(3),
            "the envelope round-trips unchanged"
        );
    }

    #[test]
    fn refuses_what_is_not_an_eventbridge_envelope() {
        assert!(envelope_from_sqs_body("not json").is_err());
        assert!(envelope_from_sqs_body("{}").is_err());
        let raw_envelope = envelope_json(1).to_string();
        assert!(envelope_from_sqs_body(&raw_envelope).is_err());
        let bad_detail = json!({"detail-type": "X", "source": "s", "detail": {"version": 1}});
        assert!(envelope_from_sqs_body(&bad_detail.to_string()).is_err());
    }

    #[tokio::test]
    async fn handles_in_order_and_reports_only_the_failures() {
        let seen = Mutex::new(Vec::new());
        let handler = |envelope: EventEnvelope| {
            seen.lock().unwrap().push(envelope.version);
            async move {
                if envelope.version == 2 {
                    Err("version 2 fails")
                } else {
                    Ok(())
                }
            }
        };
        let event = sqs_event(vec![
            message("m1", &bridged(1)),
            message("m2", &bridged(2)),
            message("m3", "garbage"),
            message("m4", &bridged(4)),
        ]);
        let response = handle_sqs_event(event, &handler).await;
        assert_eq!(*seen.lock().unwrap(), vec![1, 2, 4]);
        assert_eq!(failed_ids(&response), vec!["m2", "m3"]);
    }

    #[tokio::test]
    async fn a_clean_batch_reports_nothing() {
        let handler = |_: EventEnvelope| async { Ok::<(), String>(()) };
        let event = sqs_event(vec![message("m1", &bridged(1))]);
        let response = handle_sqs_event(event, &handler).await;
        assert!(response.batch_item_failures.is_empty());
        assert_eq!(
            serde_json::to_value(&response).unwrap(),
            json!({"batchItemFailures": []})
        );
    }

    #[tokio::test]
    async fn the_response_has_the_lambda_shape() {
        let handler = |_: EventEnvelope| async { Err::<(), _>("no") };
        let event = sqs_event(vec![message("m1", &bridged(1))]);
        let response = handle_sqs_event(event, &handler).await;
        assert_eq!(
            serde_json::to_value(&response).unwrap(),
            json!({"batchItemFailures": [{"itemIdentifier": "m1"}]})
        );
    }
}
