//! Scheduled: cancels the orders not settled within `ORDER_DEADLINE_SECONDS` (see `deadline`).

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    order_functions::deadline::run().await
}
