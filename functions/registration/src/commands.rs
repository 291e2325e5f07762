//! The registration's command routes, owners and vehicles: each an
//! `async fn(&App, ApiRequest)`, which its binary serves with `http_api::main!`.

use es_core::DomainError;
use http_api::{ApiError, ApiRequest, ApiResponse, App};
use traffic_domain::{
    ChangeOwnerDetails, ChangeVehicleDetails, Owner, OwnerCommand, OwnerError, RegisterOwner,
    RegisterVehicle, TransferVehicle, Vehicle,
};

use crate::{owner_exists, owner_subject, plate_parameter};

/// POST /owners: registers an owner; a `national_id` already registered is a 409.
///
/// The owner's personal data is sealed with a key of its own (SPEC §7): made in memory,
/// stored only once the body is valid (a 400 leaves no key), before the event that needs it.
pub async fn register_owner(app: &App, request: ApiRequest) -> Result<ApiResponse, ApiError> {
    let owner_id = uuid::Uuid::new_v4();
    let today = request.command_context().now.date_naive();
    let body = request.json()?;
    let keys = app.personal_data()?;
    let key = keys.create(&owner_subject(owner_id))?;
    let sealer = keys.sealer(&key).await?;
    let command = RegisterOwner::from_json(owner_id, &body, today, &sealer)?;
    keys.save(&key).await?;
    app.create_new::<Owner>(&request, ("owner_id", owner_id), "/owners", command)
        .await
}

/// PATCH /owners/{owner_id}: changes an owner's name, birth date or contact details, sealed
/// with the owner's key (SPEC §7). No key: an unknown owner (404), or one whose personal data
/// was erased (`422 personal_data_erased`).
pub async fn change_owner_details(app: &App, request: ApiRequest) -> Result<ApiResponse, ApiError> {
    let owner_id = request.uuid_parameter("owner_id", "owner")?;
    let today = request.command_context().now.date_naive();
    let body = request.json()?;
    let keys = app.personal_data()?;
    let subject = owner_subject(owner_id);
    let stored = keys.load(&subject).await?;
    let has_key = stored.is_some();
    // Without a key the body is still validated first (400), sealed with a key that is
    // never stored.
    let key = match stored {
        Some(key) => key,
        None => keys.create(&subject)?,
    };
    let sealer = keys.sealer(&key).await?;
    let command = ChangeOwnerDetails::from_json(&body, today, &sealer)?;
    if !has_key {
        let owner = app.store()?.load::<Owner>(&owner_id.to_string()).await?;
        let refusal = match owner.state.exists() {
            true => OwnerError::PersonalDataErased,
            false => OwnerError::NotFound,
        };
        return Err(refusal.rejection().into());
    }
    app.execute_versioned::<Owner>(&request, ("owner_id", owner_id), command)
        .await
}

/// DELETE /owners/{owner_id}/personal-data: erases an owner's personal data (SPEC §7), as
/// [`App::erase_personal_data`] does. The owner, its vehicles and its infractions stay.
pub async fn erase_owner_personal_data(
    app: &App,
    request: ApiRequest,
) -> Result<ApiResponse, ApiError> {
    let erase = OwnerCommand::ErasePersonalData;
    app.erase_personal_data(&request, ("owner_id", "owner"), Owner::exists, erase)
        .await
}

/// POST /vehicles: registers a vehicle to an existing owner.
pub async fn register_vehicle(app: &App, request: ApiRequest) -> Result<ApiResponse, ApiError> {
    let vehicle = RegisterVehicle::from_json(&request.json()?)?;
    let plate = vehicle.plate.to_string();
    let known = owner_exists(app.store()?, vehicle.owner_id).await?;
    let outcome = app
        .execute::<Vehicle>(&request, &plate, vehicle.into_command(known))
        .await?;
    let location = format!("/vehicles/{plate}");
    Ok(ApiResponse::created_version(
        "plate",
        plate,
        location,
        outcome.version,
    ))
}

/// PATCH /vehicles/{plate}: changes a vehicle's type, brand, model or fiscal power.
pub async fn change_vehicle_details(
    app: &App,
    request: ApiRequest,
) -> Result<ApiResponse, ApiError> {
    let plate = plate_parameter(&request)?;
    let command = ChangeVehicleDetails::from_json(&request.json()?)?;
    app.execute_versioned::<Vehicle>(&request, ("plate", plate), command)
        .await
}

/// PUT /vehicles/{plate}/owner: transfers a vehicle to another registered owner.
pub async fn transfer_vehicle(app: &App, request: ApiRequest) -> Result<ApiResponse, ApiError> {
    let plate = plate_parameter(&request)?;
    let transfer = TransferVehicle::from_json(&request.json()?)?;
    let known = owner_exists(app.store()?, transfer.owner_id).await?;
    let command = transfer.into_command(known);
    app.execute_versioned::<Vehicle>(&request, ("plate", plate), command)
        .await
}
