//! Why a vehicle refuses a command.

use es_core::{DomainError, Rejection, RejectionKind};
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

impl DomainError for VehicleError {
    fn rejection(&self) -> Rejection {
        let message = self.to_string();
        match self {
            Self::NotFound => Rejection::new(RejectionKind::NotFound, "not_found", message),
            Self::AlreadyRegistered { .. } => {
                Rejection::conflict("vehicle_already_registered", message)
            }
            Self::UnknownOwner { .. } => Rejection::rule("unknown_owner", message),
        }
    }
}
