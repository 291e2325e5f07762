//! The registration service: owners and their vehicles.

pub mod commands;
pub mod queries;

use es_core::Aggregate;
use event_store::EventStore;
use http_api::ApiError;
use personal_data::SubjectKey;
use traffic_domain::Owner;
use traffic_views::{OwnerView, RevealedOwner};
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

/// The key-store subject of an owner's personal data: `owner#<owner_id>` (SPEC §7).
pub fn owner_subject(owner_id: Uuid) -> String {
    personal_data::subject(Owner::TYPE, owner_id)
}

/// The owner view as the API answers it: personal values revealed with the owner's key, or
/// `null` where there is no key (erased) or a value does not open.
pub fn reveal_owner(view: &OwnerView, key: Option<&SubjectKey>) -> RevealedOwner {
    view.revealed(|field, sealed| personal_data::reveal(key, field, sealed))
}
