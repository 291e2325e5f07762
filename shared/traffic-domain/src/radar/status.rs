//! Whether a radar is in service.

use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum RadarStatus {
    /// Only an active radar records detections.
    #[default]
    Active,
    OutOfOrder,
    Off,
}

impl RadarStatus {
    /// The wire names, for `Input::one_of`.
    pub const CHOICES: &'static [(&'static str, RadarStatus)] = &[
        ("ACTIVE", RadarStatus::Active),
        ("OUT_OF_ORDER", RadarStatus::OutOfOrder),
        ("OFF", RadarStatus::Off),
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "ACTIVE",
            Self::OutOfOrder => "OUT_OF_ORDER",
            Self::Off => "OFF",
        }
    }
}

impl fmt::Display for RadarStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_names_agree_with_serde() {
        for (name, status) in RadarStatus::CHOICES {
            assert_eq!(serde_json::to_value(status).unwrap(), *name);
            assert_eq!(status.as_str(), *name);
        }
    }
}
