//! The infraction aggregate (SPEC §4.3): opened from an `OverspeedDetected`, charged to the
//! plate's owner at the time of the detection, then paid, contested or cancelled.

mod commands;
mod error;
mod events;
mod status;
#[cfg(test)]
mod tests;

pub use commands::*;
pub use error::InfractionError;
pub use events::{InfractionEvent, Location};
pub use status::{transition_allowed, InfractionStatus};

use chrono::{DateTime, Utc};
use es_core::Aggregate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::plate::Plate;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Infraction {
    /// `None` until the infraction is opened.
    pub infraction_id: Option<Uuid>,
    pub detection_id: Uuid,
    pub radar_id: Uuid,
    pub plate: Option<Plate>,
    pub owner_id: Option<Uuid>,
    pub speed_kmh: u32,
    pub max_speed_kmh: u32,
    pub excess_kmh: u32,
    pub fine_amount: u64,
    #[serde(with = "es_core::time::rfc3339_millis")]
    pub detected_at: DateTime<Utc>,
    pub location: Location,
    pub status: InfractionStatus,
    pub notes: Option<String>,
}

impl Infraction {
    pub fn exists(&self) -> bool {
        self.infraction_id.is_some()
    }

    fn open_from(&mut self, status: InfractionStatus, owner_id: Option<Uuid>, facts: Facts<'_>) {
        *self = Self {
            infraction_id: Some(facts.infraction_id),
            detection_id: facts.detection_id,
            radar_id: facts.radar_id,
            plate: Some(facts.plate.clone()),
            owner_id,
            speed_kmh: facts.speed_kmh,
            max_speed_kmh: facts.max_speed_kmh,
            excess_kmh: facts.excess_kmh,
            fine_amount: facts.fine_amount,
            detected_at: facts.detected_at,
            location: facts.location.clone(),
            status,
            notes: None,
        };
    }
}

/// What `InfractionIssued` and `InfractionPendingOwner` share, so `apply` reads it once.
struct Facts<'a> {
    infraction_id: Uuid,
    detection_id: Uuid,
    radar_id: Uuid,
    plate: &'a Plate,
    speed_kmh: u32,
    max_speed_kmh: u32,
    excess_kmh: u32,
    fine_amount: u64,
    detected_at: DateTime<Utc>,
    location: &'a Location,
}

impl Aggregate for Infraction {
    const TYPE: &'static str = "infraction";

    type Command = InfractionCommand;
    type Event = InfractionEvent;
    type Error = InfractionError;

    fn apply(&mut self, event: &InfractionEvent) {
        match event {
            InfractionEvent::InfractionIssued {
                infraction_id,
                detection_id,
                radar_id,
                plate,
                owner_id,
                speed_kmh,
                max_speed_kmh,
                excess_kmh,
                fine_amount,
                detected_at,
                location,
            } => self.open_from(
                InfractionStatus::Issued,
                Some(*owner_id),
                Facts {
                    infraction_id: *infraction_id,
                    detection_id: *detection_id,
                    radar_id: *radar_id,
                    plate,
                    speed_kmh: *speed_kmh,
                    max_speed_kmh: *max_speed_kmh,
                    excess_kmh: *excess_kmh,
                    fine_amount: *fine_amount,
                    detected_at: *detected_at,
                    location,
                },
            ),
            InfractionEvent::InfractionPendingOwner {
                infraction_id,
                detection_id,
                radar_id,
                plate,
                speed_kmh,
                max_speed_kmh,
                excess_kmh,
                fine_amount,
                detected_at,
                location,
            } => self.open_from(
                InfractionStatus::PendingOwner,
                None,
                Facts {
                    infraction_id: *infraction_id,
                    detection_id: *detection_id,
                    radar_id: *radar_id,
                    plate,
                    speed_kmh: *speed_kmh,
                    max_speed_kmh: *max_speed_kmh,
                    excess_kmh: *excess_kmh,
                    fine_amount: *fine_amount,
                    detected_at: *detected_at,
                    location,
                },
            ),
            InfractionEvent::InfractionOwnerAssigned { owner_id } => {
                self.owner_id = Some(*owner_id);
                if self.status == InfractionStatus::PendingOwner {
                    self.status = InfractionStatus::Issued;
                }
            }
            InfractionEvent::InfractionAmended { fine_amount, notes } => {
                if let Some(fine_amount) = fine_amount {
                    self.fine_amount = *fine_amount;
                }
                if let Some(notes) = notes {
                    self.notes = (!notes.is_empty()).then(|| notes.clone());
                }
            }
            InfractionEvent::InfractionPaid { .. } => self.status = InfractionStatus::Paid,
            InfractionEvent::InfractionContested { .. } => {
                self.status = InfractionStatus::Contested;
            }
            InfractionEvent::InfractionCancelled { .. } => {
                self.status = InfractionStatus::Cancelled;
            }
        }
    }
}
