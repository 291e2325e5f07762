//! The radar aggregate (SPEC §4.1): installed, reconfigured, and the source of every
//! `OverspeedDetected`.

mod commands;
mod error;
mod events;
mod status;
#[cfg(test)]
mod tests;

pub use commands::{
    ChangeRadarDetails, ChangeRadarStatus, ChangeSpeedLimit, InstallRadar, RadarCommand,
    RecordDetection,
};
pub use error::RadarError;
pub use events::{OverspeedDetection, RadarEvent};
pub use status::RadarStatus;

use es_core::{Aggregate, UniqueClaim};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::ids::infraction_id_for;

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

    /// The radar's id, or `NotFound`: every command but `Install` needs an installed radar.
    fn existing(&self) -> Result<Uuid, RadarError> {
        self.radar_id.ok_or(RadarError::NotFound)
    }

    fn install(&self, c: &InstallRadar) -> Result<Vec<RadarEvent>, RadarError> {
        if self.exists() {
            return Err(RadarError::AlreadyInstalled);
        }
        Ok(vec![RadarEvent::RadarInstalled {
            radar_id: c.radar_id,
            name: c.name.clone(),
            road: c.road.clone(),
            latitude: c.latitude,
            longitude: c.longitude,
            altitude_m: c.altitude_m,
            max_speed_kmh: c.max_speed_kmh,
            status: c.status,
        }])
    }

    fn change_details(&self, c: &ChangeRadarDetails) -> Vec<RadarEvent> {
        // Only what actually changes is recorded; nothing changing records nothing.
        fn changed<T: Clone + PartialEq>(new: &Option<T>, current: &T) -> Option<T> {
            new.as_ref().filter(|new| *new != current).cloned()
        }
        let name = changed(&c.name, &self.name);
        let road = changed(&c.road, &self.road);
        let latitude = changed(&c.latitude, &self.latitude);
        let longitude = changed(&c.longitude, &self.longitude);
        let altitude_m = c.altitude_m.filter(|new| Some(*new) != self.altitude_m);
        if name.is_none()
            && road.is_none()
            && latitude.is_none()
            && longitude.is_none()
            && altitude_m.is_none()
        {
            return Vec::new();
        }
        vec![RadarEvent::RadarDetailsChanged {
            name,
            road,
            latitude,
            longitude,
            altitude_m,
        }]
    }

    fn change_speed_limit(&self, c: &ChangeSpeedLimit) -> Vec<RadarEvent> {
        if c.max_speed_kmh == self.max_speed_kmh {
            return Vec::new();
        }
        vec![RadarEvent::RadarSpeedLimitChanged {
            max_speed_kmh: c.max_speed_kmh,
            previous_max_speed_kmh: self.max_speed_kmh,
        }]
    }

    fn change_status(&self, c: &ChangeRadarStatus) -> Vec<RadarEvent> {
        if c.status == self.status {
            return Vec::new();
        }
        vec![RadarEvent::RadarStatusChanged {
            status: c.status,
            previous_status: self.status,
        }]
    }

    fn record_detection(
        &self,
        radar_id: Uuid,
        c: &RecordDetection,
    ) -> Result<Vec<RadarEvent>, RadarError> {
        if self.status != RadarStatus::Active {
            return Err(RadarError::NotActive {
                status: self.status,
            });
        }
        if c.speed_kmh <= self.max_speed_kmh {
            return Err(RadarError::NotAnOverspeed {
                speed_kmh: c.speed_kmh,
                max_speed_kmh: self.max_speed_kmh,
            });
        }
        Ok(vec![RadarEvent::OverspeedDetected(OverspeedDetection {
            detection_id: c.detection_id,
            infraction_id: infraction_id_for(c.detection_id),
            radar_id,
            plate: c.plate.clone(),
            speed_kmh: c.speed_kmh,
            max_speed_kmh: self.max_speed_kmh,
            excess_kmh: c.speed_kmh - self.max_speed_kmh,
            detected_at: c.detected_at,
            latitude: self.latitude,
            longitude: self.longitude,
            road: self.road.clone(),
        })])
    }
}

impl Aggregate for Radar {
    const TYPE: &'static str = "radar";

    type Command = RadarCommand;
    type Event = RadarEvent;
    type Error = RadarError;

    fn handle(&self, command: &RadarCommand) -> Result<Vec<RadarEvent>, RadarError> {
        match command {
            RadarCommand::Install(c) => self.install(c),
            RadarCommand::ChangeDetails(c) => self.existing().map(|_| self.change_details(c)),
            RadarCommand::ChangeSpeedLimit(c) => {
                self.existing().map(|_| self.change_speed_limit(c))
            }
            RadarCommand::ChangeStatus(c) => self.existing().map(|_| self.change_status(c)),
            RadarCommand::RecordDetection(c) => {
                let radar_id = self.existing()?;
                self.record_detection(radar_id, c)
            }
        }
    }

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
