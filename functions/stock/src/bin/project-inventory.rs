//! InventoryProjectionQueue → InventoryTable (the inventory view).

use order_views::{tables::env::INVENTORY_TABLE, InventoryView};
use projection::Projector;

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    event_consumer::init_tracing();
    let config = event_consumer::sdk_config().await;
    let client = aws_sdk_dynamodb::Client::new(&config);
    let projector = Projector::<InventoryView>::from_env(client, INVENTORY_TABLE)?;
    let projector = &projector;
    event_consumer::run_sqs_consumer(move |envelope| async move {
        projector.project(&envelope).await.map(drop)
    })
    .await
}
