//! What can be asked of a radar: each command, validated from its request body, and the
//! decision it asks of the radar.

use chrono::{DateTime, Duration, Utc};
use es_core::{Decide, Input, ValidationError};
use serde_json::Value;
use std::ops::RangeInclusive;
use strum::VariantArray;
use uuid::Uuid;

use super::{OverspeedDetection, Radar, RadarError, RadarEvent, RadarStatus};
use crate::change::{changed, changed_opt, replaced};
use crate::ids::infraction_id_for;
use crate::plate::{read_plate, Plate};

const NAME_LEN: RangeInclusive<usize> = 1..=100;
const ROAD_LEN: RangeInclusive<usize> = 1..=100;
const LATITUDE: RangeInclusive<f64> = -90.0..=90.0;
const LONGITUDE: RangeInclusive<f64> = -180.0..=180.0;
/// From the Dead Sea shore to well above any road.
const ALTITUDE_M: RangeInclusive<f64> = -500.0..=9000.0;
const MAX_SPEED_KMH: RangeInclusive<i64> = 5..=300;
const SPEED_KMH: RangeInclusive<i64> = 1..=500;
/// Radar clocks drift; a detection a little ahead of ours is still plausible.
const CLOCK_SKEW_MINUTES: i64 = 5;

/// Built from any of its single commands (`From`, derived).
#[derive(Debug, Clone, PartialEq, derive_more::From)]
pub enum RadarCommand {
    Install(InstallRadar),
    ChangeDetails(ChangeRadarDetails),
    ChangeSpeedLimit(ChangeSpeedLimit),
    ChangeStatus(ChangeRadarStatus),
    RecordDetection(RecordDetection),
}

/// A radar's fields in a request body, in the order of SPEC §4.1.
const RADAR_FIELDS: [&str; 7] = [
    "name",
    "road",
    "latitude",
    "longitude",
    "altitude_m",
    "max_speed_kmh",
    "status",
];

/// `POST /radars`
#[derive(Debug, Clone, PartialEq)]
pub struct InstallRadar {
    pub radar_id: Uuid,
    pub name: String,
    pub road: String,
    pub latitude: f64,
    pub longitude: f64,
    pub altitude_m: Option<f64>,
    pub max_speed_kmh: u32,
    pub status: RadarStatus,
}

impl InstallRadar {
    pub fn from_json(radar_id: Uuid, body: &Value) -> Result<Self, ValidationError> {
        let mut input = Input::object(body, &RADAR_FIELDS);
        let details = ChangeRadarDetails::read(&mut input, true);
        let max_speed_kmh = input.int("max_speed_kmh", MAX_SPEED_KMH) as u32;
        let status = input
            .opt_one_of("status", RadarStatus::VARIANTS)
            .unwrap_or_default();
        input.finish()?;
        // The placeholders of absent required details never escape: `finish` refused them.
        Ok(Self {
            radar_id,
            name: details.name.unwrap_or_default(),
            road: details.road.unwrap_or_default(),
            latitude: details.latitude.unwrap_or_default(),
            longitude: details.longitude.unwrap_or_default(),
            altitude_m: details.altitude_m,
            max_speed_kmh,
            status,
        })
    }
}

/// `PATCH /radars/{radar_id}`: the fields to set; at least one.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ChangeRadarDetails {
    pub name: Option<String>,
    pub road: Option<String>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub altitude_m: Option<f64>,
}

impl ChangeRadarDetails {
    /// What `PATCH` may change: the limit and the status have their own routes.
    const FIELDS: &'static [&'static str] = RADAR_FIELDS.split_at(5).0;

    pub fn from_json(body: &Value) -> Result<Self, ValidationError> {
        // The limit and the status have their own routes; say so rather than "unknown field".
        let mut input = Input::object(body, &RADAR_FIELDS);
        let details = Self::read(&mut input, false);
        if input.has_any(&["max_speed_kmh"]) {
            input.problem(
                "max_speed_kmh",
                "cannot be changed here: use PUT /radars/{radar_id}/speed-limit",
            );
        }
        if input.has_any(&["status"]) {
            input.problem(
                "status",
                "cannot be changed here: use PUT /radars/{radar_id}/status",
            );
        }
        input.require_any(Self::FIELDS);
        input.finish()?;
        Ok(details)
    }

    /// The details an installation and a `PATCH` both give; an installation requires all but
    /// the altitude (`is_required`).
    fn read(input: &mut Input<'_>, is_required: bool) -> Self {
        Self {
            name: input.required_if("name", is_required, |i, f| i.opt_string(f, NAME_LEN)),
            road: input.required_if("road", is_required, |i, f| i.opt_string(f, ROAD_LEN)),
            latitude: input.required_if("latitude", is_required, |i, f| i.opt_number(f, LATITUDE)),
            longitude: input
                .required_if("longitude", is_required, |i, f| i.opt_number(f, LONGITUDE)),
            altitude_m: input.opt_number("altitude_m", ALTITUDE_M),
        }
    }
}

es_core::single_field_command! {
    /// `PUT /radars/{radar_id}/speed-limit`
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub struct ChangeSpeedLimit {
        pub max_speed_kmh: u32 = |input, field| input.int(field, MAX_SPEED_KMH) as u32
    }
}

es_core::single_field_command! {
    /// `PUT /radars/{radar_id}/status`
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub struct ChangeRadarStatus {
        pub status: RadarStatus = |input, field| input.one_of(field, RadarStatus::VARIANTS)
    }
}

/// `POST /radars/{radar_id}/detections`
#[derive(Debug, Clone, PartialEq)]
pub struct RecordDetection {
    /// Chosen by the radar so that resending a detection is harmless; else by the server.
    pub detection_id: Uuid,
    pub plate: Plate,
    pub speed_kmh: u32,
    pub detected_at: DateTime<Utc>,
}

impl RecordDetection {
    /// `generated_detection_id` is used when the body has no `detection_id`; `now` bounds
    /// `detected_at`.
    pub fn from_json(
        body: &Value,
        now: DateTime<Utc>,
        generated_detection_id: Uuid,
    ) -> Result<Self, ValidationError> {
        let mut input = Input::object(body, &["plate", "speed_kmh", "detected_at", "detection_id"]);
        let plate = read_plate(&mut input, "plate");
        let speed_kmh = input.int("speed_kmh", SPEED_KMH) as u32;
        // A bad or missing time reads as the epoch, which is never in the future.
        let detected_at = input.time("detected_at");
        if detected_at > now + Duration::minutes(CLOCK_SKEW_MINUTES) {
            input.problem("detected_at", "must not be in the future");
        }
        let detection_id = input
            .opt_uuid("detection_id")
            .unwrap_or(generated_detection_id);
        input.finish()?;
        Ok(Self {
            detection_id,
            plate,
            speed_kmh,
            detected_at,
        })
    }
}

// The decisions: what a radar in a given state records for each command, or why it refuses.

impl Decide<Radar> for RadarCommand {
    fn decide(&self, radar: &Radar) -> Result<Vec<RadarEvent>, RadarError> {
        match self {
            Self::Install(c) => c.decide(radar),
            Self::ChangeDetails(c) => existing(radar).map(|_| c.decide(radar)),
            Self::ChangeSpeedLimit(c) => existing(radar).map(|_| c.decide(radar)),
            Self::ChangeStatus(c) => existing(radar).map(|_| c.decide(radar)),
            Self::RecordDetection(c) => c.decide(existing(radar)?, radar),
        }
    }
}

/// The radar's id, or `NotFound`: every command but `Install` needs an installed radar.
fn existing(radar: &Radar) -> Result<Uuid, RadarError> {
    radar.radar_id.ok_or(RadarError::NotFound)
}

impl InstallRadar {
    fn decide(&self, radar: &Radar) -> Result<Vec<RadarEvent>, RadarError> {
        if radar.exists() {
            return Err(RadarError::AlreadyInstalled);
        }
        Ok(vec![RadarEvent::RadarInstalled {
            radar_id: self.radar_id,
            name: self.name.clone(),
            road: self.road.clone(),
            latitude: self.latitude,
            longitude: self.longitude,
            altitude_m: self.altitude_m,
            max_speed_kmh: self.max_speed_kmh,
            status: self.status,
        }])
    }
}

impl ChangeRadarDetails {
    fn decide(&self, radar: &Radar) -> Vec<RadarEvent> {
        let name = changed(&self.name, &radar.name);
        let road = changed(&self.road, &radar.road);
        let latitude = changed(&self.latitude, &radar.latitude);
        let longitude = changed(&self.longitude, &radar.longitude);
        let altitude_m = changed_opt(&self.altitude_m, &radar.altitude_m);
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
}

impl ChangeSpeedLimit {
    fn decide(&self, radar: &Radar) -> Vec<RadarEvent> {
        replaced(
            self.max_speed_kmh,
            radar.max_speed_kmh,
            |max_speed_kmh, previous_max_speed_kmh| RadarEvent::RadarSpeedLimitChanged {
                max_speed_kmh,
                previous_max_speed_kmh,
            },
        )
    }
}

impl ChangeRadarStatus {
    fn decide(&self, radar: &Radar) -> Vec<RadarEvent> {
        replaced(self.status, radar.status, |status, previous_status| {
            RadarEvent::RadarStatusChanged {
                status,
                previous_status,
            }
        })
    }
}

impl RecordDetection {
    fn decide(&self, radar_id: Uuid, radar: &Radar) -> Result<Vec<RadarEvent>, RadarError> {
        if radar.status != RadarStatus::Active {
            return Err(RadarError::NotActive {
                status: radar.status,
            });
        }
        if self.speed_kmh <= radar.max_speed_kmh {
            return Err(RadarError::NotAnOverspeed {
                speed_kmh: self.speed_kmh,
                max_speed_kmh: radar.max_speed_kmh,
            });
        }
        Ok(vec![RadarEvent::OverspeedDetected(OverspeedDetection {
            detection_id: self.detection_id,
            infraction_id: infraction_id_for(self.detection_id),
            radar_id,
            plate: self.plate.clone(),
            speed_kmh: self.speed_kmh,
            max_speed_kmh: radar.max_speed_kmh,
            excess_kmh: self.speed_kmh - radar.max_speed_kmh,
            detected_at: self.detected_at,
            latitude: radar.latitude,
            longitude: radar.longitude,
            road: radar.road.clone(),
        })])
    }
}
