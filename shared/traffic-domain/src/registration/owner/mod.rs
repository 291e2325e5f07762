//! The owner aggregate (SPEC §4.2), whose personal data is sealed with the owner's own key
//! and can be erased (SPEC §7): the owner stays, with its vehicles and infractions.

mod commands;
mod error;
mod events;
#[cfg(test)]
mod tests;

pub use commands::*;
pub use error::OwnerError;
pub use events::OwnerEvent;

use es_core::{Aggregate, Sealed, UniqueClaim};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Scope of the guard that keeps `national_id` unique among owners. The guard holds the
/// national id's fingerprint (a keyed hash), never the value.
pub const NATIONAL_ID_SCOPE: &str = "owner.national_id";

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Owner {
    /// `None` until the owner is registered.
    pub owner_id: Option<Uuid>,
    /// The owner's personal data, sealed with the owner's key: `None` until the owner is
    /// registered and once it is erased (a snapshot taken after erasure holds none of it).
    pub personal: Option<OwnerPersonalData>,
}

/// The fields of [`OwnerPersonalData`] as the API and the events name them (each value is
/// sealed under its name): every field of an owner's request body.
pub const OWNER_PERSONAL_FIELDS: [&str; 6] = [
    "name",
    "birth_date",
    "email",
    "phone",
    "address",
    "national_id",
];

/// What SPEC §7 calls an owner's personal data, each value sealed under its field's name.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OwnerPersonalData {
    pub name: Sealed,
    /// `YYYY-MM-DD`, sealed.
    pub birth_date: Sealed,
    pub email: Sealed,
    pub phone: Option<Sealed>,
    pub address: Option<Sealed>,
    pub national_id: Sealed,
}

impl Owner {
    pub fn exists(&self) -> bool {
        self.owner_id.is_some()
    }

    /// A registered owner whose personal data was erased.
    pub fn is_erased(&self) -> bool {
        self.exists() && self.personal.is_none()
    }
}

impl Aggregate for Owner {
    const TYPE: &'static str = "owner";
    /// 2: the personal data became sealed and erasable.
    const SNAPSHOT_SCHEMA: u32 = 2;

    type Command = OwnerCommand;
    type Event = OwnerEvent;
    type Error = OwnerError;

    fn apply(&mut self, event: &OwnerEvent) {
        match event {
            OwnerEvent::OwnerRegistered {
                owner_id,
                name,
                birth_date,
                email,
                phone,
                address,
                national_id,
                national_id_fingerprint: _,
            } => {
                *self = Self {
                    owner_id: Some(*owner_id),
                    personal: Some(OwnerPersonalData {
                        name: name.clone(),
                        birth_date: birth_date.clone(),
                        email: email.clone(),
                        phone: phone.clone(),
                        address: address.clone(),
                        national_id: national_id.clone(),
                    }),
                };
            }
            OwnerEvent::OwnerDetailsChanged {
                name,
                birth_date,
                email,
                phone,
                address,
            } => {
                let Some(personal) = &mut self.personal else {
                    return;
                };
                if let Some(name) = name {
                    personal.name.clone_from(name);
                }
                if let Some(birth_date) = birth_date {
                    personal.birth_date.clone_from(birth_date);
                }
                if let Some(email) = email {
                    personal.email.clone_from(email);
                }
                if phone.is_some() {
                    personal.phone.clone_from(phone);
                }
                if address.is_some() {
                    personal.address.clone_from(address);
                }
            }
            OwnerEvent::OwnerPersonalDataErased {} => self.personal = None,
        }
    }

    fn unique_claims(event: &OwnerEvent) -> Vec<UniqueClaim> {
        match event {
            OwnerEvent::OwnerRegistered {
                national_id_fingerprint,
                ..
            } => vec![UniqueClaim {
                scope: NATIONAL_ID_SCOPE,
                value: national_id_fingerprint.clone(),
            }],
            OwnerEvent::OwnerDetailsChanged { .. } | OwnerEvent::OwnerPersonalDataErased {} => {
                Vec::new()
            }
        }
    }
}
