//! The owner view of `GET /owners` and `GET /owners/{owner_id}` (which adds the owner's
//! plates from the vehicles table).
//!
//! The view keeps the owner's personal data as the events carry it, sealed with the owner's
//! key (SPEC §7); it forgets them on `OwnerPersonalDataErased`. A query reveals them when it
//! answers ([`OwnerView::revealed`]): an erased or unreadable value answers `null`.

use chrono::{DateTime, Utc};
use es_core::{Aggregate, EventMeta, Sealed};
use serde::{Deserialize, Serialize};
use traffic_domain::{Owner, OwnerEvent, OwnerPersonalData};
use uuid::Uuid;

use crate::tables::OWNERS_KEY;

/// An owner with each personal value as a `P`: [`OwnerView`] holds them sealed, as the events
/// carry them; [`RevealedOwner`] is how the API answers them, in clear. One record for both,
/// so that the answer has exactly the view's fields.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OwnerRecord<P> {
    pub owner_id: Uuid,
    /// `None` once erased (answered: also when it cannot be revealed), like every personal
    /// value below.
    pub name: Option<P>,
    /// `YYYY-MM-DD`
    pub birth_date: Option<P>,
    pub email: Option<P>,
    pub phone: Option<P>,
    pub address: Option<P>,
    pub national_id: Option<P>,
    pub version: u64,
    #[serde(with = "es_core::time::rfc3339_millis")]
    pub updated_at: DateTime<Utc>,
}

/// The owner as the table stores it: its personal values sealed with the owner's key.
pub type OwnerView = OwnerRecord<Sealed>;

/// An owner as the API answers it: the personal values in clear, or `null` when they cannot
/// be revealed (erased).
pub type RevealedOwner = OwnerRecord<String>;

/// No event yet: the owner's state before registration.
impl Default for OwnerView {
    fn default() -> Self {
        Self::of(Owner::default(), 0, DateTime::default())
    }
}

impl OwnerView {
    /// The answer, each personal value revealed by `reveal(field, sealed)` (the field is the
    /// one it was sealed under: its JSON name).
    pub fn revealed(&self, reveal: impl Fn(&str, &Sealed) -> Option<String>) -> RevealedOwner {
        let open = |field: &str, sealed: &Option<Sealed>| {
            sealed.as_ref().and_then(|sealed| reveal(field, sealed))
        };
        RevealedOwner {
            owner_id: self.owner_id,
            name: open("name", &self.name),
            birth_date: open("birth_date", &self.birth_date),
            email: open("email", &self.email),
            phone: open("phone", &self.phone),
            address: open("address", &self.address),
            national_id: open("national_id", &self.national_id),
            version: self.version,
            updated_at: self.updated_at,
        }
    }
}

impl OwnerView {
    /// The owner's state with the view's bookkeeping: the view after the event of `version`,
    /// which occurred at `updated_at`.
    fn of(owner: Owner, version: u64, updated_at: DateTime<Utc>) -> Self {
        // Destructured, so that a field added to the owner cannot be forgotten here (a field
        // added to its personal data cannot be forgotten by `owner()`, which names them all).
        let Owner { owner_id, personal } = owner;
        let personal = personal.as_ref();
        let required = |value: fn(&OwnerPersonalData) -> &Sealed| personal.map(value).cloned();
        Self {
            owner_id: owner_id.unwrap_or_default(),
            name: required(|p| &p.name),
            birth_date: required(|p| &p.birth_date),
            email: required(|p| &p.email),
            phone: personal.and_then(|p| p.phone.clone()),
            address: personal.and_then(|p| p.address.clone()),
            national_id: required(|p| &p.national_id),
            version,
            updated_at,
        }
    }

    /// The owner's state this view holds: its personal data are all there or, erased (or not
    /// registered yet), none is.
    fn owner(&self) -> Owner {
        let personal = match (&self.name, &self.birth_date, &self.email, &self.national_id) {
            (Some(name), Some(birth_date), Some(email), Some(national_id)) => {
                Some(OwnerPersonalData {
                    name: name.clone(),
                    birth_date: birth_date.clone(),
                    email: email.clone(),
                    phone: self.phone.clone(),
                    address: self.address.clone(),
                    national_id: national_id.clone(),
                })
            }
            _ => None,
        };
        Owner {
            owner_id: (!self.owner_id.is_nil()).then_some(self.owner_id),
            personal,
        }
    }
}

/// The item lays the owner's personal data out flat, each value erasable, so the view converts
/// to the owner, folds with the owner's own `apply` (erasure included) and converts back.
impl projection::View for OwnerView {
    const AGGREGATE_TYPE: &'static str = Owner::TYPE;
    const KEY: &'static str = OWNERS_KEY;
    type Event = OwnerEvent;

    fn apply(&mut self, event: &OwnerEvent, meta: &EventMeta) {
        let mut owner = self.owner();
        owner.apply(event);
        *self = Self::of(owner, meta.version, meta.occurred_at);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{at, replay, through_dynamo};
    use es_core::testing::PlainSealer;
    use es_core::Aggregate;
    use traffic_domain::OwnerEvent;

    const ID: &str = "0b6d7a5e-1c2f-4e3a-9b8c-7d6e5f4a3b2c";

    fn sealed(text: &str) -> Sealed {
        PlainSealer::sealed(text)
    }

    fn plain(_field: &str, sealed: &Sealed) -> Option<String> {
        PlainSealer::reveal(sealed).map(str::to_owned)
    }

    fn registered(phone: Option<&str>) -> OwnerEvent {
        OwnerEvent::OwnerRegistered {
            owner_id: ID.parse().unwrap(),
            name: sealed("Ada Lovelace"),
            birth_date: sealed("1990-12-10"),
            email: sealed("ada@example.com"),
            phone: phone.map(sealed),
            address: None,
            national_id: sealed("AL-1815"),
            national_id_fingerprint: "fp:owner.national_id:AL-1815".into(),
        }
    }

    /// A new email and a new address, nothing else.
    fn moved(address: &str) -> OwnerEvent {
        OwnerEvent::OwnerDetailsChanged {
            name: None,
            birth_date: None,
            email: Some(sealed("ada@math.org")),
            phone: None,
            address: Some(sealed(address)),
        }
    }

    fn fold(events: &[OwnerEvent]) -> OwnerView {
        replay("owner", ID, events, |i| {
            format!("2026-02-01T00:00:0{}Z", i + 1)
        })
    }

    #[test]
    fn registered_sets_every_field_sealed() {
        let view = fold(&[registered(Some("+33 1 23 45 67 89"))]);
        assert_eq!(view.owner_id.to_string(), ID);
        assert_eq!(view.name, Some(sealed("Ada Lovelace")));
        assert_eq!(view.birth_date, Some(sealed("1990-12-10")));
        assert_eq!(view.phone, Some(sealed("+33 1 23 45 67 89")));
        assert_eq!(view.address, None);
        assert_eq!(view.version, 1);
        assert_eq!(view.updated_at, at("2026-02-01T00:00:01Z"));
        let answer = view.revealed(plain);
        assert_eq!(answer.name.as_deref(), Some("Ada Lovelace"));
        assert_eq!(answer.birth_date.as_deref(), Some("1990-12-10"));
        assert_eq!(answer.email.as_deref(), Some("ada@example.com"));
        assert_eq!(answer.phone.as_deref(), Some("+33 1 23 45 67 89"));
        assert_eq!(answer.address, None);
        assert_eq!(answer.national_id.as_deref(), Some("AL-1815"));
    }

    #[test]
    fn details_changed_changes_only_what_it_carries() {
        let view = fold(&[
            registered(Some("+33 1")),
            moved("12 St James's Square, London"),
        ])
        .revealed(plain);
        assert_eq!(view.name.as_deref(), Some("Ada Lovelace"));
        assert_eq!(view.email.as_deref(), Some("ada@math.org"));
        assert_eq!(view.phone.as_deref(), Some("+33 1"));
        assert_eq!(
            view.address.as_deref(),
            Some("12 St James's Square, London")
        );
        assert_eq!(view.version, 2);
        assert_eq!(view.updated_at, at("2026-02-01T00:00:02Z"));

        let view = fold(&[
            registered(None),
            OwnerEvent::OwnerDetailsChanged {
                name: Some(sealed("Augusta Ada King")),
                birth_date: Some(sealed("1815-12-10")),
                email: None,
                phone: Some(sealed("+44 20")),
                address: None,
            },
        ])
        .revealed(plain);
        assert_eq!(view.name.as_deref(), Some("Augusta Ada King"));
        assert_eq!(view.birth_date.as_deref(), Some("1815-12-10"));
        assert_eq!(view.email.as_deref(), Some("ada@example.com"));
        assert_eq!(view.phone.as_deref(), Some("+44 20"));
    }

    #[test]
    fn erasure_forgets_every_personal_value_and_keeps_the_owner() {
        let view = fold(&[
            registered(Some("+33 1")),
            OwnerEvent::OwnerPersonalDataErased {},
        ]);
        assert_eq!(view.owner_id.to_string(), ID);
        assert_eq!(view.version, 2);
        let stored = serde_json::to_string(&view).unwrap();
        assert!(!stored.contains("sealed:"), "{stored}");
        assert_eq!(through_dynamo(&view), view);
        let answer = serde_json::to_value(view.revealed(plain)).unwrap();
        for field in traffic_domain::OWNER_PERSONAL_FIELDS {
            assert_eq!(answer[field], serde_json::Value::Null, "{field}");
        }
        assert_eq!(answer["owner_id"], ID);
        assert_eq!(answer["version"], 2);
    }

    #[test]
    fn the_fold_is_the_owners_own() {
        let events = [registered(Some("+33 1")), moved("London")];
        assert_eq!(fold(&events).owner(), Owner::replay(&events));
        let erased = [events[0].clone(), OwnerEvent::OwnerPersonalDataErased {}];
        assert_eq!(fold(&erased).owner(), Owner::replay(&erased));
        assert!(fold(&erased).owner().is_erased());
        assert_eq!(OwnerView::default().owner(), Owner::default());
    }

    #[test]
    fn a_value_that_cannot_be_revealed_answers_null() {
        let view = fold(&[registered(Some("+33 1"))]);
        let answer = view
            .revealed(|field, sealed| (field != "email").then(|| plain(field, sealed)).flatten());
        assert_eq!(answer.email, None);
        assert_eq!(answer.name.as_deref(), Some("Ada Lovelace"));
        let nothing = view.revealed(|_, _| None);
        assert_eq!(nothing.name, None);
        assert_eq!(nothing.national_id, None);
    }

    #[test]
    fn json_and_dynamo_shapes() {
        let view = fold(&[registered(None)]);
        let json = serde_json::to_value(&view).unwrap();
        assert_eq!(json["birth_date"], "sealed:1990-12-10");
        assert_eq!(json["phone"], serde_json::Value::Null);
        assert_eq!(json["updated_at"], "2026-02-01T00:00:01.000Z");
        assert_eq!(through_dynamo(&view), view);
        let answer = serde_json::to_value(view.revealed(plain)).unwrap();
        assert_eq!(
            answer,
            serde_json::json!({
                "owner_id": ID, "name": "Ada Lovelace", "birth_date": "1990-12-10",
                "email": "ada@example.com", "phone": null, "address": null,
                "national_id": "AL-1815", "version": 1,
                "updated_at": "2026-02-01T00:00:01.000Z"
            })
        );
    }
}
