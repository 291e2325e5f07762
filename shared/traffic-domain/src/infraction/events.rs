//! What happened to an infraction (SPEC §4.3). Variant names are the `event_type`s.

use chrono::{DateTime, Utc};
use es_core::DomainEvent;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::plate::Plate;

/// Where the radar stood when it saw the vehicle.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
pub struct Location {
    pub latitude: f64,
    pub longitude: f64,
    pub road: String,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(tag = "event_type", content = "data")]
pub enum InfractionEvent {
    /// Opened with the owner of the plate at `detected_at`.
    InfractionIssued {
        infraction_id: Uuid,
        detection_id: Uuid,
        radar_id: Uuid,
        plate: Plate,
        owner_id: Uuid,
        speed_kmh: u32,
        max_speed_kmh: u32,
        excess_kmh: u32,
        fine_amount: u64,
        #[serde(with = "es_core::time::rfc3339_millis")]
        detected_at: DateTime<Utc>,
        location: Location,
    },
    /// Opened for a plate nobody owned (yet) at `detected_at`.
    InfractionPendingOwner {
        infraction_id: Uuid,
        detection_id: Uuid,
        radar_id: Uuid,
        plate: Plate,
        speed_kmh: u32,
        max_speed_kmh: u32,
        excess_kmh: u32,
        fine_amount: u64,
        #[serde(with = "es_core::time::rfc3339_millis")]
        detected_at: DateTime<Utc>,
        location: Location,
    },
    InfractionOwnerAssigned {
        owner_id: Uuid,
    },
    /// Carries only what changed.
    InfractionAmended {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        fine_amount: Option<u64>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        notes: Option<String>,
    },
    InfractionPaid {
        amount: u64,
    },
    InfractionContested {
        reason: String,
    },
    InfractionCancelled {
        reason: String,
    },
}

impl DomainEvent for InfractionEvent {}
