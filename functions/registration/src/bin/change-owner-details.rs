//! PATCH /owners/{owner_id}: changes an owner's name, birth date or contact details.

use http_api::{serve, ApiResponse};
use traffic_domain::{ChangeOwnerDetails, Owner};

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    serve("change-owner-details", |app, request| async move {
        let owner_id = request.uuid_parameter("owner_id", "owner")?;
        let today = request.command_context().now.date_naive();
        let command = ChangeOwnerDetails::from_json(&request.json()?, today)?;
        let outcome = app
            .execute::<Owner>(&request, &owner_id.to_string(), command.into())
            .await?;
        Ok(ApiResponse::version("owner_id", owner_id, outcome.version))
    })
    .await
}
