//! POST /customers: a customer with an opening balance.
//!
//! The name and email are sealed with the customer's own key (SPEC §7): made in memory,
//! stored only once the body is valid (a 400 leaves no key), before the event that needs it.

use customer_functions::{customer_subject, key_store_error};
use http_api::{serve, ApiResponse};
use order_domain::{Customer, RegisterCustomer};

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    serve("register-customer", |app, request| async move {
        let customer_id = uuid::Uuid::new_v4();
        let body = request.json()?;
        let keys = app.personal_data()?;
        let key = keys
            .create(&customer_subject(customer_id))
            .map_err(key_store_error)?;
        let sealer = keys.sealer(&key).await.map_err(key_store_error)?;
        let command = RegisterCustomer::from_json(customer_id, &body, &sealer)?;
        keys.save(&key).await.map_err(key_store_error)?;
        let outcome = app
            .create::<Customer>(&request, &customer_id.to_string(), command.into())
            .await?;
        let body = serde_json::json!({"customer_id": customer_id, "version": outcome.version});
        Ok(ApiResponse::created(body, format!("/customers/{customer_id}")).etag(outcome.version))
    })
    .await
}
