//! DELETE /customers/{customer_id}/personal-data: erases a customer's name and email (SPEC §7).
//!
//! The customer's key is destroyed first, which erases every sealed copy at once (events,
//! snapshots, views); then `CustomerPersonalDataErased` makes the state and the views forget
//! the sealed values. A retry destroys nothing more and appends nothing. The balance, the
//! cart and the orders stay.

use customer_functions::{customer_subject, key_store_error};
use http_api::{serve, ApiError, ApiResponse};
use order_domain::{Customer, CustomerCommand};

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    serve("erase-customer-personal-data", |app, request| async move {
        let customer_id = request.uuid_parameter("customer_id", "customer")?;
        let id = customer_id.to_string();
        if !app.store()?.load::<Customer>(&id).await?.state.exists() {
            return Err(ApiError::not_found("customer", &id));
        }
        app.personal_data()?
            .erase(&customer_subject(customer_id))
            .await
            .map_err(key_store_error)?;
        let outcome = app
            .execute::<Customer>(&request, &id, CustomerCommand::ErasePersonalData)
            .await?;
        Ok(ApiResponse::version(
            "customer_id",
            customer_id,
            outcome.version,
        ))
    })
    .await
}
