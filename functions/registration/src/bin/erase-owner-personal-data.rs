//! DELETE /owners/{owner_id}/personal-data: erases an owner's personal data (SPEC §7).
//!
//! The owner's key is destroyed first, which erases every sealed copy at once (events,
//! snapshots, views); then `OwnerPersonalDataErased` makes the state and the views forget the
//! sealed values. A retry destroys nothing more and appends nothing. The owner, its vehicles
//! and its infractions stay.

use http_api::{serve, ApiError, ApiResponse};
use registration_functions::{key_store_error, owner_subject};
use traffic_domain::{Owner, OwnerCommand};

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    serve("erase-owner-personal-data", |app, request| async move {
        let owner_id = request.uuid_parameter("owner_id", "owner")?;
        let id = owner_id.to_string();
        if !app.store()?.load::<Owner>(&id).await?.state.exists() {
            return Err(ApiError::not_found("owner", &id));
        }
        app.personal_data()?
            .erase(&owner_subject(owner_id))
            .await
            .map_err(key_store_error)?;
        let outcome = app
            .execute::<Owner>(&request, &id, OwnerCommand::ErasePersonalData)
            .await?;
        Ok(ApiResponse::version("owner_id", owner_id, outcome.version))
    })
    .await
}
