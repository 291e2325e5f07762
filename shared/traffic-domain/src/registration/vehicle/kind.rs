//! The kinds of vehicle the registry knows.

es_core::wire_enum! {
    "SCREAMING_SNAKE_CASE",
    /// `CAR`, `MOTORCYCLE`, `BUS` or `TRUCK` on the wire.
    #[derive(Default)]
    pub enum VehicleType {
        /// Only the placeholder of a state that does not exist yet; never defaulted from input.
        #[default]
        Car,
        Motorcycle,
        Bus,
        Truck,
    }
}

#[cfg(test)]
#[test]
fn wire_names_agree_with_serde() {
    es_core::testing::wire_names::<VehicleType>(&["CAR", "MOTORCYCLE", "BUS", "TRUCK"]);
}
