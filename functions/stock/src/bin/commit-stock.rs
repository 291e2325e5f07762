//! CommitStockQueue (PaymentAccepted) → the order's reservation becomes a sale (StockCommitted).

use order_domain::Settlement;
use stock_functions::saga;

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    event_consumer::init_tracing();
    let commands = &event_consumer::command_handler_from_env().await?;
    event_consumer::run_sqs_consumer(move |envelope| async move {
        saga::settle(commands, &envelope, Settlement::Commit)
            .await
            .map(drop)
    })
    .await
}
