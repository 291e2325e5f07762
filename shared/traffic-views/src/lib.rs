//! The traffic read models: radar, owner, vehicle and infraction views, and the infraction
//! service's plate owners.
//!
//! Each view is a pure fold of one aggregate's stream ([`projection::View`]); the
//! `project-*` functions keep their tables up to date and the query functions read them.
//! [`tables`] names the tables' environment variables, keys and indexes (the contract's
//! names, in one place). [`PlateOwners`] is the infraction policy's own record of a plate.

mod infraction;
mod owner;
mod plate_owners;
mod radar;
mod state_view;
pub mod tables;
mod vehicle;

pub use infraction::{InfractionView, TimelineEntry};
pub use owner::{OwnerRecord, OwnerView, RevealedOwner};
pub use plate_owners::{ItemError, PlateOwners};
pub use radar::RadarView;
pub use vehicle::VehicleView;

#[cfg(test)]
pub(crate) mod testing {
    use chrono::{DateTime, Utc};
    use es_core::{CommandContext, DomainEvent, EventEnvelope, StreamId};
    use traffic_domain::{OverspeedDetection, Plate};
    use uuid::Uuid;

    /// The owners the views' tests name.
    pub fn alice() -> Uuid {
        Uuid::from_u128(0xA11CE)
    }

    /// The owner a vehicle passes to.
    pub fn bob() -> Uuid {
        Uuid::from_u128(0xB0B)
    }

    pub fn at(text: &str) -> DateTime<Utc> {
        es_core::time::parse(text).expect("a test time")
    }

    /// `AB123CD` seen at `speed_kmh` in a 110 zone on the A1 at (48.85, 2.35) at `detected_at`,
    /// by some radar: the test sets the ids it cares about.
    pub fn overspeed(speed_kmh: u32, detected_at: &str) -> OverspeedDetection {
        let detection_id = Uuid::new_v4();
        OverspeedDetection {
            detection_id,
            infraction_id: traffic_domain::infraction_id_for(detection_id),
            radar_id: Uuid::new_v4(),
            plate: Plate::parse("AB123CD").expect("a plate"),
            speed_kmh,
            max_speed_kmh: 110,
            excess_kmh: speed_kmh - 110,
            detected_at: at(detected_at),
            latitude: 48.85,
            longitude: 2.35,
            road: "A1".into(),
        }
    }

    /// Version `version` of stream `aggregate_type#id`, carrying `event`, at `time`.
    pub fn envelope<E: DomainEvent>(
        aggregate_type: &str,
        id: &str,
        version: u64,
        event: &E,
        time: &str,
    ) -> EventEnvelope {
        let ctx = CommandContext::for_request("test", Some("c-1"), "r-1").at(at(time));
        EventEnvelope::new(&StreamId::new(aggregate_type, id), version, event, &ctx)
            .expect("an envelope")
    }

    /// The view of stream `aggregate_type#id` holding `events` as versions 1, 2, …, event `i`
    /// at `time(i)`.
    pub fn replay<V>(
        aggregate_type: &str,
        id: &str,
        events: &[V::Event],
        time: impl Fn(usize) -> String,
    ) -> V
    where
        V: projection::View,
        V::Event: DomainEvent,
    {
        let envelopes: Vec<EventEnvelope> = (events.iter().enumerate())
            .map(|(i, event)| envelope(aggregate_type, id, i as u64 + 1, event, &time(i)))
            .collect();
        V::replay(&envelopes)
    }

    /// Serialised for DynamoDB and read back, as the table stores it.
    pub fn through_dynamo<V: projection::View + PartialEq + std::fmt::Debug>(view: &V) -> V {
        let item: serde_dynamo::Item = serde_dynamo::to_item(view).expect("to item");
        serde_dynamo::from_item(item).expect("from item")
    }
}
