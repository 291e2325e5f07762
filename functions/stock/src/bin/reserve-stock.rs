//! ReserveStockQueue (OrderPlaced) → every line reserved (StockReserved), or none (StockUnavailable).

use stock_functions::saga;

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    event_consumer::init_tracing();
    let commands = &event_consumer::command_handler_from_env().await?;
    event_consumer::run_sqs_consumer(move |envelope| async move {
        saga::reserve(commands, &envelope).await.map(drop)
    })
    .await
}
