//! Why a vehicle refuses a command.

use uuid::Uuid;

use crate::plate::Plate;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum VehicleError {
    #[error("the vehicle does not exist")]
    NotFound,
    #[error("the plate {plate} is already registered")]
    AlreadyRegistered { plate: Plate },
    #[error("the owner {owner_id} does not exist")]
    UnknownOwner { owner_id: Uuid },
}

es_core::rejections!(VehicleError {
    NotFound => (NotFound, "not_found"),
    AlreadyRegistered => (Conflict, "vehicle_already_registered"),
    UnknownOwner => (BusinessRule, "unknown_owner"),
});
