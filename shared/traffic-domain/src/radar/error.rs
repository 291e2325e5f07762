//! Why a radar refuses a command.

use super::RadarStatus;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RadarError {
    #[error("the radar does not exist")]
    NotFound,
    #[error("this radar is already installed")]
    AlreadyInstalled,
    #[error("the radar is {status}: only an ACTIVE radar records detections")]
    NotActive { status: RadarStatus },
    #[error("{speed_kmh} km/h does not exceed the limit of {max_speed_kmh} km/h")]
    NotAnOverspeed { speed_kmh: u32, max_speed_kmh: u32 },
}

es_core::rejections!(RadarError {
    NotFound => (NotFound, "not_found"),
    AlreadyInstalled => (Conflict, "radar_already_installed"),
    NotActive => (BusinessRule, "radar_not_active"),
    NotAnOverspeed => (BusinessRule, "not_an_overspeed"),
});
