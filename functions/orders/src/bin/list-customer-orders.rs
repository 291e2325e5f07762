//! GET /customers/{customer_id}/orders?status=: the customer's orders, newest first, paged.

use http_api::{serve, ApiResponse};
use order_functions::queries::{ensure_customer, status_filter};
use order_views::tables::{env::ORDERS_TABLE, ORDERS_BY_CUSTOMER};
use order_views::OrderView;

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    serve("list-customer-orders", |app, request| async move {
        let customer_id = request.uuid_parameter("customer_id", "customer")?;
        let status = status_filter(&request)?;
        let page = request.page()?;
        ensure_customer(&app, customer_id).await?;
        let filters: Vec<(&str, &str)> = status.iter().map(|s| ("status", s.as_str())).collect();
        let orders = app
            .view::<OrderView>(ORDERS_TABLE)?
            .query(
                &ORDERS_BY_CUSTOMER,
                &customer_id.to_string(),
                &filters,
                page.limit,
                page.cursor.as_deref(),
            )
            .await?;
        Ok(ApiResponse::ok(orders))
    })
    .await
}
