//! ConfirmOrderQueue (StockCommitted) → the order is CONFIRMED (SaleConfirmed).

use order_functions::saga::conclude;

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    event_consumer::init_tracing();
    let commands = &event_consumer::command_handler_from_env().await?;
    event_consumer::run_sqs_consumer(move |envelope| async move {
        conclude(commands, &envelope, "confirm-order")
            .await
            .map(drop)
    })
    .await
}
