//! GET /statistics/orders?from=&to=: orders placed in the period, by status, and the revenue,
//! summed from the time buckets of the report table (at most 7 queries, whatever the number of
//! orders).

use http_api::{serve, ApiResponse};
use order_functions::queries::{reports, Period};

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    serve("get-order-statistics", |app, request| async move {
        let period = Period::from_query(&request)?;
        let statistics = reports(&app)?.statistics(period.from, period.to).await?;
        Ok(ApiResponse::ok(statistics))
    })
    .await
}
