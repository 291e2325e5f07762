//! What happened to a radar (SPEC §4.1). Variant names are the `event_type`s.

use chrono::{DateTime, Utc};
use es_core::DomainEvent;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::RadarStatus;
use crate::plate::Plate;

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(tag = "event_type", content = "data")]
pub enum RadarEvent {
    RadarInstalled {
        radar_id: Uuid,
        name: String,
        road: String,
        latitude: f64,
        longitude: f64,
        #[serde(default)]
        altitude_m: Option<f64>,
        max_speed_kmh: u32,
        status: RadarStatus,
    },
    /// Carries only the fields that changed.
    RadarDetailsChanged {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        name: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        road: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        latitude: Option<f64>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        longitude: Option<f64>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        altitude_m: Option<f64>,
    },
    RadarSpeedLimitChanged {
        max_speed_kmh: u32,
        previous_max_speed_kmh: u32,
    },
    RadarStatusChanged {
        status: RadarStatus,
        previous_status: RadarStatus,
    },
    OverspeedDetected(OverspeedDetection),
}

impl DomainEvent for RadarEvent {}

/// One overspeed, with the radar's limit and position when it happened: the infraction
/// service builds the infraction from this alone, without asking the radar anything.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct OverspeedDetection {
    pub detection_id: Uuid,
    /// `ids::infraction_id_for(detection_id)`.
    pub infraction_id: Uuid,
    pub radar_id: Uuid,
    pub plate: Plate,
    pub speed_kmh: u32,
    pub max_speed_kmh: u32,
    pub excess_kmh: u32,
    #[serde(with = "es_core::time::rfc3339_millis")]
    pub detected_at: DateTime<Utc>,
    pub latitude: f64,
    pub longitude: f64,
    pub road: String,
}
