//! GET /customers/{customer_id}/summary: orders, spending and favourite products, from the
//! customer's counters in the report table (one read, whatever the number of orders).

use http_api::{serve, ApiResponse};
use order_functions::queries::{ensure_customer, reports};

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    serve("get-customer-summary", |app, request| async move {
        let customer_id = request.uuid_parameter("customer_id", "customer")?;
        request.query_input(&[], |_| ())?;
        ensure_customer(&app, customer_id).await?;
        let summary = reports(&app)?.customer_summary(customer_id).await?;
        Ok(ApiResponse::ok(summary))
    })
    .await
}
