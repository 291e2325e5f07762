//! The order view of `GET /orders/{order_id}` and `GET /customers/{customer_id}/orders`: the
//! order joined with every saga event of it, whichever stream holds them.
//!
//! The order's own stream says `PENDING`, `CONFIRMED` or `CANCELLED`; the stock service's
//! `StockReserved` and the customer service's `PaymentAccepted` (on their own streams) show
//! the `STOCK_RESERVED` and `PAID` steps in between. The status is derived from which events
//! the item holds, never from the order in which they arrived, so a late or redelivered event
//! cannot move an order backwards.

use es_core::{Aggregate, EnvelopeError, EventEnvelope, EventMeta};
use order_domain::{Customer, CustomerEvent, Order, OrderEvent, OrderLine, Product, ProductEvent};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::line::LineView;
use crate::tables::ORDERS_KEY;

es_core::wire_enum! {
    "SCREAMING_SNAKE_CASE",
    /// SPEC §6: `PENDING` → `STOCK_RESERVED` → `PAID` → `CONFIRMED`, or `CANCELLED`.
    #[derive(Default, PartialOrd, Ord)]
    pub enum OrderViewStatus {
        #[default]
        Pending,
        StockReserved,
        Paid,
        Confirmed,
        Cancelled,
    }
}

impl OrderViewStatus {
    pub const ALL: &'static [Self] = <Self as strum::VariantArray>::VARIANTS;
}

/// One event of the order's saga.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrderTimelineEntry {
    pub event_type: String,
    /// RFC 3339, milliseconds.
    pub at: String,
    /// The stream that holds the event: the order, a product or the customer.
    pub aggregate_type: String,
    pub aggregate_id: String,
    pub event_id: Uuid,
}

impl OrderTimelineEntry {
    /// Time first; within one millisecond, the saga's own order of steps.
    fn sort_key(&self) -> (String, u8, Uuid) {
        (self.at.clone(), step(&self.event_type), self.event_id)
    }
}

fn step(event_type: &str) -> u8 {
    const STEPS: [&str; 10] = [
        "OrderPlaced",
        "StockReserved",
        "StockUnavailable",
        "PaymentAccepted",
        "PaymentRefused",
        "StockCommitted",
        "StockReleased",
        "SaleConfirmed",
        "OrderCancelled",
        "PaymentRefunded",
    ];
    STEPS
        .iter()
        .position(|s| *s == event_type)
        .map_or(u8::MAX, |i| i as u8)
}

/// `customer_id` and `placed_at` are absent from the item until `OrderPlaced` arrives (so the
/// `by_customer` index leaves the order out until then); `cancellation_reason` is `null` in
/// JSON unless the order was cancelled.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct OrderView {
    pub order_id: Uuid,
    pub customer_id: Option<Uuid>,
    pub lines: Vec<LineView>,
    pub total_cents: u64,
    pub status: OrderViewStatus,
    pub cancellation_reason: Option<String>,
    /// The checkout request's correlation id, shared by every event of the saga.
    pub correlation_id: Option<String>,
    /// RFC 3339, milliseconds: when the order was placed.
    pub placed_at: Option<String>,
    /// Every event of the saga held so far, in time order.
    pub timeline: Vec<OrderTimelineEntry>,
    /// How many events the item holds (the projection's revision).
    pub version: u64,
    pub updated_at: String,
}

impl OrderView {
    /// Whether `OrderPlaced` has been seen: before that the item only holds saga events that
    /// overtook it, and the API does not show the order yet.
    pub fn is_placed(&self) -> bool {
        self.customer_id.is_some()
    }

    /// The version of the order's own stream the item has applied: it holds each event once
    /// (by id), and the order stream's events are its only `order` events.
    pub fn order_version(&self) -> u64 {
        self.timeline
            .iter()
            .filter(|entry| entry.aggregate_type == "order")
            .count() as u64
    }

    fn holds(&self, event_type: &str) -> bool {
        self.timeline.iter().any(|e| e.event_type == event_type)
    }

    fn derive_status(&self) -> OrderViewStatus {
        if self.holds("OrderCancelled") {
            OrderViewStatus::Cancelled
        } else if self.holds("SaleConfirmed") {
            OrderViewStatus::Confirmed
        } else if self.holds("PaymentAccepted") || self.holds("StockCommitted") {
            OrderViewStatus::Paid
        } else if self.holds("StockReserved") {
            OrderViewStatus::StockReserved
        } else {
            OrderViewStatus::Pending
        }
    }

    fn placed(&mut self, meta: &EventMeta, customer_id: Uuid, lines: &[OrderLine], total: u64) {
        self.customer_id = Some(customer_id);
        self.lines = lines.iter().map(LineView::from).collect();
        self.total_cents = total;
        self.correlation_id = Some(meta.correlation_id.clone());
        self.placed_at = Some(es_core::time::format(&meta.occurred_at));
    }
}

/// What an order view joins: the order's own events, and the saga's on the product and
/// customer streams, each decoded as its stream's aggregate type says.
#[derive(Debug, Clone, PartialEq)]
pub enum OrderSagaEvent {
    Order(OrderEvent),
    Product(ProductEvent),
    Customer(CustomerEvent),
}

impl projection::ViewEvent for OrderSagaEvent {
    /// Any other aggregate type is not joined (`None`); an event of these three that does not
    /// decode fails the projection.
    fn from_envelope(envelope: &EventEnvelope, _: &str) -> Result<Option<Self>, EnvelopeError> {
        Ok(Some(match envelope.aggregate_type.as_str() {
            Order::TYPE => Self::Order(envelope.decode()?),
            Product::TYPE => Self::Product(envelope.decode()?),
            Customer::TYPE => Self::Customer(envelope.decode()?),
            _ => return Ok(None),
        }))
    }
}

impl OrderSagaEvent {
    /// The order this event is about, if it is a step of an order's saga.
    fn order_id(&self, meta: &EventMeta) -> Option<Uuid> {
        match self {
            Self::Order(_) => meta.aggregate_id.parse().ok(),
            Self::Product(event) => match event {
                ProductEvent::StockReserved { order_id, .. }
                | ProductEvent::StockCommitted { order_id, .. }
                | ProductEvent::StockReleased { order_id, .. }
                | ProductEvent::StockUnavailable { order_id, .. } => Some(*order_id),
                ProductEvent::ProductCreated { .. } | ProductEvent::ProductRestocked { .. } => None,
            },
            Self::Customer(event) => match event {
                CustomerEvent::PaymentAccepted { order_id, .. }
                | CustomerEvent::PaymentRefused { order_id, .. }
                | CustomerEvent::PaymentRefunded { order_id, .. } => Some(*order_id),
                CustomerEvent::CustomerRegistered { .. }
                | CustomerEvent::DepositMade { .. }
                | CustomerEvent::CustomerPersonalDataErased {} => None,
            },
        }
    }
}

impl projection::View for OrderView {
    const AGGREGATE_TYPE: &'static str = Order::TYPE;
    const KEY: &'static str = ORDERS_KEY;
    type Event = OrderSagaEvent;

    fn apply(&mut self, event: &OrderSagaEvent, meta: &EventMeta) {
        let Some(order_id) = event.order_id(meta) else {
            return;
        };
        self.order_id = order_id;
        match event {
            OrderSagaEvent::Order(OrderEvent::OrderPlaced {
                customer_id,
                lines,
                total_cents,
                ..
            }) => self.placed(meta, *customer_id, lines, *total_cents),
            OrderSagaEvent::Order(OrderEvent::OrderCancelled { reason }) => {
                self.cancellation_reason = Some(reason.as_str().to_owned());
            }
            OrderSagaEvent::Order(OrderEvent::SaleConfirmed)
            | OrderSagaEvent::Product(_)
            | OrderSagaEvent::Customer(_) => {}
        }
        let entry = OrderTimelineEntry {
            event_type: meta.event_type.clone(),
            at: es_core::time::format(&meta.occurred_at),
            aggregate_type: meta.aggregate_type.clone(),
            aggregate_id: meta.aggregate_id.clone(),
            event_id: meta.event_id,
        };
        let position = self
            .timeline
            .partition_point(|e| e.sort_key() < entry.sort_key());
        self.timeline.insert(position, entry);
        self.status = self.derive_status();
        self.version = self.timeline.len() as u64;
        self.updated_at = self
            .timeline
            .iter()
            .map(|e| e.at.as_str())
            .max()
            .unwrap_or_default()
            .to_owned();
    }
}

impl projection::JoinedView for OrderView {
    fn key(event: &OrderSagaEvent, meta: &EventMeta) -> Option<String> {
        event.order_id(meta).map(|id| id.to_string())
    }

    fn contains(&self, meta: &EventMeta) -> bool {
        self.timeline.iter().any(|e| e.event_id == meta.event_id)
    }

    fn updated_at(&self) -> String {
        self.updated_at.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{customer, envelope, order, product, through_dynamo};
    use order_domain::CancellationReason;
    use projection::{JoinedView, View, ViewEvent};

    fn placed() -> EventEnvelope {
        let lines = vec![
            OrderLine {
                product_id: product(1),
                quantity: 2,
                price_cents: 300,
            },
            OrderLine {
                product_id: product(2),
                quantity: 1,
                price_cents: 50,
            },
        ];
        let event = OrderEvent::OrderPlaced {
            order_id: order(1),
            customer_id: customer(),
            total_cents: order_domain::total_cents(&lines),
            lines,
        };
        envelope("order", &order(1).to_string(), 1, &event, 0)
    }

    /// Product `n`'s stock step for the order, as version `version` of the product's stream:
    /// `quantity` reserved (1 s in) or, once paid, committed (3 s in).
    fn stock(n: u128, quantity: u32, version: u64, committed: bool) -> EventEnvelope {
        let (order_id, product_id) = (order(1), product(n));
        let event = if committed {
            ProductEvent::StockCommitted {
                order_id,
                product_id,
                quantity,
            }
        } else {
            ProductEvent::StockReserved {
                order_id,
                product_id,
                quantity,
            }
        };
        let seconds = if committed { 3 } else { 1 };
        envelope("product", &product_id.to_string(), version, &event, seconds)
    }

    fn reserved(n: u128, quantity: u32, version: u64) -> EventEnvelope {
        stock(n, quantity, version, false)
    }

    fn paid() -> EventEnvelope {
        let event = CustomerEvent::PaymentAccepted {
            order_id: order(1),
            amount_cents: 650,
        };
        envelope("customer", &customer().to_string(), 3, &event, 2)
    }

    fn committed(n: u128, quantity: u32, version: u64) -> EventEnvelope {
        stock(n, quantity, version, true)
    }

    fn confirmed() -> EventEnvelope {
        envelope(
            "order",
            &order(1).to_string(),
            2,
            &OrderEvent::SaleConfirmed,
            4,
        )
    }

    /// The order's whole saga, in the order it happened: placed, both lines reserved, paid,
    /// both committed, confirmed.
    fn confirmed_saga() -> [EventEnvelope; 7] {
        [
            placed(),
            reserved(1, 2, 2),
            reserved(2, 1, 2),
            paid(),
            committed(1, 2, 3),
            committed(2, 1, 3),
            confirmed(),
        ]
    }

    fn join(events: &[EventEnvelope]) -> OrderView {
        let mut view = OrderView::default();
        for event in events {
            assert_eq!(OrderView::key_of(event), Some(order(1).to_string()));
            let meta = event.meta();
            if !view.contains(&meta) {
                let decoded = OrderSagaEvent::from_envelope(event, "order")
                    .unwrap()
                    .unwrap();
                view.apply(&decoded, &meta);
            }
        }
        view
    }

    #[test]
    fn the_status_follows_the_saga() {
        let saga = confirmed_saga();
        let statuses: Vec<OrderViewStatus> =
            (1..=saga.len()).map(|n| join(&saga[..n]).status).collect();
        use OrderViewStatus::*;
        assert_eq!(
            statuses,
            [
                Pending,
                StockReserved,
                StockReserved,
                Paid,
                Paid,
                Paid,
                Confirmed
            ]
        );
        let view = join(&saga);
        assert_eq!(view.customer_id, Some(customer()));
        assert_eq!(view.total_cents, 650);
        assert_eq!(view.lines[0].line_total_cents, 600);
        assert_eq!(view.correlation_id.as_deref(), Some("c-1"));
        assert_eq!(view.placed_at.as_deref(), Some("2026-11-22T10:00:00.000Z"));
        assert_eq!(view.version, 7);
        assert_eq!(view.timeline[0].event_type, "OrderPlaced");
        assert_eq!(view.timeline[6].event_type, "SaleConfirmed");
        assert_eq!(view.updated_at, "2026-11-22T10:00:04.000Z");
        assert_eq!(through_dynamo(&view), view);
    }

    #[test]
    fn any_order_and_any_duplicates_give_the_same_view() {
        let saga = confirmed_saga();
        let expected = join(&saga);
        // Every rotation, reversed, and with everything delivered twice.
        for shift in 0..saga.len() {
            let mut shuffled = saga.to_vec();
            shuffled.rotate_left(shift);
            assert_eq!(join(&shuffled), expected, "rotated by {shift}");
            shuffled.reverse();
            let twice: Vec<_> = shuffled.iter().chain(&saga).cloned().collect();
            assert_eq!(
                join(&twice),
                expected,
                "reversed, twice, rotated by {shift}"
            );
        }
    }

    #[test]
    fn a_saga_event_ahead_of_the_order_keeps_it_unplaced() {
        let view = join(&[reserved(1, 2, 2)]);
        assert!(!view.is_placed());
        assert_eq!(view.status, OrderViewStatus::StockReserved);
        let item: serde_dynamo::Item = serde_dynamo::to_item(&view).unwrap();
        // Out of the by_customer index until placed.
        let item: std::collections::HashMap<String, aws_sdk_dynamodb::types::AttributeValue> =
            item.into();
        assert!(item.get("customer_id").is_none_or(|v| v.is_null()));
    }

    #[test]
    fn cancellation_reasons() {
        let unavailable = ProductEvent::StockUnavailable {
            order_id: order(1),
            product_id: product(2),
            requested: 1,
            available: 0,
        };
        let cancelled = OrderEvent::OrderCancelled {
            reason: CancellationReason::OutOfStock,
        };
        let view = join(&[
            placed(),
            envelope("product", &product(2).to_string(), 5, &unavailable, 1),
            envelope("order", &order(1).to_string(), 2, &cancelled, 2),
        ]);
        assert_eq!(view.status, OrderViewStatus::Cancelled);
        assert_eq!(view.cancellation_reason.as_deref(), Some("out_of_stock"));
        let json = serde_json::to_value(&view).unwrap();
        assert_eq!(json["status"], "CANCELLED");
        let pending = serde_json::to_value(join(&[placed()])).unwrap();
        assert_eq!(pending["cancellation_reason"], serde_json::Value::Null);
        assert_eq!(pending["status"], "PENDING");
    }

    #[test]
    fn other_events_are_not_joined() {
        let deposit = CustomerEvent::DepositMade { amount_cents: 1 };
        let restock = ProductEvent::ProductRestocked { quantity: 1 };
        assert_eq!(
            OrderView::key_of(&envelope("customer", "c", 2, &deposit, 0)),
            None
        );
        assert_eq!(
            OrderView::key_of(&envelope("product", "p", 2, &restock, 0)),
            None
        );
    }

    #[test]
    fn saga_events_that_do_not_decode_are_refused_and_other_types_ignored() {
        for aggregate_type in ["order", "product", "customer"] {
            let mut broken = paid();
            broken.aggregate_type = aggregate_type.into();
            broken.event_type = "PaymentMelted".into();
            let refused = OrderView::try_replay([&broken]).unwrap_err();
            assert!(
                matches!(refused, projection::ProjectionError::Undecodable { .. }),
                "{aggregate_type}: {refused}"
            );
        }
        let mut other = paid();
        other.aggregate_type = "radar".into();
        assert_eq!(
            OrderSagaEvent::from_envelope(&other, "order").unwrap(),
            None
        );
        assert_eq!(OrderView::key_of(&other), None);
    }

    #[test]
    fn statuses_parse_their_wire_names() {
        for &status in OrderViewStatus::ALL {
            assert_eq!(OrderViewStatus::parse(status.as_str()), Some(status));
            assert_eq!(serde_json::to_value(status).unwrap(), status.as_str());
        }
        assert_eq!(OrderViewStatus::parse("paid"), None);
    }
}
