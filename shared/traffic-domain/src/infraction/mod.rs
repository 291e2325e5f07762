//! The infraction aggregate (SPEC §4.3): opened from an `OverspeedDetected`, charged to the
//! plate's owner at the time of the detection, then paid, contested or cancelled.

mod commands;
mod error;
mod events;
mod status;
#[cfg(test)]
mod tests;

pub use commands::{
    AmendInfraction, CancelInfraction, ContestInfraction, InfractionCommand, PayInfraction,
};
pub use error::InfractionError;
pub use events::{InfractionEvent, Location};
pub use status::{transition_allowed, InfractionStatus};

use chrono::{DateTime, Utc};
use es_core::Aggregate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::fine::fine_for_excess;
use crate::plate::Plate;
use crate::radar::OverspeedDetection;

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

    /// Every command but `Open` needs an opened infraction.
    fn existing(&self) -> Result<(), InfractionError> {
        if self.exists() {
            Ok(())
        } else {
            Err(InfractionError::NotFound)
        }
    }

    fn open(&self, d: &OverspeedDetection, owner_id: Option<Uuid>) -> Vec<InfractionEvent> {
        // The policy may receive the same detection twice; the first one opened it.
        if self.exists() {
            return Vec::new();
        }
        let fine_amount = fine_for_excess(d.excess_kmh);
        let location = Location {
            latitude: d.latitude,
            longitude: d.longitude,
            road: d.road.clone(),
        };
        let event = match owner_id {
            Some(owner_id) => InfractionEvent::InfractionIssued {
                infraction_id: d.infraction_id,
                detection_id: d.detection_id,
                radar_id: d.radar_id,
                plate: d.plate.clone(),
                owner_id,
                speed_kmh: d.speed_kmh,
                max_speed_kmh: d.max_speed_kmh,
                excess_kmh: d.excess_kmh,
                fine_amount,
                detected_at: d.detected_at,
                location,
            },
            None => InfractionEvent::InfractionPendingOwner {
                infraction_id: d.infraction_id,
                detection_id: d.detection_id,
                radar_id: d.radar_id,
                plate: d.plate.clone(),
                speed_kmh: d.speed_kmh,
                max_speed_kmh: d.max_speed_kmh,
                excess_kmh: d.excess_kmh,
                fine_amount,
                detected_at: d.detected_at,
                location,
            },
        };
        vec![event]
    }

    /// Only an infraction still without an owner gets one, and only while it can still be
    /// charged to them: pending ones become ISSUED, contested ones stay CONTESTED.
    fn assign_owner(&self, owner_id: Uuid) -> Vec<InfractionEvent> {
        let open = matches!(
            self.status,
            InfractionStatus::PendingOwner | InfractionStatus::Contested
        );
        if self.owner_id.is_some() || !open {
            return Vec::new();
        }
        vec![InfractionEvent::InfractionOwnerAssigned { owner_id }]
    }

    fn amend(&self, c: &AmendInfraction) -> Result<Vec<InfractionEvent>, InfractionError> {
        if self.status == InfractionStatus::Paid {
            return Err(InfractionError::AmendPaid);
        }
        let fine_amount = c.fine_amount.filter(|new| *new != self.fine_amount);
        let current_notes = self.notes.as_deref().unwrap_or("");
        let notes = c.notes.clone().filter(|new| new != current_notes);
        if fine_amount.is_none() && notes.is_none() {
            return Ok(Vec::new());
        }
        Ok(vec![InfractionEvent::InfractionAmended {
            fine_amount,
            notes,
        }])
    }

    fn pay(&self, c: &PayInfraction) -> Result<Vec<InfractionEvent>, InfractionError> {
        self.transition_to(InfractionStatus::Paid)?;
        if c.amount != self.fine_amount {
            return Err(InfractionError::WrongAmount {
                amount: c.amount,
                fine_amount: self.fine_amount,
            });
        }
        Ok(vec![InfractionEvent::InfractionPaid { amount: c.amount }])
    }

    fn contest(&self, c: &ContestInfraction) -> Result<Vec<InfractionEvent>, InfractionError> {
        self.transition_to(InfractionStatus::Contested)?;
        Ok(vec![InfractionEvent::InfractionContested {
            reason: c.reason.clone(),
        }])
    }

    fn cancel(&self, c: &CancelInfraction) -> Result<Vec<InfractionEvent>, InfractionError> {
        self.transition_to(InfractionStatus::Cancelled)?;
        Ok(vec![InfractionEvent::InfractionCancelled {
            reason: c.reason.clone(),
        }])
    }

    fn transition_to(&self, to: InfractionStatus) -> Result<(), InfractionError> {
        if transition_allowed(self.status, to) {
            Ok(())
        } else {
            Err(InfractionError::InvalidTransition {
                from: self.status,
                to,
            })
        }
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

    fn handle(&self, command: &InfractionCommand) -> Result<Vec<InfractionEvent>, InfractionError> {
        match command {
            InfractionCommand::Open {
                detection,
                owner_id,
            } => Ok(self.open(detection, *owner_id)),
            InfractionCommand::AssignOwner { owner_id } => {
                self.existing().map(|()| self.assign_owner(*owner_id))
            }
            InfractionCommand::Amend(c) => self.existing().and_then(|()| self.amend(c)),
            InfractionCommand::Pay(c) => self.existing().and_then(|()| self.pay(c)),
            InfractionCommand::Contest(c) => self.existing().and_then(|()| self.contest(c)),
            InfractionCommand::Cancel(c) => self.existing().and_then(|()| self.cancel(c)),
        }
    }

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
