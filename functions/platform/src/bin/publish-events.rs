//! EventsTable stream → TrafficBus (see `publisher`).

use platform_functions::publisher::Publisher;

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    event_consumer::init_tracing();
    let config = event_consumer::sdk_config().await;
    let publisher = Publisher::from_env(aws_sdk_eventbridge::Client::new(&config))?;
    let publisher = &publisher;
    event_consumer::run_stream_consumer(
        move |records| async move { publisher.publish(&records).await },
    )
    .await
}
