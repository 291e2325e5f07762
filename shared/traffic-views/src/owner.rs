//! The owner view of `GET /owners` and `GET /owners/{owner_id}` (which adds the owner's
//! plates from the vehicles table).

use chrono::{DateTime, NaiveDate, Utc};
use es_core::{Aggregate, EventEnvelope};
use serde::{Deserialize, Serialize};
use traffic_domain::{Owner, OwnerEvent};
use uuid::Uuid;

use crate::tables::OWNERS_KEY;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct OwnerView {
    pub owner_id: Uuid,
    pub name: String,
    /// `YYYY-MM-DD`
    pub birth_date: NaiveDate,
    pub email: String,
    pub phone: Option<String>,
    pub address: Option<String>,
    pub national_id: String,
    pub version: u64,
    #[serde(with = "es_core::time::rfc3339_millis")]
    pub updated_at: DateTime<Utc>,
}

impl projection::View for OwnerView {
    const AGGREGATE_TYPE: &'static str = Owner::TYPE;
    const KEY: &'static str = OWNERS_KEY;

    fn apply(&mut self, envelope: &EventEnvelope) {
        self.version = envelope.version;
        self.updated_at = envelope.occurred_at;
        let Some(event) = projection::decode_event::<OwnerEvent>(envelope) else {
            return;
        };
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
                self.owner_id = owner_id;
                self.name = name;
                self.birth_date = birth_date;
                self.email = email;
                self.phone = phone;
                self.address = address;
                self.national_id = national_id;
            }
            OwnerEvent::OwnerDetailsChanged {
                name,
                birth_date,
                email,
                phone,
                address,
            } => {
                if let Some(name) = name {
                    self.name = name;
                }
                if let Some(birth_date) = birth_date {
                    self.birth_date = birth_date;
                }
                if let Some(email) = email {
                    self.email = email;
                }
                if phone.is_some() {
                    self.phone = phone;
                }
                if address.is_some() {
                    self.address = address;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{at, envelope, through_dynamo};
    use projection::View;

    const ID: &str = "0b6d7a5e-1c2f-4e3a-9b8c-7d6e5f4a3b2c";

    fn date(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    fn registered(phone: Option<&str>) -> OwnerEvent {
        OwnerEvent::OwnerRegistered {
            owner_id: ID.parse().unwrap(),
            name: "Ada Lovelace".into(),
            birth_date: date("1990-12-10"),
            email: "ada@example.com".into(),
            phone: phone.map(str::to_owned),
            address: None,
            national_id: "AL-1815".into(),
        }
    }

    fn fold(events: &[OwnerEvent]) -> OwnerView {
        let envelopes: Vec<EventEnvelope> = events
            .iter()
            .enumerate()
            .map(|(i, e)| {
                let time = format!("2026-02-01T00:00:0{}Z", i + 1);
                envelope("owner", ID, i as u64 + 1, e, &time)
            })
            .collect();
        OwnerView::replay(&envelopes)
    }

    #[test]
    fn registered_sets_every_field() {
        let view = fold(&[registered(Some("+33 1 23 45 67 89"))]);
        assert_eq!(view.owner_id.to_string(), ID);
        assert_eq!(view.name, "Ada Lovelace");
        assert_eq!(view.birth_date, date("1990-12-10"));
        assert_eq!(view.email, "ada@example.com");
        assert_eq!(view.phone.as_deref(), Some("+33 1 23 45 67 89"));
        assert_eq!(view.address, None);
        assert_eq!(view.national_id, "AL-1815");
        assert_eq!(view.version, 1);
        assert_eq!(view.updated_at, at("2026-02-01T00:00:01Z"));
    }

    #[test]
    fn details_changed_changes_only_what_it_carries() {
        let view = fold(&[
            registered(Some("+33 1")),
            OwnerEvent::OwnerDetailsChanged {
                name: None,
                birth_date: None,
                email: Some("ada@math.org".into()),
                phone: None,
                address: Some("12 St James's Square, London".into()),
            },
        ]);
        assert_eq!(view.name, "Ada Lovelace");
        assert_eq!(view.email, "ada@math.org");
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
                name: Some("Augusta Ada King".into()),
                birth_date: Some(date("1815-12-10")),
                email: None,
                phone: Some("+44 20".into()),
                address: None,
            },
        ]);
        assert_eq!(view.name, "Augusta Ada King");
        assert_eq!(view.birth_date, date("1815-12-10"));
        assert_eq!(view.email, "ada@example.com");
        assert_eq!(view.phone.as_deref(), Some("+44 20"));
    }

    #[test]
    fn json_and_dynamo_shapes() {
        let view = fold(&[registered(None)]);
        let json = serde_json::to_value(&view).unwrap();
        assert_eq!(json["birth_date"], "1990-12-10");
        assert_eq!(json["phone"], serde_json::Value::Null);
        assert_eq!(json["updated_at"], "2026-02-01T00:00:01.000Z");
        assert_eq!(through_dynamo(&view), view);
    }
}
