//! What can be asked of an infraction: opened and given an owner by the infraction service's
//! policies, paid, contested, cancelled and amended by clients; and the decision each one asks
//! of the infraction.

use es_core::{Decide, Input, ValidationError};
use serde_json::Value;
use std::ops::RangeInclusive;
use uuid::Uuid;

use super::{
    transition_allowed, Infraction, InfractionError, InfractionEvent, InfractionStatus, Location,
};
use crate::fine::fine_for_excess;
use crate::radar::OverspeedDetection;

const AMOUNT: RangeInclusive<i64> = 1..=1_000_000;
const NOTES_LEN: RangeInclusive<usize> = 0..=2000;
const REASON_LEN: RangeInclusive<usize> = 1..=1000;

/// Built from any of its single commands (`From`, derived).
#[derive(Debug, Clone, PartialEq, derive_more::From)]
pub enum InfractionCommand {
    /// From `OverspeedDetected`; `owner_id` is the plate's owner at `detected_at`, if any.
    #[from(skip)]
    Open {
        detection: OverspeedDetection,
        owner_id: Option<Uuid>,
    },
    /// From a vehicle registration that gives a pending infraction its owner.
    #[from(skip)]
    AssignOwner {
        owner_id: Uuid,
    },
    Amend(AmendInfraction),
    Pay(PayInfraction),
    Contest(ContestInfraction),
    Cancel(CancelInfraction),
}

/// `PATCH /infractions/{id}`: at least one of the two.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AmendInfraction {
    pub fine_amount: Option<u64>,
    /// An empty string clears the notes.
    pub notes: Option<String>,
}

impl AmendInfraction {
    pub fn from_json(body: &Value) -> Result<Self, ValidationError> {
        const FIELDS: [&str; 2] = ["fine_amount", "notes"];
        let mut input = Input::object(body, &FIELDS);
        let fine_amount = input.opt_int("fine_amount", AMOUNT).map(|n| n as u64);
        let notes = input.opt_string("notes", NOTES_LEN);
        input.require_any(&FIELDS);
        input.finish()?;
        Ok(Self { fine_amount, notes })
    }
}

es_core::single_field_command! {
    /// `POST /infractions/{id}/payments`
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub struct PayInfraction {
        pub amount: u64 = |input, field| input.int(field, AMOUNT) as u64
    }
}

es_core::single_field_command! {
    /// `POST /infractions/{id}/contest`
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct ContestInfraction {
        pub reason: String = reason
    }
}

es_core::single_field_command! {
    /// `POST /infractions/{id}/cancel`
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct CancelInfraction {
        pub reason: String = reason
    }
}

/// Why an infraction is contested or cancelled.
fn reason(input: &mut Input<'_>, field: &str) -> String {
    input.string(field, REASON_LEN)
}

// The decisions: what an infraction in a given state records for each command, or why it
// refuses.

impl Decide<Infraction> for InfractionCommand {
    fn decide(&self, infraction: &Infraction) -> Result<Vec<InfractionEvent>, InfractionError> {
        if !infraction.exists() && !matches!(self, Self::Open { .. }) {
            // Every command but `Open` needs an opened infraction.
            return Err(InfractionError::NotFound);
        }
        match self {
            Self::Open {
                detection,
                owner_id,
            } => Ok(open(infraction, detection, *owner_id)),
            Self::AssignOwner { owner_id } => Ok(assign_owner(infraction, *owner_id)),
            Self::Amend(c) => c.decide(infraction),
            Self::Pay(c) => c.decide(infraction),
            Self::Contest(c) => {
                transition(infraction, InfractionStatus::Contested)?;
                Ok(vec![InfractionEvent::InfractionContested {
                    reason: c.reason.clone(),
                }])
            }
            Self::Cancel(c) => {
                transition(infraction, InfractionStatus::Cancelled)?;
                Ok(vec![InfractionEvent::InfractionCancelled {
                    reason: c.reason.clone(),
                }])
            }
        }
    }
}

fn open(
    infraction: &Infraction,
    d: &OverspeedDetection,
    owner_id: Option<Uuid>,
) -> Vec<InfractionEvent> {
    // The policy may receive the same detection twice; the first one opened it.
    if infraction.exists() {
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
fn assign_owner(infraction: &Infraction, owner_id: Uuid) -> Vec<InfractionEvent> {
    let open = matches!(
        infraction.status,
        InfractionStatus::PendingOwner | InfractionStatus::Contested
    );
    if infraction.owner_id.is_some() || !open {
        return Vec::new();
    }
    vec![InfractionEvent::InfractionOwnerAssigned { owner_id }]
}

impl AmendInfraction {
    fn decide(&self, infraction: &Infraction) -> Result<Vec<InfractionEvent>, InfractionError> {
        if infraction.status == InfractionStatus::Paid {
            return Err(InfractionError::AmendPaid);
        }
        let fine_amount = self
            .fine_amount
            .filter(|new| *new != infraction.fine_amount);
        let current_notes = infraction.notes.as_deref().unwrap_or("");
        let notes = self.notes.clone().filter(|new| new != current_notes);
        if fine_amount.is_none() && notes.is_none() {
            return Ok(Vec::new());
        }
        Ok(vec![InfractionEvent::InfractionAmended {
            fine_amount,
            notes,
        }])
    }
}

impl PayInfraction {
    fn decide(&self, infraction: &Infraction) -> Result<Vec<InfractionEvent>, InfractionError> {
        transition(infraction, InfractionStatus::Paid)?;
        if self.amount != infraction.fine_amount {
            return Err(InfractionError::WrongAmount {
                amount: self.amount,
                fine_amount: infraction.fine_amount,
            });
        }
        Ok(vec![InfractionEvent::InfractionPaid {
            amount: self.amount,
        }])
    }
}

/// The status machine's verdict on moving `infraction` to `to`.
fn transition(infraction: &Infraction, to: InfractionStatus) -> Result<(), InfractionError> {
    if transition_allowed(infraction.status, to) {
        Ok(())
    } else {
        Err(InfractionError::InvalidTransition {
            from: infraction.status,
            to,
        })
    }
}
