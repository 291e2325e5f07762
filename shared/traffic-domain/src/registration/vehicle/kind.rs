//! The kinds of vehicle the registry knows.

use serde::{Deserialize, Serialize};

/// Named on the wire as serde and strum both spell it (`MOTORCYCLE`): `Display`, `as_str`
/// and `Input::one_of` (over `VARIANTS`) read the same names.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Default,
    Serialize,
    Deserialize,
    strum::Display,
    strum::IntoStaticStr,
    strum::VariantArray,
)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[strum(serialize_all = "SCREAMING_SNAKE_CASE")]
pub enum VehicleType {
    /// Only the placeholder of a state that does not exist yet; never defaulted from input.
    #[default]
    Car,
    Motorcycle,
    Bus,
    Truck,
}

impl VehicleType {
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

#[cfg(test)]
#[test]
fn wire_names_agree_with_serde() {
    es_core::testing::wire_names::<VehicleType>(&["CAR", "MOTORCYCLE", "BUS", "TRUCK"]);
}
