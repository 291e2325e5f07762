//! OrderProjectionQueue → OrdersTable and OrderReportsTable: each order joined with its saga's
//! stock and payment events (see `projection::JoinProjector`), and the report counters moved
//! in the same transaction as the order's item (see `order_views::reports::ReportsTable`).

use order_views::reports::ReportsTable;
use order_views::{tables::env::ORDERS_TABLE, OrderView};
use projection::JoinProjector;

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    event_consumer::init_tracing();
    let config = event_consumer::sdk_config().await;
    let client = aws_sdk_dynamodb::Client::new(&config);
    let reports = ReportsTable::from_env(client.clone())?;
    let projector =
        JoinProjector::<OrderView>::from_env(client, ORDERS_TABLE)?.with_companion(reports);
    let projector = &projector;
    event_consumer::run_sqs_consumer(move |envelope| async move {
        projector.project(&envelope).await.map(drop)
    })
    .await
}
