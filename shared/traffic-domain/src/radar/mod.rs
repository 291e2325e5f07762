//! The radar aggregate (SPEC §4.1): installed, reconfigured, and the source of every
//! `OverspeedDetected`.

mod commands;
mod error;
mod events;
mod status;
#[cfg(test)]
mod tests;

pub use commands::*;
pub use error::RadarError;
pub use events::{OverspeedDetection, RadarEvent};
pub use status::RadarStatus;

use es_core::{Aggregate, UniqueClaim};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Scope of the guard that makes a resent `detection_id` append nothing.
pub const DETECTION_ID_SCOPE: &str = "radar.detection_id";

/// A radar's state. It is snapshotted, so it keeps a count of detections, never the list.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Radar {
    /// `None` until the radar is installed.
    pub radar_id: Option<Uuid>,
    pub name: String,
    pub road: String,
    pub latitude: f64,
    pub longitude: f64,
    pub altitude_m: Option<f64>,
    pub max_speed_kmh: u32,
    pub status: RadarStatus,
    pub detections_count: u64,
}

impl Radar {
    pub fn exists(&self) -> bool {
        self.radar_id.is_some()
    }
}

impl Aggregate for Radar {
    const TYPE: &'static str = "radar";

    type Command = RadarCommand;
    type Event = RadarEvent;
    type Error = RadarError;

    fn apply(&mut self, event: &RadarEvent) {
        match event {
            RadarEvent::RadarInstalled {
                radar_id,
                name,
                road,
                latitude,
                longitude,
                altitude_m,
                max_speed_kmh,
                status,
            } => {
                *self = Self {
                    radar_id: Some(*radar_id),
                    name: name.clone(),
                    road: road.clone(),
                    latitude: *latitude,
                    longitude: *longitude,
                    altitude_m: *altitude_m,
                    max_speed_kmh: *max_speed_kmh,
                    status: *status,
                    detections_count: 0,
                };
            }
            RadarEvent::RadarDetailsChanged {
                name,
                road,
                latitude,
                longitude,
                altitude_m,
            } => {
                if let Some(name) = name {
                    self.name.clone_from(name);
                }
                if let Some(road) = road {
                    self.road.clone_from(road);
                }
                if let Some(latitude) = latitude {
                    self.latitude = *latitude;
                }
                if let Some(longitude) = longitude {
                    self.longitude = *longitude;
                }
                if altitude_m.is_some() {
                    self.altitude_m = *altitude_m;
                }
            }
            RadarEvent::RadarSpeedLimitChanged { max_speed_kmh, .. } => {
                self.max_speed_kmh = *max_speed_kmh;
            }
            RadarEvent::RadarStatusChanged { status, .. } => self.status = *status,
            RadarEvent::OverspeedDetected(_) => self.detections_count += 1,
        }
    }

    fn unique_claims(event: &RadarEvent) -> Vec<UniqueClaim> {
        match event {
            RadarEvent::OverspeedDetected(d) => vec![UniqueClaim {
                scope: DETECTION_ID_SCOPE,
                value: d.detection_id.to_string(),
            }],
            _ => Vec::new(),
        }
    }
}
