//! InfractionProjectionQueue → InfractionsTable (the infraction view).

use projection::Projector;
use traffic_views::{tables::env::INFRACTIONS_TABLE, InfractionView};

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    event_consumer::init_tracing();
    let config = event_consumer::sdk_config().await;
    let client = aws_sdk_dynamodb::Client::new(&config);
    let projector = Projector::<InfractionView>::from_env(client, INFRACTIONS_TABLE)?;
    let projector = &projector;
    event_consumer::run_sqs_consumer(move |envelope| async move {
        projector.project(&envelope).await.map(drop)
    })
    .await
}
