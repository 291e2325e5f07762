//! VehicleProjectionQueue → VehiclesTable (the vehicle view, indexed by owner).

use projection::Projector;
use traffic_views::{tables::env::VEHICLES_TABLE, VehicleView};

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    event_consumer::init_tracing();
    let config = event_consumer::sdk_config().await;
    let client = aws_sdk_dynamodb::Client::new(&config);
    let projector = Projector::<VehicleView>::from_env(client, VEHICLES_TABLE)?;
    let projector = &projector;
    event_consumer::run_sqs_consumer(move |envelope| async move {
        projector.project(&envelope).await.map(drop)
    })
    .await
}
