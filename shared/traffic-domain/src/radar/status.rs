//! Whether a radar is in service.

use serde::{Deserialize, Serialize};

/// Named on the wire as serde and strum both spell it (`OUT_OF_ORDER`): `Display`, `as_str`
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
pub enum RadarStatus {
    /// Only an active radar records detections.
    #[default]
    Active,
    OutOfOrder,
    Off,
}

impl RadarStatus {
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

#[cfg(test)]
#[test]
fn wire_names_agree_with_serde() {
    es_core::testing::wire_names::<RadarStatus>(&["ACTIVE", "OUT_OF_ORDER", "OFF"]);
}
