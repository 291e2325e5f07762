//! Why a radar refuses a command.

use es_core::{DomainError, Rejection, RejectionKind};

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

impl DomainError for RadarError {
    fn rejection(&self) -> Rejection {
        let message = self.to_string();
        match self {
            Self::NotFound => Rejection::new(RejectionKind::NotFound, "not_found", message),
            Self::AlreadyInstalled => Rejection::conflict("radar_already_installed", message),
            Self::NotActive { .. } => Rejection::rule("radar_not_active", message),
            Self::NotAnOverspeed { .. } => Rejection::rule("not_an_overspeed", message),
        }
    }
}
