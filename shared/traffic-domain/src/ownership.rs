//! The infraction service's own view of who owned which plate when (SPEC §4.3), built from the
//! registration events it receives. Queues deliver those events at least once and in no
//! guaranteed order, so recording is idempotent and order-tolerant.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::registration::vehicle::VehicleEvent;

/// From `since` on (until the next entry), the plate belonged to `owner_id`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct OwnershipEntry {
    #[serde(with = "es_core::time::rfc3339_millis")]
    pub since: DateTime<Utc>,
    pub owner_id: Uuid,
}

/// One plate's owners over time. Small: one entry per registration or transfer.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "StoredHistory")]
pub struct OwnershipHistory {
    /// Sorted by `(since, owner_id)`, without duplicates.
    entries: Vec<OwnershipEntry>,
}

/// Whatever is read back is re-sorted, so the invariant holds even for hand-edited items.
#[derive(Deserialize)]
struct StoredHistory {
    #[serde(default)]
    entries: Vec<OwnershipEntry>,
}

impl From<StoredHistory> for OwnershipHistory {
    fn from(stored: StoredHistory) -> Self {
        let mut history = Self::default();
        for entry in stored.entries {
            history.record(entry.since, entry.owner_id);
        }
        history
    }
}

impl OwnershipHistory {
    pub fn new() -> Self {
        Self::default()
    }

    /// Records that the plate belongs to `owner_id` from `since` on. Returns whether the
    /// history changed (false for a redelivered entry).
    pub fn record(&mut self, since: DateTime<Utc>, owner_id: Uuid) -> bool {
        let entry = OwnershipEntry { since, owner_id };
        match self.entries.binary_search(&entry) {
            Ok(_) => false,
            Err(position) => {
                self.entries.insert(position, entry);
                true
            }
        }
    }

    /// Records a `VehicleRegistered` or `VehicleOwnershipTransferred` that occurred at
    /// `occurred_at` (its envelope's time); other vehicle events change no ownership.
    pub fn record_event(&mut self, event: &VehicleEvent, occurred_at: DateTime<Utc>) -> bool {
        match event {
            VehicleEvent::VehicleRegistered { owner_id, .. }
            | VehicleEvent::VehicleOwnershipTransferred { owner_id, .. } => {
                self.record(occurred_at, *owner_id)
            }
            VehicleEvent::VehicleDetailsChanged { .. } => false,
        }
    }

    /// Who owned the plate at `at`: the latest entry since `at` or before. When every entry
    /// is later (the plate was registered after the detection), the first owner: SPEC §4.3
    /// charges a plate registered later to that owner. `None` for a plate never registered.
    pub fn owner_at(&self, at: DateTime<Utc>) -> Option<Uuid> {
        let after = self.entries.partition_point(|e| e.since <= at);
        let entry = match after {
            0 => self.entries.first(),
            n => self.entries.get(n - 1),
        };
        entry.map(|e| e.owner_id)
    }

    pub fn current_owner(&self) -> Option<Uuid> {
        self.entries.last().map(|e| e.owner_id)
    }

    /// Oldest first.
    pub fn entries(&self) -> &[OwnershipEntry] {
        &self.entries
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plate::Plate;
    use crate::registration::vehicle::VehicleType;
    use crate::testing::at;

    fn alice() -> Uuid {
        Uuid::from_u128(0xA11CE)
    }

    fn bob() -> Uuid {
        Uuid::from_u128(0xB0B)
    }

    fn registered_then_sold() -> OwnershipHistory {
        let mut history = OwnershipHistory::new();
        assert!(history.record(at("2026-01-01T00:00:00Z"), alice()));
        assert!(history.record(at("2026-06-01T12:00:00Z"), bob()));
        history
    }

    #[test]
    fn nobody_owns_a_plate_never_registered() {
        let history = OwnershipHistory::new();
        assert!(history.is_empty());
        assert_eq!(history.owner_at(at("2026-03-01T00:00:00Z")), None);
        assert_eq!(history.current_owner(), None);
    }

    #[test]
    fn before_and_after_a_transfer() {
        let history = registered_then_sold();
        assert_eq!(history.owner_at(at("2026-03-01T00:00:00Z")), Some(alice()));
        assert_eq!(
            history.owner_at(at("2026-06-01T11:59:59.999Z")),
            Some(alice())
        );
        assert_eq!(history.owner_at(at("2026-07-01T00:00:00Z")), Some(bob()));
        assert_eq!(history.current_owner(), Some(bob()));
    }

    #[test]
    fn at_the_instant_of_a_transfer_the_new_owner_owns_it() {
        let history = registered_then_sold();
        assert_eq!(history.owner_at(at("2026-06-01T12:00:00Z")), Some(bob()));
        assert_eq!(history.owner_at(at("2026-01-01T00:00:00Z")), Some(alice()));
    }

    #[test]
    fn a_detection_before_registration_goes_to_the_first_owner() {
        let history = registered_then_sold();
        assert_eq!(history.owner_at(at("2025-12-31T23:59:59Z")), Some(alice()));
    }

    #[test]
    fn out_of_order_recording_gives_the_same_history() {
        let mut history = OwnershipHistory::new();
        history.record(at("2026-06-01T12:00:00Z"), bob());
        history.record(at("2026-01-01T00:00:00Z"), alice());
        assert_eq!(history, registered_then_sold());
        assert_eq!(history.owner_at(at("2026-03-01T00:00:00Z")), Some(alice()));
        assert_eq!(history.current_owner(), Some(bob()));
    }

    #[test]
    fn a_redelivered_entry_is_kept_once() {
        let mut history = registered_then_sold();
        assert!(!history.record(at("2026-01-01T00:00:00Z"), alice()));
        assert!(!history.record(at("2026-06-01T12:00:00Z"), bob()));
        assert_eq!(history.entries().len(), 2);
        assert_eq!(history, registered_then_sold());
    }

    #[test]
    fn records_registrations_and_transfers_only() {
        let plate = Plate::parse("AB12").unwrap();
        let mut history = OwnershipHistory::new();
        let registered = VehicleEvent::VehicleRegistered {
            plate: plate.clone(),
            owner_id: alice(),
            vehicle_type: VehicleType::Car,
            brand: "b".into(),
            model: "m".into(),
            fiscal_power: 4,
        };
        let changed = VehicleEvent::VehicleDetailsChanged {
            vehicle_type: None,
            brand: Some("c".into()),
            model: None,
            fiscal_power: None,
        };
        let transferred = VehicleEvent::VehicleOwnershipTransferred {
            plate,
            previous_owner_id: alice(),
            owner_id: bob(),
        };
        assert!(history.record_event(&transferred, at("2026-06-01T12:00:00Z")));
        assert!(!history.record_event(&changed, at("2026-03-01T00:00:00Z")));
        assert!(history.record_event(&registered, at("2026-01-01T00:00:00Z")));
        assert!(!history.record_event(&registered, at("2026-01-01T00:00:00Z")));
        assert_eq!(history, registered_then_sold());
    }

    #[test]
    fn round_trips_and_resorts_what_it_reads() {
        let history = registered_then_sold();
        let json = serde_json::to_value(&history).unwrap();
        assert_eq!(json["entries"][0]["since"], "2026-01-01T00:00:00.000Z");
        let back: OwnershipHistory = serde_json::from_value(json.clone()).unwrap();
        assert_eq!(back, history);

        let mut shuffled = json;
        shuffled["entries"].as_array_mut().unwrap().reverse();
        let entry = shuffled["entries"][0].clone();
        shuffled["entries"].as_array_mut().unwrap().push(entry);
        let back: OwnershipHistory = serde_json::from_value(shuffled).unwrap();
        assert_eq!(back, history);
    }
}
