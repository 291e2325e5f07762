//! The vehicle aggregate (SPEC §4.2); its id is its normalised plate.

mod commands;
mod error;
mod events;
mod kind;
#[cfg(test)]
mod tests;

pub use commands::*;
pub use error::VehicleError;
pub use events::VehicleEvent;
pub use kind::VehicleType;

use es_core::Aggregate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::plate::Plate;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Vehicle {
    /// `None` until the vehicle is registered.
    pub plate: Option<Plate>,
    pub owner_id: Uuid,
    #[serde(rename = "type")]
    pub vehicle_type: VehicleType,
    pub brand: String,
    pub model: String,
    pub fiscal_power: u32,
}

impl Vehicle {
    pub fn exists(&self) -> bool {
        self.plate.is_some()
    }
}

impl Aggregate for Vehicle {
    const TYPE: &'static str = "vehicle";

    type Command = VehicleCommand;
    type Event = VehicleEvent;
    type Error = VehicleError;

    fn apply(&mut self, event: &VehicleEvent) {
        match event {
            VehicleEvent::VehicleRegistered {
                plate,
                owner_id,
                vehicle_type,
                brand,
                model,
                fiscal_power,
            } => {
                *self = Self {
                    plate: Some(plate.clone()),
                    owner_id: *owner_id,
                    vehicle_type: *vehicle_type,
                    brand: brand.clone(),
                    model: model.clone(),
                    fiscal_power: *fiscal_power,
                };
            }
            VehicleEvent::VehicleDetailsChanged {
                vehicle_type,
                brand,
                model,
                fiscal_power,
            } => {
                if let Some(vehicle_type) = vehicle_type {
                    self.vehicle_type = *vehicle_type;
                }
                if let Some(brand) = brand {
                    self.brand.clone_from(brand);
                }
                if let Some(model) = model {
                    self.model.clone_from(model);
                }
                if let Some(fiscal_power) = fiscal_power {
                    self.fiscal_power = *fiscal_power;
                }
            }
            VehicleEvent::VehicleOwnershipTransferred { owner_id, .. } => {
                self.owner_id = *owner_id;
            }
        }
    }
}
