//! POST /customers: a customer with an opening balance.

use http_api::{serve, ApiResponse};
use order_domain::{Customer, RegisterCustomer};

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    serve("register-customer", |app, request| async move {
        let customer_id = uuid::Uuid::new_v4();
        let command = RegisterCustomer::from_json(customer_id, &request.json()?)?;
        let outcome = app
            .execute::<Customer>(&request, &customer_id.to_string(), command.into())
            .await?;
        let body = serde_json::json!({"customer_id": customer_id, "version": outcome.version});
        Ok(ApiResponse::created(body, format!("/customers/{customer_id}")).etag(outcome.version))
    })
    .await
}
