//! The order system's read models (SPEC §6).
//!
//! - [`InventoryView`], [`CustomerView`], [`CartView`]: pure folds of one stream each
//!   ([`projection::View`]), kept by `project-inventory`, `project-customers`, `project-carts`.
//! - [`OrderView`]: an order joined with the saga's events for it, whichever stream holds them
//!   (the stock service's product events, the customer service's payment events), kept by
//!   `project-orders` ([`projection::JoinedView`]). Its status passes through `STOCK_RESERVED`
//!   and `PAID`, which only this join can see.
//! - [`reports`]: the customer summary and the order statistics, answered from counters that
//!   `project-orders` moves in the same transaction as the order view ([`reports::ReportsTable`]).
//!
//! [`tables`] names the tables' environment variables, keys and indexes.

mod cart;
mod customer;
mod inventory;
mod line;
mod order;
pub mod reports;
pub mod tables;

pub use cart::CartView;
pub use customer::{CustomerRecord, CustomerView, RevealedCustomer};
pub use inventory::InventoryView;
pub use line::LineView;
pub use order::{OrderSagaEvent, OrderTimelineEntry, OrderView, OrderViewStatus};

#[cfg(test)]
pub(crate) mod testing {
    use es_core::{CommandContext, DomainEvent, EventEnvelope, StreamId};
    use uuid::Uuid;

    /// The customer the views' tests name.
    pub fn customer() -> Uuid {
        Uuid::from_u128(0xC01)
    }

    /// Order `n` of the views' tests.
    pub fn order(n: u128) -> Uuid {
        Uuid::from_u128(0x0D0 + n)
    }

    /// Product `n` of the views' tests.
    pub fn product(n: u128) -> Uuid {
        Uuid::from_u128(0xB00 + n)
    }

    /// Version `version` of stream `aggregate_type#id`, carrying `event`, `seconds` after a
    /// fixed time.
    pub fn envelope<E: DomainEvent>(
        aggregate_type: &str,
        id: &str,
        version: u64,
        event: &E,
        seconds: i64,
    ) -> EventEnvelope {
        let at = es_core::time::parse("2026-11-22T10:00:00.000Z").unwrap()
            + chrono::Duration::seconds(seconds);
        let ctx = CommandContext::for_request("test", Some("c-1"), "r-1").at(at);
        EventEnvelope::new(&StreamId::new(aggregate_type, id), version, event, &ctx)
            .expect("an envelope")
    }

    /// The view of stream `aggregate_type#id` holding `events` as versions 1, 2, …, event `i`
    /// `i` seconds after the fixed time.
    pub fn replay<V>(aggregate_type: &str, id: &str, events: &[V::Event]) -> V
    where
        V: projection::View,
        V::Event: DomainEvent,
    {
        let envelopes: Vec<EventEnvelope> = (events.iter().enumerate())
            .map(|(i, event)| envelope(aggregate_type, id, i as u64 + 1, event, i as i64))
            .collect();
        V::replay(&envelopes)
    }

    /// Serialised for DynamoDB and read back, as the table stores it.
    pub fn through_dynamo<V: projection::View + PartialEq + std::fmt::Debug>(view: &V) -> V {
        let item: serde_dynamo::Item = serde_dynamo::to_item(view).expect("to item");
        serde_dynamo::from_item(item).expect("from item")
    }
}
