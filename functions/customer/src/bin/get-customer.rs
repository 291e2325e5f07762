//! GET /customers/{customer_id}: name, email and balance.

use http_api::{serve, ApiError, ApiResponse};
use order_views::{tables::env::CUSTOMERS_TABLE, CustomerView};

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    serve("get-customer", |app, request| async move {
        let customer_id = request
            .uuid_parameter("customer_id", "customer")?
            .to_string();
        let customer = app
            .view::<CustomerView>(CUSTOMERS_TABLE)?
            .get(&customer_id)
            .await?
            .ok_or_else(|| ApiError::not_found("customer", &customer_id))?;
        let version = customer.version;
        Ok(ApiResponse::ok(customer).etag(version))
    })
    .await
}
