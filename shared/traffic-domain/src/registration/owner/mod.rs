//! The owner aggregate (SPEC §4.2).

mod commands;
mod error;
mod events;
#[cfg(test)]
mod tests;

pub use commands::{ChangeOwnerDetails, OwnerCommand, RegisterOwner};
pub use error::OwnerError;
pub use events::OwnerEvent;

use chrono::NaiveDate;
use es_core::{Aggregate, UniqueClaim};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Scope of the guard that keeps `national_id` unique among owners.
pub const NATIONAL_ID_SCOPE: &str = "owner.national_id";

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Owner {
    /// `None` until the owner is registered.
    pub owner_id: Option<Uuid>,
    pub name: String,
    pub birth_date: NaiveDate,
    pub email: String,
    pub phone: Option<String>,
    pub address: Option<String>,
    pub national_id: String,
}

impl Owner {
    pub fn exists(&self) -> bool {
        self.owner_id.is_some()
    }

    fn register(&self, c: &RegisterOwner) -> Result<Vec<OwnerEvent>, OwnerError> {
        if self.exists() {
            return Err(OwnerError::AlreadyRegistered);
        }
        Ok(vec![OwnerEvent::OwnerRegistered {
            owner_id: c.owner_id,
            name: c.name.clone(),
            birth_date: c.birth_date,
            email: c.email.clone(),
            phone: c.phone.clone(),
            address: c.address.clone(),
            national_id: c.national_id.clone(),
        }])
    }

    fn change_details(&self, c: &ChangeOwnerDetails) -> Result<Vec<OwnerEvent>, OwnerError> {
        if !self.exists() {
            return Err(OwnerError::NotFound);
        }
        fn changed<T: Clone + PartialEq>(new: &Option<T>, current: &T) -> Option<T> {
            new.as_ref().filter(|new| *new != current).cloned()
        }
        fn changed_opt<T: Clone + PartialEq>(new: &Option<T>, current: &Option<T>) -> Option<T> {
            new.as_ref()
                .filter(|new| Some(*new) != current.as_ref())
                .cloned()
        }
        let name = changed(&c.name, &self.name);
        let birth_date = changed(&c.birth_date, &self.birth_date);
        let email = changed(&c.email, &self.email);
        let phone = changed_opt(&c.phone, &self.phone);
        let address = changed_opt(&c.address, &self.address);
        if name.is_none()
            && birth_date.is_none()
            && email.is_none()
            && phone.is_none()
            && address.is_none()
        {
            return Ok(Vec::new());
        }
        Ok(vec![OwnerEvent::OwnerDetailsChanged {
            name,
            birth_date,
            email,
            phone,
            address,
        }])
    }
}

impl Aggregate for Owner {
    const TYPE: &'static str = "owner";

    type Command = OwnerCommand;
    type Event = OwnerEvent;
    type Error = OwnerError;

    fn handle(&self, command: &OwnerCommand) -> Result<Vec<OwnerEvent>, OwnerError> {
        match command {
            OwnerCommand::Register(c) => self.register(c),
            OwnerCommand::ChangeDetails(c) => self.change_details(c),
        }
    }

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
            } => {
                *self = Self {
                    owner_id: Some(*owner_id),
                    name: name.clone(),
                    birth_date: *birth_date,
                    email: email.clone(),
                    phone: phone.clone(),
                    address: address.clone(),
                    national_id: national_id.clone(),
                };
            }
            OwnerEvent::OwnerDetailsChanged {
                name,
                birth_date,
                email,
                phone,
                address,
            } => {
                if let Some(name) = name {
                    self.name.clone_from(name);
                }
                if let Some(birth_date) = birth_date {
                    self.birth_date = *birth_date;
                }
                if let Some(email) = email {
                    self.email.clone_from(email);
                }
                if phone.is_some() {
                    self.phone.clone_from(phone);
                }
                if address.is_some() {
                    self.address.clone_from(address);
                }
            }
        }
    }

    fn unique_claims(event: &OwnerEvent) -> Vec<UniqueClaim> {
        match event {
            OwnerEvent::OwnerRegistered { national_id, .. } => vec![UniqueClaim {
                scope: NATIONAL_ID_SCOPE,
                value: national_id.clone(),
            }],
            OwnerEvent::OwnerDetailsChanged { .. } => Vec::new(),
        }
    }
}
