//! The infraction view of SPEC §4.3, exactly its fields.

use chrono::{DateTime, Utc};
use es_core::{Aggregate, EventMeta};
use serde::{Deserialize, Serialize};
use traffic_domain::{Infraction, InfractionEvent};

use crate::tables::INFRACTIONS_KEY;

/// One step of an infraction's life.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TimelineEntry {
    pub event_type: String,
    #[serde(with = "es_core::time::rfc3339_millis")]
    pub at: DateTime<Utc>,
}

/// The infraction's state (see [`crate::state_view`]; `owner_id` is `null` in JSON while the
/// infraction is `PENDING_OWNER`, and absent from the item, so the `by_owner` index leaves it
/// out; `detected_at` is the sort key of every index), its timeline and version.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct InfractionView {
    #[serde(flatten)]
    pub infraction: Infraction,
    /// Every event of the infraction, oldest first, with when it occurred.
    pub timeline: Vec<TimelineEntry>,
    pub version: u64,
}

impl projection::View for InfractionView {
    const AGGREGATE_TYPE: &'static str = Infraction::TYPE;
    const KEY: &'static str = INFRACTIONS_KEY;
    type Event = InfractionEvent;

    /// The infraction's own fold, so that the view cannot disagree with the next command; the
    /// view adds the timeline.
    fn apply(&mut self, event: &InfractionEvent, meta: &EventMeta) {
        self.infraction.apply(event);
        self.timeline.push(TimelineEntry {
            event_type: meta.event_type.clone(),
            at: meta.occurred_at,
        });
        self.version = meta.version;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{alice, at, overspeed, replay, through_dynamo};
    use serde_json::json;
    use traffic_domain::{InfractionCommand, InfractionStatus, Location, OverspeedDetection};
    use uuid::Uuid;

    const ID: &str = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d";

    fn location() -> Location {
        Location {
            latitude: 48.85,
            longitude: 2.35,
            road: "A1".into(),
        }
    }

    /// The event that opens the infraction, as the infraction's own decision writes it:
    /// issued to `owner_id`, or pending without one. 135 in a 110 zone: excess 25, fine 1000.
    fn opened(owner_id: Option<Uuid>) -> InfractionEvent {
        let detection = OverspeedDetection {
            detection_id: Uuid::from_u128(1),
            infraction_id: ID.parse().unwrap(),
            radar_id: Uuid::from_u128(2),
            ..overspeed(135, "2026-04-01T08:30:00.250Z")
        };
        let open = InfractionCommand::Open {
            detection,
            owner_id,
        };
        let events = Infraction::default().handle(&open).expect("opened");
        let [event] = <[InfractionEvent; 1]>::try_from(events).expect("one event");
        event
    }

    fn pending() -> InfractionEvent {
        opened(None)
    }

    fn issued() -> InfractionEvent {
        opened(Some(alice()))
    }

    fn time(i: usize) -> String {
        format!("2026-04-01T09:00:0{}Z", i + 1)
    }

    fn fold(events: &[InfractionEvent]) -> InfractionView {
        replay("infraction", ID, events, time)
    }

    fn timeline(view: &InfractionView) -> Vec<(&str, DateTime<Utc>)> {
        view.timeline
            .iter()
            .map(|t| (t.event_type.as_str(), t.at))
            .collect()
    }

    #[test]
    fn issued_sets_every_field() {
        let view = fold(&[issued()]);
        assert_eq!(view.infraction.infraction_id.unwrap().to_string(), ID);
        assert_eq!(view.infraction.detection_id, Uuid::from_u128(1));
        assert_eq!(view.infraction.radar_id, Uuid::from_u128(2));
        assert_eq!(view.infraction.plate.as_ref().unwrap().as_str(), "AB123CD");
        assert_eq!(view.infraction.owner_id, Some(alice()));
        assert_eq!(
            (
                view.infraction.speed_kmh,
                view.infraction.max_speed_kmh,
                view.infraction.excess_kmh
            ),
            (135, 110, 25)
        );
        assert_eq!(view.infraction.fine_amount, 1000);
        assert_eq!(view.infraction.detected_at, at("2026-04-01T08:30:00.250Z"));
        assert_eq!(view.infraction.location, location());
        assert_eq!(view.infraction.status, InfractionStatus::Issued);
        assert_eq!(view.infraction.notes, None);
        assert_eq!(timeline(&view), [("InfractionIssued", at(&time(0)))]);
        assert_eq!(view.version, 1);
    }

    #[test]
    fn pending_owner_then_owner_assigned() {
        let view = fold(&[pending()]);
        assert_eq!(view.infraction.status, InfractionStatus::PendingOwner);
        assert_eq!(view.infraction.owner_id, None);
        assert_eq!(view.infraction.fine_amount, 1000);
        assert_eq!(view.infraction.plate.as_ref().unwrap().as_str(), "AB123CD");

        let view = fold(&[
            pending(),
            InfractionEvent::InfractionOwnerAssigned { owner_id: alice() },
        ]);
        assert_eq!(view.infraction.status, InfractionStatus::Issued);
        assert_eq!(view.infraction.owner_id, Some(alice()));
        assert_eq!(
            timeline(&view),
            [
                ("InfractionPendingOwner", at(&time(0))),
                ("InfractionOwnerAssigned", at(&time(1)))
            ]
        );
        assert_eq!(view.version, 2);
    }

    #[test]
    fn owner_assigned_to_a_contested_infraction_keeps_it_contested() {
        let view = fold(&[
            pending(),
            InfractionEvent::InfractionContested {
                reason: "not me".into(),
            },
            InfractionEvent::InfractionOwnerAssigned { owner_id: alice() },
        ]);
        assert_eq!(view.infraction.status, InfractionStatus::Contested);
        assert_eq!(view.infraction.owner_id, Some(alice()));
    }

    #[test]
    fn amended_changes_the_fine_and_the_notes() {
        let view = fold(&[
            issued(),
            InfractionEvent::InfractionAmended {
                fine_amount: Some(750),
                notes: None,
            },
            InfractionEvent::InfractionAmended {
                fine_amount: None,
                notes: Some("radar recalibrated".into()),
            },
        ]);
        assert_eq!(view.infraction.fine_amount, 750);
        assert_eq!(view.infraction.notes.as_deref(), Some("radar recalibrated"));
        assert_eq!(view.infraction.status, InfractionStatus::Issued);

        let cleared = fold(&[
            issued(),
            InfractionEvent::InfractionAmended {
                fine_amount: None,
                notes: Some("x".into()),
            },
            InfractionEvent::InfractionAmended {
                fine_amount: None,
                notes: Some(String::new()),
            },
        ]);
        assert_eq!(cleared.infraction.notes, None);
        assert_eq!(cleared.infraction.fine_amount, 1000);
        assert_eq!(cleared.timeline.len(), 3);
    }

    #[test]
    fn paid_contested_cancelled() {
        let paid = fold(&[issued(), InfractionEvent::InfractionPaid { amount: 1000 }]);
        assert_eq!(paid.infraction.status, InfractionStatus::Paid);

        let contested = fold(&[
            issued(),
            InfractionEvent::InfractionContested {
                reason: "wrong car".into(),
            },
        ]);
        assert_eq!(contested.infraction.status, InfractionStatus::Contested);

        let cancelled = fold(&[
            issued(),
            InfractionEvent::InfractionContested {
                reason: "wrong car".into(),
            },
            InfractionEvent::InfractionCancelled {
                reason: "upheld".into(),
            },
        ]);
        assert_eq!(cancelled.infraction.status, InfractionStatus::Cancelled);
        let types: Vec<&str> = timeline(&cancelled).into_iter().map(|(t, _)| t).collect();
        assert_eq!(
            types,
            [
                "InfractionIssued",
                "InfractionContested",
                "InfractionCancelled"
            ]
        );
        assert_eq!(cancelled.version, 3);
    }

    #[test]
    fn the_json_has_exactly_the_spec_fields() {
        let view = fold(&[pending()]);
        let json = serde_json::to_value(&view).unwrap();
        let mut fields: Vec<&str> = json
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        fields.sort_unstable();
        let mut expected = vec![
            "infraction_id",
            "detection_id",
            "radar_id",
            "plate",
            "owner_id",
            "speed_kmh",
            "max_speed_kmh",
            "excess_kmh",
            "fine_amount",
            "detected_at",
            "location",
            "status",
            "notes",
            "timeline",
            "version",
        ];
        expected.sort_unstable();
        assert_eq!(fields, expected);
        assert_eq!(json["owner_id"], serde_json::Value::Null);
        assert_eq!(json["status"], "PENDING_OWNER");
        assert_eq!(json["detected_at"], "2026-04-01T08:30:00.250Z");
        assert_eq!(
            json["location"],
            json!({"latitude": 48.85, "longitude": 2.35, "road": "A1"})
        );
        assert_eq!(
            json["timeline"],
            json!([{"event_type": "InfractionPendingOwner", "at": "2026-04-01T09:00:01.000Z"}])
        );
    }

    #[test]
    fn dynamo_round_trip() {
        let view = fold(&[
            issued(),
            InfractionEvent::InfractionAmended {
                fine_amount: None,
                notes: Some("n".into()),
            },
        ]);
        assert_eq!(through_dynamo(&view), view);
        let pending = fold(&[pending()]);
        assert_eq!(through_dynamo(&pending), pending);
    }
}
