//! ReleaseStockQueue (PaymentRefused, OrderCancelled by timeout) → the order's reservation is
//! given back (StockReleased).

use order_domain::Settlement;
use stock_functions::saga;

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    event_consumer::init_tracing();
    let commands = &event_consumer::command_handler_from_env().await?;
    event_consumer::run_sqs_consumer(move |envelope| async move {
        saga::settle(commands, &envelope, Settlement::Release)
            .await
            .map(drop)
    })
    .await
}
