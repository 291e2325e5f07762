//! GET /statistics/orders?from=&to=: orders placed in the period, by status, and the revenue.

use http_api::{serve, ApiResponse};
use order_functions::queries::{orders_placed_in, Period};
use order_views::reports::order_statistics;
use order_views::{tables::env::ORDERS_TABLE, OrderView};

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    serve("get-order-statistics", |app, request| async move {
        let period = Period::from_query(&request)?;
        let table = app.view::<OrderView>(ORDERS_TABLE)?;
        let orders = orders_placed_in(&table, period).await?;
        let statistics = order_statistics(period.from_text(), period.to_text(), &orders);
        Ok(ApiResponse::ok(statistics))
    })
    .await
}
