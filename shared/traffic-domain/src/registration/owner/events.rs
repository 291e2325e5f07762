//! What happened to an owner (SPEC §4.2). Variant names are the `event_type`s.
//!
//! Personal values are [`Sealed`] for the owner (SPEC §7): once the owner's key is destroyed
//! no event yields them. Each is sealed under its field's name (`name`, `birth_date`, …).

use es_core::{DomainEvent, Sealed};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(tag = "event_type", content = "data")]
pub enum OwnerEvent {
    OwnerRegistered {
        owner_id: Uuid,
        name: Sealed,
        /// `YYYY-MM-DD`, sealed.
        birth_date: Sealed,
        email: Sealed,
        #[serde(default)]
        phone: Option<Sealed>,
        #[serde(default)]
        address: Option<Sealed>,
        /// Normalised (trimmed, upper case), sealed.
        national_id: Sealed,
        /// The keyed hash of the normalised national id that keeps it unique among owners
        /// (the guard holds this, never the value).
        national_id_fingerprint: String,
    },
    /// Carries only the fields that changed.
    OwnerDetailsChanged {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        name: Option<Sealed>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        birth_date: Option<Sealed>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        email: Option<Sealed>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        phone: Option<Sealed>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        address: Option<Sealed>,
    },
    /// The owner's key was destroyed (`DELETE /owners/{owner_id}/personal-data`): the state
    /// and the views forget the sealed values; the owner, its vehicles and infractions stay.
    OwnerPersonalDataErased {},
}

impl DomainEvent for OwnerEvent {}
