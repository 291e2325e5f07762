//! What happened to an owner (SPEC §4.2). Variant names are the `event_type`s.

use chrono::NaiveDate;
use es_core::DomainEvent;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(tag = "event_type", content = "data")]
pub enum OwnerEvent {
    OwnerRegistered {
        owner_id: Uuid,
        name: String,
        /// `YYYY-MM-DD`
        birth_date: NaiveDate,
        email: String,
        #[serde(default)]
        phone: Option<String>,
        #[serde(default)]
        address: Option<String>,
        /// Normalised (trimmed, upper case); unique among owners.
        national_id: String,
    },
    /// Carries only the fields that changed.
    OwnerDetailsChanged {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        name: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        birth_date: Option<NaiveDate>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        email: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        phone: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        address: Option<String>,
    },
}

impl DomainEvent for OwnerEvent {}
