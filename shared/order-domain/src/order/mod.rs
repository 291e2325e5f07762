//! The order aggregate (SPEC §6): placed `PENDING` from a checkout, then `CONFIRMED` once its
//! stock is committed, or `CANCELLED` (`out_of_stock` or `payment_refused`).
//!
//! The aggregate only knows these three statuses. The `STOCK_RESERVED` and `PAID` of SPEC §6
//! are intermediate read-model statuses, derived by the projection from the product's
//! `StockReserved` and the customer's `PaymentAccepted` events of the same order: no command of
//! this aggregate depends on them, so recording them here would only add events.

mod commands;
mod error;
mod events;
mod status;
#[cfg(test)]
mod tests;

pub use commands::*;
pub use error::OrderError;
pub use events::OrderEvent;
pub use status::{CancellationReason, OrderStatus};

use es_core::Aggregate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::line::OrderLine;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Order {
    /// `None` until the order is placed.
    pub order_id: Option<Uuid>,
    pub customer_id: Option<Uuid>,
    pub lines: Vec<OrderLine>,
    pub total_cents: u64,
    pub status: OrderStatus,
    pub cancellation_reason: Option<CancellationReason>,
}

impl Order {
    pub fn exists(&self) -> bool {
        self.order_id.is_some()
    }
}

impl Aggregate for Order {
    const TYPE: &'static str = "order";

    type Command = OrderCommand;
    type Event = OrderEvent;
    type Error = OrderError;

    fn apply(&mut self, event: &OrderEvent) {
        match event {
            OrderEvent::OrderPlaced {
                order_id,
                customer_id,
                lines,
                total_cents,
            } => {
                *self = Self {
                    order_id: Some(*order_id),
                    customer_id: Some(*customer_id),
                    lines: lines.clone(),
                    total_cents: *total_cents,
                    status: OrderStatus::Pending,
                    cancellation_reason: None,
                };
            }
            OrderEvent::SaleConfirmed => self.status = OrderStatus::Confirmed,
            OrderEvent::OrderCancelled { reason } => {
                self.status = OrderStatus::Cancelled;
                self.cancellation_reason = Some(*reason);
            }
        }
    }
}
