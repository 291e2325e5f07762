//! The read-model tables of the contract: the environment variables naming them, their keys
//! and their indexes. The template declares the same layout.

use projection::Index;

/// Environment variables holding the table names (same name, same meaning everywhere).
pub mod env {
    pub const RADARS_TABLE: &str = "RADARS_TABLE";
    pub const OWNERS_TABLE: &str = "OWNERS_TABLE";
    pub const VEHICLES_TABLE: &str = "VEHICLES_TABLE";
    pub const INFRACTIONS_TABLE: &str = "INFRACTIONS_TABLE";
    pub const PLATE_OWNERS_TABLE: &str = "PLATE_OWNERS_TABLE";
}

/// RadarsTable: partition key.
pub const RADARS_KEY: &str = "radar_id";
/// OwnersTable: partition key.
pub const OWNERS_KEY: &str = "owner_id";
/// VehiclesTable: partition key.
pub const VEHICLES_KEY: &str = "plate";
/// InfractionsTable: partition key.
pub const INFRACTIONS_KEY: &str = "infraction_id";
/// PlateOwnersTable: partition key.
pub const PLATE_OWNERS_KEY: &str = "plate";

/// VehiclesTable: an owner's vehicles, by plate.
pub const VEHICLES_BY_OWNER: Index = Index {
    name: "by_owner",
    partition_key: "owner_id",
    sort_key: Some("plate"),
    newest_first: false,
};

/// InfractionsTable: an owner's infractions, newest first (absent while PENDING_OWNER).
pub const INFRACTIONS_BY_OWNER: Index = by_detected_at("by_owner", "owner_id");
/// InfractionsTable: a plate's infractions, newest first.
pub const INFRACTIONS_BY_PLATE: Index = by_detected_at("by_plate", "plate");
/// InfractionsTable: the infractions in a status, newest first.
pub const INFRACTIONS_BY_STATUS: Index = by_detected_at("by_status", "status");
/// InfractionsTable: a radar's infractions, newest first.
pub const INFRACTIONS_BY_RADAR: Index = by_detected_at("by_radar", "radar_id");

const fn by_detected_at(name: &'static str, partition_key: &'static str) -> Index {
    Index {
        name,
        partition_key,
        sort_key: Some("detected_at"),
        newest_first: true,
    }
}

pub const RADAR_INDEXES: &[Index] = &[];
pub const OWNER_INDEXES: &[Index] = &[];
pub const VEHICLE_INDEXES: &[Index] = &[VEHICLES_BY_OWNER];
pub const INFRACTION_INDEXES: &[Index] = &[
    INFRACTIONS_BY_OWNER,
    INFRACTIONS_BY_PLATE,
    INFRACTIONS_BY_STATUS,
    INFRACTIONS_BY_RADAR,
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{InfractionView, OwnerView, RadarView, VehicleView};
    use projection::View;

    #[test]
    fn the_views_use_the_contract_keys() {
        assert_eq!(RadarView::KEY, RADARS_KEY);
        assert_eq!(OwnerView::KEY, OWNERS_KEY);
        assert_eq!(VehicleView::KEY, VEHICLES_KEY);
        assert_eq!(InfractionView::KEY, INFRACTIONS_KEY);
    }

    #[test]
    fn infraction_indexes_sort_on_detected_at_newest_first() {
        let names: Vec<(&str, &str)> = INFRACTION_INDEXES
            .iter()
            .map(|i| (i.name, i.partition_key))
            .collect();
        assert_eq!(
            names,
            [
                ("by_owner", "owner_id"),
                ("by_plate", "plate"),
                ("by_status", "status"),
                ("by_radar", "radar_id")
            ]
        );
        assert!(INFRACTION_INDEXES
            .iter()
            .all(|i| i.sort_key == Some("detected_at") && i.newest_first));
    }
}
