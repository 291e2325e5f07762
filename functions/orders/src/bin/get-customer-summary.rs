//! GET /customers/{customer_id}/summary: orders, spending and favourite products.

use http_api::{serve, ApiResponse};
use order_functions::queries::{all_orders_of, ensure_customer};
use order_views::reports::customer_summary;

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    serve("get-customer-summary", |app, request| async move {
        let customer_id = request.uuid_parameter("customer_id", "customer")?;
        request.query_input(&[], |_| ())?;
        ensure_customer(&app, customer_id).await?;
        let orders = all_orders_of(&app, customer_id).await?;
        Ok(ApiResponse::ok(customer_summary(customer_id, &orders)))
    })
    .await
}
