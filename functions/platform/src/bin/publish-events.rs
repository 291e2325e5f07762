//! EventsTable stream → TrafficBus (see `publisher`).

use aws_config::BehaviorVersion;
use platform_functions::publisher::Publisher;

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    event_consumer::init_tracing();
    let config = aws_config::load_defaults(BehaviorVersion::latest()).await;
    let publisher = Publisher::from_env(aws_sdk_eventbridge::Client::new(&config))?;
    let publisher = &publisher;
    event_consumer::run_stream_consumer(
        move |records| async move { publisher.publish(&records).await },
    )
    .await
}
