//! What happened to a vehicle (SPEC §4.2). Variant names are the `event_type`s.

use es_core::DomainEvent;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::VehicleType;
use crate::plate::Plate;

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(tag = "event_type", content = "data")]
pub enum VehicleEvent {
    VehicleRegistered {
        plate: Plate,
        owner_id: Uuid,
        #[serde(rename = "type")]
        vehicle_type: VehicleType,
        brand: String,
        model: String,
        fiscal_power: u32,
    },
    /// Carries only the fields that changed.
    VehicleDetailsChanged {
        #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
        vehicle_type: Option<VehicleType>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        brand: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        model: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        fiscal_power: Option<u32>,
    },
    VehicleOwnershipTransferred {
        plate: Plate,
        previous_owner_id: Uuid,
        owner_id: Uuid,
    },
}

impl DomainEvent for VehicleEvent {}
