//! The event side of every consumer function.
//!
//! Events reach consumers two ways:
//! - **SQS** (projections, policies): each message body is an EventBridge event whose `detail`
//!   is an [`EventEnvelope`]. [`handle_sqs_event`] runs a handler on each envelope in the order
//!   received and reports only the failed messages (partial batch response), so one bad
//!   message never holds the others back; [`run_sqs_consumer`] is the whole Lambda.
//! - **The event table's DynamoDB stream** (the publisher): [`stream_records`] turns the
//!   `INSERT` records into envelopes with their sequence numbers, skipping uniqueness guards
//!   and snapshots;
//!   [`run_stream_consumer`] is the whole Lambda.
//!
//! [`service_for`] maps an aggregate type to the EventBridge `source` of its events, and
//! [`main!`] is a consumer's whole `main`, its handler's context built once per cold start
//! ([`FromEnv`]; [`Step`] for the saga steps and policies):
//!
//! ```ignore
//! event_consumer::main!(stock_functions::saga::reserve);
//! ```

mod measure;
mod services;
mod sqs;
mod start;
mod stream;

/// The metrics crate, for consumers that emit metrics of their own (saga outcomes).
pub use metrics;

/// The SDK configuration of every function, for the clients a consumer makes itself; the
/// logging and runtime every function starts with.
pub use aws_setup::{block_on, init_tracing, sdk_config, SdkConfig};
/// For [`main!`]'s expansion, which must not count on the binary naming `lambda_runtime`.
#[doc(hidden)]
pub use lambda_runtime;
pub use services::{known_service, service_for, UNKNOWN_SERVICE};
pub use sqs::{envelope_from_sqs_body, handle_sqs_event};
pub use start::{run_scheduled, FromEnv, Step};
pub use stream::{
    envelope_from_image, is_new_event, stream_records, stream_response, StreamRecord,
};

use aws_lambda_events::dynamodb::Event as StreamEvent;
use aws_lambda_events::sqs::SqsEvent;
use es_core::EventEnvelope;
use lambda_runtime::{service_fn, LambdaEvent};
use std::future::Future;

/// Any error a handler returns; it is logged with its chain of causes.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

type BoxFuture<'a, T> = std::pin::Pin<Box<dyn Future<Output = T> + 'a>>;

#[derive(Debug, thiserror::Error)]
pub enum ConsumerError {
    /// An SQS body that is not an EventBridge event carrying an envelope.
    #[error("the message is not an EventBridge event carrying an envelope: {0}")]
    BadMessage(serde_json::Error),
    /// A stream record whose new image is not an event as the event store writes it.
    #[error("the stream record is not a stored event: {0}")]
    BadRecord(String),
}

/// `error: cause: cause…`, for one log line.
pub(crate) fn error_chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        // Many errors repeat their source in their own message.
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

/// Runs an SQS-triggered Lambda whose handler receives one envelope at a time (see
/// [`handle_sqs_event`]). The event source mapping must enable `ReportBatchItemFailures`.
pub async fn run_sqs_consumer<H, Fut, E>(handler: H) -> Result<(), lambda_runtime::Error>
where
    H: Fn(EventEnvelope) -> Fut,
    Fut: Future<Output = Result<(), E>>,
    E: Into<BoxError>,
{
    let handler = &handler;
    // Boxed futures keep the types shallow: the runtime's service stack nested around a
    // handler's own futures otherwise overflows the compiler's recursion limit in `main`.
    let service = service_fn(move |event: LambdaEvent<SqsEvent>| -> BoxFuture<'_, _> {
        Box::pin(async move {
            Ok::<_, lambda_runtime::Error>(handle_sqs_event(event.payload, handler).await)
        })
    });
    Box::pin(lambda_runtime::run(service)).await
}

/// Runs a Lambda on the event table's stream. The handler receives the batch's new events in
/// stream order (see [`stream_records`]) and returns the sequence number of the first record
/// it did not finish, if any: the stream then resumes from that record (the event source
/// mapping must enable `ReportBatchItemFailures`).
///
/// Each batch emits its metrics (SPEC §9): `EventsAppended` by event type for the records the
/// handler finished, and this function's `ConsumerLag`.
pub async fn run_stream_consumer<H, Fut>(handler: H) -> Result<(), lambda_runtime::Error>
where
    H: Fn(Vec<StreamRecord>) -> Fut,
    Fut: Future<Output = Option<String>>,
{
    let handler = &handler;
    let service = service_fn(move |event: LambdaEvent<StreamEvent>| -> BoxFuture<'_, _> {
        Box::pin(async move {
            let records = stream_records(&event.payload);
            let batch = measure::StreamBatch::of(&records);
            let first_failed = handler(records).await;
            batch
                .metrics(first_failed.as_deref(), measure::now_ms())
                .emit();
            Ok::<_, lambda_runtime::Error>(stream_response(first_failed))
        })
    });
    Box::pin(lambda_runtime::run(service)).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, thiserror::Error)]
    #[error("outer")]
    struct Outer(#[source] std::io::Error);

    #[test]
    fn the_error_chain_is_one_line() {
        let error = Outer(std::io::Error::other("inner"));
        assert_eq!(error_chain(&error), "outer: inner");
    }
}
