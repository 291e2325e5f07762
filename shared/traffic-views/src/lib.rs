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
pub use owner::{OwnerView, RevealedOwner};
pub use plate_owners::{ItemError, PlateOwners};
pub use radar::RadarView;
pub use vehicle::VehicleView;

#[cfg(test)]
pub(crate) mod testing {
    use chrono::{DateTime, Utc};
    use es_core::{CommandContext, DomainEvent, EventEnvelope, StreamId};

    pub fn at(text: &str) -> DateTime<Utc> {
        es_core::time::parse(text).expect("a test time")
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

    /// Serialised for DynamoDB and read back, as the table stores it.
    pub fn through_dynamo<V: projection::View + PartialEq + std::fmt::Debug>(view: &V) -> V {
        let item: serde_dynamo::Item = serde_dynamo::to_item(view).expect("to item");
        serde_dynamo::from_item(item).expect("from item")
    }
}
