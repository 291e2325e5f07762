//! What can be asked of a vehicle: each command, validated from its request body, and the
//! decision it asks of the vehicle.
//!
//! A vehicle cannot see whether its owner exists, so the commands that name an owner carry the
//! application's answer (`owner_exists`) beside the parsed body.

use es_core::{Decide, Input, ValidationError};
use serde_json::Value;
use std::ops::RangeInclusive;
use strum::VariantArray;
use uuid::Uuid;

use super::{Vehicle, VehicleError, VehicleEvent, VehicleType};
use crate::change::changed;
use crate::plate::{read_plate, Plate};
use crate::read::forbid;

const BRAND_LEN: RangeInclusive<usize> = 1..=50;
const MODEL_LEN: RangeInclusive<usize> = 1..=50;
const FISCAL_POWER: RangeInclusive<i64> = 1..=100;

/// Built from any of its single commands (`From`, derived).
#[derive(Debug, Clone, PartialEq, derive_more::From)]
pub enum VehicleCommand {
    #[from(skip)]
    Register {
        vehicle: RegisterVehicle,
        owner_exists: bool,
    },
    ChangeDetails(ChangeVehicleDetails),
    #[from(skip)]
    TransferOwnership {
        owner_id: Uuid,
        owner_exists: bool,
    },
}

/// A vehicle's fields in a request body.
const VEHICLE_FIELDS: [&str; 6] = [
    "type",
    "brand",
    "model",
    "fiscal_power",
    "plate",
    "owner_id",
];

/// `POST /vehicles`
#[derive(Debug, Clone, PartialEq)]
pub struct RegisterVehicle {
    pub plate: Plate,
    pub owner_id: Uuid,
    pub vehicle_type: VehicleType,
    pub brand: String,
    pub model: String,
    pub fiscal_power: u32,
}

impl RegisterVehicle {
    pub fn from_json(body: &Value) -> Result<Self, ValidationError> {
        let mut input = Input::object(body, &VEHICLE_FIELDS);
        let plate = read_plate(&mut input, "plate");
        let owner_id = input.uuid("owner_id");
        let details = ChangeVehicleDetails::read(&mut input, true);
        input.finish()?;
        // The placeholders of absent details never escape: `finish` refused them.
        Ok(Self {
            plate,
            owner_id,
            vehicle_type: details.vehicle_type.unwrap_or_default(),
            brand: details.brand.unwrap_or_default(),
            model: details.model.unwrap_or_default(),
            fiscal_power: details.fiscal_power.unwrap_or_default(),
        })
    }

    /// `owner_exists`: whether the application found `owner_id`'s stream.
    pub fn into_command(self, owner_exists: bool) -> VehicleCommand {
        VehicleCommand::Register {
            vehicle: self,
            owner_exists,
        }
    }
}

/// `PATCH /vehicles/{plate}`: the fields to set; at least one.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ChangeVehicleDetails {
    pub vehicle_type: Option<VehicleType>,
    pub brand: Option<String>,
    pub model: Option<String>,
    pub fiscal_power: Option<u32>,
}

impl ChangeVehicleDetails {
    /// What `PATCH` may change: all but the plate and the owner.
    const FIELDS: &'static [&'static str] = VEHICLE_FIELDS.split_at(4).0;

    pub fn from_json(body: &Value) -> Result<Self, ValidationError> {
        let mut input = Input::object(body, &VEHICLE_FIELDS);
        let details = Self::read(&mut input, false);
        forbid(&mut input, "plate", "cannot be changed");
        forbid(
            &mut input,
            "owner_id",
            "cannot be changed here: use PUT /vehicles/{plate}/owner",
        );
        input.require_any(Self::FIELDS);
        input.finish()?;
        Ok(details)
    }

    /// The details a registration, which requires them all (`is_required`), and a `PATCH`
    /// both give.
    fn read(input: &mut Input<'_>, is_required: bool) -> Self {
        Self {
            vehicle_type: input.required_if("type", is_required, |i, f| {
                i.opt_one_of(f, VehicleType::VARIANTS)
            }),
            brand: input.required_if("brand", is_required, |i, f| i.opt_string(f, BRAND_LEN)),
            model: input.required_if("model", is_required, |i, f| i.opt_string(f, MODEL_LEN)),
            fiscal_power: input
                .required_if("fiscal_power", is_required, |i, f| {
                    i.opt_int(f, FISCAL_POWER)
                })
                .map(|n| n as u32),
        }
    }
}

es_core::single_field_command! {
    /// `PUT /vehicles/{plate}/owner`
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub struct TransferVehicle {
        pub owner_id: Uuid = Input::uuid
    }
}

impl TransferVehicle {
    /// `owner_exists`: whether the application found `owner_id`'s stream.
    pub fn into_command(self, owner_exists: bool) -> VehicleCommand {
        VehicleCommand::TransferOwnership {
            owner_id: self.owner_id,
            owner_exists,
        }
    }
}

// The decisions: what a vehicle in a given state records for each command, or why it refuses.

impl Decide<Vehicle> for VehicleCommand {
    fn decide(&self, current: &Vehicle) -> Result<Vec<VehicleEvent>, VehicleError> {
        match self {
            Self::Register {
                vehicle,
                owner_exists,
            } => vehicle.decide(current, *owner_exists),
            Self::ChangeDetails(c) => {
                current.plate.as_ref().ok_or(VehicleError::NotFound)?;
                Ok(c.decide(current))
            }
            Self::TransferOwnership {
                owner_id,
                owner_exists,
            } => {
                let plate = current.plate.as_ref().ok_or(VehicleError::NotFound)?;
                transfer(current, plate, *owner_id, *owner_exists)
            }
        }
    }
}

impl RegisterVehicle {
    fn decide(
        &self,
        current: &Vehicle,
        owner_exists: bool,
    ) -> Result<Vec<VehicleEvent>, VehicleError> {
        // A duplicate is reported before the owner: the plate is taken whoever asks.
        if current.exists() {
            return Err(VehicleError::AlreadyRegistered {
                plate: self.plate.clone(),
            });
        }
        if !owner_exists {
            return Err(VehicleError::UnknownOwner {
                owner_id: self.owner_id,
            });
        }
        Ok(vec![VehicleEvent::VehicleRegistered {
            plate: self.plate.clone(),
            owner_id: self.owner_id,
            vehicle_type: self.vehicle_type,
            brand: self.brand.clone(),
            model: self.model.clone(),
            fiscal_power: self.fiscal_power,
        }])
    }
}

impl ChangeVehicleDetails {
    fn decide(&self, current: &Vehicle) -> Vec<VehicleEvent> {
        let vehicle_type = changed(&self.vehicle_type, &current.vehicle_type);
        let brand = changed(&self.brand, &current.brand);
        let model = changed(&self.model, &current.model);
        let fiscal_power = changed(&self.fiscal_power, &current.fiscal_power);
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
}

fn transfer(
    current: &Vehicle,
    plate: &Plate,
    owner_id: Uuid,
    owner_exists: bool,
) -> Result<Vec<VehicleEvent>, VehicleError> {
    // The current owner exists by definition: a repeated transfer is quietly accepted.
    if owner_id == current.owner_id {
        return Ok(Vec::new());
    }
    if !owner_exists {
        return Err(VehicleError::UnknownOwner { owner_id });
    }
    Ok(vec![VehicleEvent::VehicleOwnershipTransferred {
        plate: plate.clone(),
        previous_owner_id: current.owner_id,
        owner_id,
    }])
}
