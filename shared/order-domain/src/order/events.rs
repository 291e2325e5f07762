//! What happened to an order (SPEC §6). Variant names are the `event_type`s.

use es_core::DomainEvent;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::CancellationReason;
use crate::line::OrderLine;

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(tag = "event_type", content = "data")]
pub enum OrderEvent {
    /// The saga starts here: the stock service reserves every line.
    OrderPlaced {
        order_id: Uuid,
        customer_id: Uuid,
        lines: Vec<OrderLine>,
        total_cents: u64,
    },
    /// The stock was committed: the order is `CONFIRMED`.
    SaleConfirmed,
    OrderCancelled {
        reason: CancellationReason,
    },
}

impl DomainEvent for OrderEvent {}
