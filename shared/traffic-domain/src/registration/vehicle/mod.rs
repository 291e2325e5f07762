//! The vehicle aggregate (SPEC §4.2); its id is its normalised plate.

mod commands;
mod error;
mod events;
mod kind;
#[cfg(test)]
mod tests;

pub use commands::{ChangeVehicleDetails, RegisterVehicle, TransferVehicle, VehicleCommand};
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

    fn register(
        &self,
        vehicle: &RegisterVehicle,
        owner_exists: bool,
    ) -> Result<Vec<VehicleEvent>, VehicleError> {
        // A duplicate is reported before the owner: the plate is taken whoever asks.
        if self.exists() {
            return Err(VehicleError::AlreadyRegistered {
                plate: vehicle.plate.clone(),
            });
        }
        if !owner_exists {
            return Err(VehicleError::UnknownOwner {
                owner_id: vehicle.owner_id,
            });
        }
        Ok(vec![VehicleEvent::VehicleRegistered {
            plate: vehicle.plate.clone(),
            owner_id: vehicle.owner_id,
            vehicle_type: vehicle.vehicle_type,
            brand: vehicle.brand.clone(),
            model: vehicle.model.clone(),
            fiscal_power: vehicle.fiscal_power,
        }])
    }

    fn change_details(&self, c: &ChangeVehicleDetails) -> Vec<VehicleEvent> {
        fn changed<T: Clone + PartialEq>(new: &Option<T>, current: &T) -> Option<T> {
            new.as_ref().filter(|new| *new != current).cloned()
        }
        let vehicle_type = changed(&c.vehicle_type, &self.vehicle_type);
        let brand = changed(&c.brand, &self.brand);
        let model = changed(&c.model, &self.model);
        let fiscal_power = changed(&c.fiscal_power, &self.fiscal_power);
        if vehicle_type.is_none() && brand.is_none() && model.is_none() && fiscal_power.is_none() {
            return Vec::new();
        }
        vec![VehicleEvent::VehicleDetailsChanged {
            vehicle_type,
            brand,
            model,
            fiscal_power,
        }]
    }

    fn transfer(
        &self,
        plate: &Plate,
        owner_id: Uuid,
        owner_exists: bool,
    ) -> Result<Vec<VehicleEvent>, VehicleError> {
        // The current owner exists by definition: a repeated transfer is quietly accepted.
        if owner_id == self.owner_id {
            return Ok(Vec::new());
        }
        if !owner_exists {
            return Err(VehicleError::UnknownOwner { owner_id });
        }
        Ok(vec![VehicleEvent::VehicleOwnershipTransferred {
            plate: plate.clone(),
            previous_owner_id: self.owner_id,
            owner_id,
        }])
    }
}

impl Aggregate for Vehicle {
    const TYPE: &'static str = "vehicle";

    type Command = VehicleCommand;
    type Event = VehicleEvent;
    type Error = VehicleError;

    fn handle(&self, command: &VehicleCommand) -> Result<Vec<VehicleEvent>, VehicleError> {
        match command {
            VehicleCommand::Register {
                vehicle,
                owner_exists,
            } => self.register(vehicle, *owner_exists),
            VehicleCommand::ChangeDetails(c) => {
                self.plate.as_ref().ok_or(VehicleError::NotFound)?;
                Ok(self.change_details(c))
            }
            VehicleCommand::TransferOwnership {
                owner_id,
                owner_exists,
            } => {
                let plate = self.plate.as_ref().ok_or(VehicleError::NotFound)?;
                self.transfer(plate, *owner_id, *owner_exists)
            }
        }
    }

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
