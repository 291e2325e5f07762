//! What can be asked of a radar, validated from request bodies.

use chrono::{DateTime, Duration, Utc};
use es_core::{Input, ValidationError};
use serde_json::Value;
use std::ops::RangeInclusive;
use uuid::Uuid;

use super::RadarStatus;
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

#[derive(Debug, Clone, PartialEq)]
pub enum RadarCommand {
    Install(InstallRadar),
    ChangeDetails(ChangeRadarDetails),
    ChangeSpeedLimit(ChangeSpeedLimit),
    ChangeStatus(ChangeRadarStatus),
    RecordDetection(RecordDetection),
}

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
        let mut input = Input::object(
            body,
            &[
                "name",
                "road",
                "latitude",
                "longitude",
                "altitude_m",
                "max_speed_kmh",
                "status",
            ],
        );
        let name = input.string("name", NAME_LEN);
        let road = input.string("road", ROAD_LEN);
        let latitude = input.number("latitude", LATITUDE);
        let longitude = input.number("longitude", LONGITUDE);
        let altitude_m = input.opt_number("altitude_m", ALTITUDE_M);
        let max_speed_kmh = input.int("max_speed_kmh", MAX_SPEED_KMH) as u32;
        let status = input
            .opt_one_of("status", RadarStatus::CHOICES)
            .unwrap_or_default();
        input.finish()?;
        Ok(Self {
            radar_id,
            name,
            road,
            latitude,
            longitude,
            altitude_m,
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
    const FIELDS: [&'static str; 5] = ["name", "road", "latitude", "longitude", "altitude_m"];

    pub fn from_json(body: &Value) -> Result<Self, ValidationError> {
        // The limit and the status have their own routes; say so rather than "unknown field".
        let mut input = Input::object(
            body,
            &[
                "name",
                "road",
                "latitude",
                "longitude",
                "altitude_m",
                "max_speed_kmh",
                "status",
            ],
        );
        let name = input.opt_string("name", NAME_LEN);
        let road = input.opt_string("road", ROAD_LEN);
        let latitude = input.opt_number("latitude", LATITUDE);
        let longitude = input.opt_number("longitude", LONGITUDE);
        let altitude_m = input.opt_number("altitude_m", ALTITUDE_M);
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
        if body.is_object() && !input.has_any(&Self::FIELDS) {
            input.problem(
                "body",
                "must change at least one of name, road, latitude, longitude, altitude_m",
            );
        }
        input.finish()?;
        Ok(Self {
            name,
            road,
            latitude,
            longitude,
            altitude_m,
        })
    }
}

/// `PUT /radars/{radar_id}/speed-limit`
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChangeSpeedLimit {
    pub max_speed_kmh: u32,
}

impl ChangeSpeedLimit {
    pub fn from_json(body: &Value) -> Result<Self, ValidationError> {
        let mut input = Input::object(body, &["max_speed_kmh"]);
        let max_speed_kmh = input.int("max_speed_kmh", MAX_SPEED_KMH) as u32;
        input.finish()?;
        Ok(Self { max_speed_kmh })
    }
}

/// `PUT /radars/{radar_id}/status`
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChangeRadarStatus {
    pub status: RadarStatus,
}

impl ChangeRadarStatus {
    pub fn from_json(body: &Value) -> Result<Self, ValidationError> {
        let mut input = Input::object(body, &["status"]);
        let status = input.one_of("status", RadarStatus::CHOICES);
        input.finish()?;
        Ok(Self { status })
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

impl From<InstallRadar> for RadarCommand {
    fn from(command: InstallRadar) -> Self {
        Self::Install(command)
    }
}

impl From<ChangeRadarDetails> for RadarCommand {
    fn from(command: ChangeRadarDetails) -> Self {
        Self::ChangeDetails(command)
    }
}

impl From<ChangeSpeedLimit> for RadarCommand {
    fn from(command: ChangeSpeedLimit) -> Self {
        Self::ChangeSpeedLimit(command)
    }
}

impl From<ChangeRadarStatus> for RadarCommand {
    fn from(command: ChangeRadarStatus) -> Self {
        Self::ChangeStatus(command)
    }
}

impl From<RecordDetection> for RadarCommand {
    fn from(command: RecordDetection) -> Self {
        Self::RecordDetection(command)
    }
}
