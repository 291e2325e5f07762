//! POST /owners: registers an owner; a `national_id` already registered is a 409.

use http_api::{serve, ApiResponse};
use traffic_domain::{Owner, RegisterOwner};

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    serve("register-owner", |app, request| async move {
        let owner_id = uuid::Uuid::new_v4();
        let today = request.command_context().now.date_naive();
        let command = RegisterOwner::from_json(owner_id, &request.json()?, today)?;
        let outcome = app
            .execute::<Owner>(&request, &owner_id.to_string(), command.into())
            .await?;
        let body = serde_json::json!({"owner_id": owner_id, "version": outcome.version});
        Ok(ApiResponse::created(body, format!("/owners/{owner_id}")).etag(outcome.version))
    })
    .await
}
