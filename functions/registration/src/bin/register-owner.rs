//! POST /owners: registers an owner; a `national_id` already registered is a 409.
//!
//! The owner's personal data is sealed with a key of its own (SPEC §7): made in memory,
//! stored only once the body is valid (a 400 leaves no key), before the event that needs it.

use http_api::{serve, ApiResponse};
use registration_functions::{key_store_error, owner_subject};
use traffic_domain::{Owner, RegisterOwner};

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    serve("register-owner", |app, request| async move {
        let owner_id = uuid::Uuid::new_v4();
        let today = request.command_context().now.date_naive();
        let body = request.json()?;
        let keys = app.personal_data()?;
        let key = keys
            .create(&owner_subject(owner_id))
            .map_err(key_store_error)?;
        let sealer = keys.sealer(&key).await.map_err(key_store_error)?;
        let command = RegisterOwner::from_json(owner_id, &body, today, &sealer)?;
        keys.save(&key).await.map_err(key_store_error)?;
        let outcome = app
            .create::<Owner>(&request, &owner_id.to_string(), command.into())
            .await?;
        let body = serde_json::json!({"owner_id": owner_id, "version": outcome.version});
        Ok(ApiResponse::created(body, format!("/owners/{owner_id}")).etag(outcome.version))
    })
    .await
}
