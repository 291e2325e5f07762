//! TakePaymentQueue (StockReserved) → the order's total debited (PaymentAccepted), or
//! PaymentRefused when the balance does not cover it.

use customer_functions::payment::take_payment;

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    event_consumer::init_tracing();
    let commands = &event_consumer::command_handler_from_env().await?;
    event_consumer::run_sqs_consumer(move |envelope| async move {
        take_payment(commands, &envelope).await.map(drop)
    })
    .await
}
