//! Whether a radar is in service.

es_core::wire_enum! {
    "SCREAMING_SNAKE_CASE",
    /// `ACTIVE`, `OUT_OF_ORDER` or `OFF` on the wire.
    #[derive(Default)]
    pub enum RadarStatus {
        /// Only an active radar records detections.
        #[default]
        Active,
        OutOfOrder,
        Off,
    }
}

#[cfg(test)]
#[test]
fn wire_names_agree_with_serde() {
    es_core::testing::wire_names::<RadarStatus>(&["ACTIVE", "OUT_OF_ORDER", "OFF"]);
}
