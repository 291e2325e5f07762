//! The infraction service's record of one plate (PlateOwnersTable), written only by the
//! infraction policy.

use aws_sdk_dynamodb::types::AttributeValue;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeSet, HashMap};
use traffic_domain::OwnershipHistory;
use uuid::Uuid;

/// Who owned the plate when, the infractions of the plate still waiting for an owner, and a
/// revision for optimistic concurrency.
///
/// Stored as native attributes: `plate` (S, the key), `history` (M), `pending` (a string set,
/// absent when empty: DynamoDB has no empty sets, and a set lets a single `DELETE` remove ids
/// idempotently) and `revision` (N, bumped by every write that must not be lost).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PlateOwners {
    pub plate: String,
    #[serde(default)]
    pub history: OwnershipHistory,
    /// Ids of this plate's `PENDING_OWNER` infractions.
    #[serde(
        default,
        with = "serde_dynamo::string_set",
        skip_serializing_if = "BTreeSet::is_empty"
    )]
    pub pending: BTreeSet<Uuid>,
    /// 0 until the item first exists.
    #[serde(default)]
    pub revision: u64,
}

impl PlateOwners {
    pub const PLATE: &'static str = "plate";
    pub const HISTORY: &'static str = "history";
    pub const PENDING: &'static str = "pending";
    pub const REVISION: &'static str = "revision";

    /// The record of a plate never seen.
    pub fn new(plate: impl Into<String>) -> Self {
        Self {
            plate: plate.into(),
            ..Self::default()
        }
    }

    /// The record an item holds (missing attributes read as empty).
    pub fn from_item(item: HashMap<String, AttributeValue>) -> Result<Self, ItemError> {
        serde_dynamo::from_item(item)
    }

    /// The whole record as an item.
    pub fn to_item(&self) -> Result<HashMap<String, AttributeValue>, ItemError> {
        serde_dynamo::to_item(self)
    }

    /// The `history` attribute's value.
    pub fn history_attribute(&self) -> Result<AttributeValue, ItemError> {
        serde_dynamo::to_attribute_value(&self.history)
    }

    /// A string set of infraction ids, to `ADD` to or `DELETE` from `pending`; `None` when
    /// there are none (DynamoDB has no empty sets).
    pub fn ids_attribute<'a>(ids: impl IntoIterator<Item = &'a Uuid>) -> Option<AttributeValue> {
        let ids: Vec<String> = ids.into_iter().map(Uuid::to_string).collect();
        (!ids.is_empty()).then_some(AttributeValue::Ss(ids))
    }
}

/// An item that is not a `PlateOwners` record, or a record that does not convert.
pub type ItemError = serde_dynamo::Error;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::at;

    /// `AB123CD`, owned by one owner since 2026.
    fn owned_since_new_year() -> PlateOwners {
        let mut record = PlateOwners::new("AB123CD");
        record
            .history
            .record(at("2026-01-01T00:00:00Z"), Uuid::from_u128(0xA));
        record
    }

    #[test]
    fn stored_as_native_attributes() {
        let mut record = owned_since_new_year();
        record.pending.insert(Uuid::from_u128(2));
        record.pending.insert(Uuid::from_u128(1));
        record.revision = 3;
        let item = record.to_item().unwrap();
        assert_eq!(item["plate"], AttributeValue::S("AB123CD".into()));
        assert_eq!(item["revision"], AttributeValue::N("3".into()));
        assert!(matches!(item["history"], AttributeValue::M(_)));
        assert_eq!(
            item["pending"],
            AttributeValue::Ss(vec![
                Uuid::from_u128(1).to_string(),
                Uuid::from_u128(2).to_string()
            ])
        );
        assert_eq!(PlateOwners::from_item(item).unwrap(), record);
    }

    #[test]
    fn no_pending_means_no_set() {
        let record = PlateOwners::new("AB123CD");
        let item = record.to_item().unwrap();
        assert!(!item.contains_key("pending"));
        assert_eq!(PlateOwners::from_item(item).unwrap(), record);
        // An item with only its key (as an UpdateItem may leave it) reads as empty.
        let bare = HashMap::from([("plate".to_owned(), AttributeValue::S("X1".into()))]);
        assert_eq!(
            PlateOwners::from_item(bare).unwrap(),
            PlateOwners::new("X1")
        );
    }

    #[test]
    fn attributes_for_updates() {
        let record = owned_since_new_year();
        assert!(matches!(
            record.history_attribute().unwrap(),
            AttributeValue::M(_)
        ));
        assert_eq!(PlateOwners::ids_attribute(&BTreeSet::new()), None);
        assert_eq!(
            PlateOwners::ids_attribute(&[Uuid::from_u128(1)]),
            Some(AttributeValue::Ss(vec![Uuid::from_u128(1).to_string()]))
        );
        let item = record.to_item().unwrap();
        assert_eq!(PlateOwners::from_item(item).unwrap(), record);
    }
}
