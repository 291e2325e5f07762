//! The kinds of vehicle the registry knows.

use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum VehicleType {
    /// Only the placeholder of a state that does not exist yet; never defaulted from input.
    #[default]
    Car,
    Motorcycle,
    Bus,
    Truck,
}

impl VehicleType {
    /// The wire names, for `Input::one_of`.
    pub const CHOICES: &'static [(&'static str, VehicleType)] = &[
        ("CAR", VehicleType::Car),
        ("MOTORCYCLE", VehicleType::Motorcycle),
        ("BUS", VehicleType::Bus),
        ("TRUCK", VehicleType::Truck),
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Car => "CAR",
            Self::Motorcycle => "MOTORCYCLE",
            Self::Bus => "BUS",
            Self::Truck => "TRUCK",
        }
    }
}

impl fmt::Display for VehicleType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_names_agree_with_serde() {
        for (name, kind) in VehicleType::CHOICES {
            assert_eq!(serde_json::to_value(kind).unwrap(), *name);
            assert_eq!(kind.as_str(), *name);
        }
    }
}
