//! What can be asked of an infraction: opened and given an owner by the infraction service's
//! policies, paid, contested, cancelled and amended by clients.

use es_core::{Input, ValidationError};
use serde_json::Value;
use std::ops::RangeInclusive;
use uuid::Uuid;

use crate::radar::OverspeedDetection;

const AMOUNT: RangeInclusive<i64> = 1..=1_000_000;
const NOTES_LEN: RangeInclusive<usize> = 0..=2000;
const REASON_LEN: RangeInclusive<usize> = 1..=1000;

#[derive(Debug, Clone, PartialEq)]
pub enum InfractionCommand {
    /// From `OverspeedDetected`; `owner_id` is the plate's owner at `detected_at`, if any.
    Open {
        detection: OverspeedDetection,
        owner_id: Option<Uuid>,
    },
    /// From a vehicle registration that gives a pending infraction its owner.
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
        let mut input = Input::object(body, &["fine_amount", "notes"]);
        let fine_amount = input.opt_int("fine_amount", AMOUNT).map(|n| n as u64);
        let notes = input.opt_string("notes", NOTES_LEN);
        if body.is_object() && !input.has_any(&["fine_amount", "notes"]) {
            input.problem("body", "must change at least one of fine_amount, notes");
        }
        input.finish()?;
        Ok(Self { fine_amount, notes })
    }
}

/// `POST /infractions/{id}/payments`
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PayInfraction {
    pub amount: u64,
}

impl PayInfraction {
    pub fn from_json(body: &Value) -> Result<Self, ValidationError> {
        let mut input = Input::object(body, &["amount"]);
        let amount = input.int("amount", AMOUNT) as u64;
        input.finish()?;
        Ok(Self { amount })
    }
}

/// `POST /infractions/{id}/contest`
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContestInfraction {
    pub reason: String,
}

impl ContestInfraction {
    pub fn from_json(body: &Value) -> Result<Self, ValidationError> {
        Ok(Self {
            reason: reason(body)?,
        })
    }
}

/// `POST /infractions/{id}/cancel`
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CancelInfraction {
    pub reason: String,
}

impl CancelInfraction {
    pub fn from_json(body: &Value) -> Result<Self, ValidationError> {
        Ok(Self {
            reason: reason(body)?,
        })
    }
}

fn reason(body: &Value) -> Result<String, ValidationError> {
    let mut input = Input::object(body, &["reason"]);
    let reason = input.string("reason", REASON_LEN);
    input.finish()?;
    Ok(reason)
}

impl From<AmendInfraction> for InfractionCommand {
    fn from(command: AmendInfraction) -> Self {
        Self::Amend(command)
    }
}

impl From<PayInfraction> for InfractionCommand {
    fn from(command: PayInfraction) -> Self {
        Self::Pay(command)
    }
}

impl From<ContestInfraction> for InfractionCommand {
    fn from(command: ContestInfraction) -> Self {
        Self::Contest(command)
    }
}

impl From<CancelInfraction> for InfractionCommand {
    fn from(command: CancelInfraction) -> Self {
        Self::Cancel(command)
    }
}
