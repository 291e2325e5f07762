//! The registration service: owners and their vehicles.

use event_store::EventStore;
use http_api::ApiError;
use traffic_domain::Owner;
use uuid::Uuid;

/// Whether an owner is registered, for the vehicle commands that name one (SPEC §4.2: an
/// unknown owner is `422 unknown_owner`). Owners are never deleted, so a check made before the
/// vehicle's append cannot be invalidated by it.
pub async fn owner_exists(store: &EventStore, owner_id: Uuid) -> Result<bool, ApiError> {
    Ok(store.load::<Owner>(&owner_id.to_string()).await?.exists())
}

/// The plate of a path, normalised; one that cannot be a plate names no vehicle: 404.
pub fn plate_parameter(request: &http_api::ApiRequest) -> Result<traffic_domain::Plate, ApiError> {
    let text = request.path_parameter("plate")?;
    traffic_domain::Plate::parse(text).ok_or_else(|| ApiError::not_found("vehicle", text))
}
