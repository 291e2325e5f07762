//! EventsTable stream → the bus, unpublishable events to PublishEventsDLQ (see `publisher`).

use platform_functions::publisher::Publisher;

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    event_consumer::init_tracing();
    let publisher = Publisher::from_env(&event_consumer::sdk_config().await)?;
    let publisher = &publisher;
    event_consumer::run_stream_consumer(move |records| async move {
        platform_functions::saga_outcomes::emit_saga_outcomes(&records);
        publisher.publish(&records).await
    })
    .await
}
