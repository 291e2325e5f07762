//! PATCH /owners/{owner_id}: changes an owner's name, birth date or contact details, sealed
//! with the owner's key (SPEC §7). No key: an unknown owner (404), or one whose personal data
//! was erased (`422 personal_data_erased`).

use es_core::DomainError;
use http_api::{serve, ApiResponse};
use registration_functions::{key_store_error, owner_subject};
use traffic_domain::{ChangeOwnerDetails, Owner, OwnerError};

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    serve("change-owner-details", |app, request| async move {
        let owner_id = request.uuid_parameter("owner_id", "owner")?;
        let today = request.command_context().now.date_naive();
        let body = request.json()?;
        let keys = app.personal_data()?;
        let subject = owner_subject(owner_id);
        let stored = keys.load(&subject).await.map_err(key_store_error)?;
        let has_key = stored.is_some();
        // Without a key the body is still validated first (400), sealed with a key that is
        // never stored.
        let key = match stored {
            Some(key) => key,
            None => keys.create(&subject).map_err(key_store_error)?,
        };
        let sealer = keys.sealer(&key).await.map_err(key_store_error)?;
        let command = ChangeOwnerDetails::from_json(&body, today, &sealer)?;
        if !has_key {
            let owner = app.store()?.load::<Owner>(&owner_id.to_string()).await?;
            let refusal = match owner.state.exists() {
                true => OwnerError::PersonalDataErased,
                false => OwnerError::NotFound,
            };
            return Err(refusal.rejection().into());
        }
        let outcome = app
            .execute::<Owner>(&request, &owner_id.to_string(), command.into())
            .await?;
        Ok(ApiResponse::version("owner_id", owner_id, outcome.version))
    })
    .await
}
