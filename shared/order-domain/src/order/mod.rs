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

pub use commands::{CancelOrder, ConfirmSale, OrderCommand, PlaceOrder};
pub use error::OrderError;
pub use events::OrderEvent;
pub use status::{CancellationReason, OrderStatus};

use es_core::Aggregate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::line::{total_cents, OrderLine};

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

    fn place(&self, c: &PlaceOrder) -> Result<Vec<OrderEvent>, OrderError> {
        if self.exists() {
            // A redelivered checkout places the same order again: nothing to do. Anything else
            // under the same id is a conflict.
            return if self.customer_id == Some(c.customer_id) && self.lines == c.lines {
                Ok(Vec::new())
            } else {
                Err(OrderError::AlreadyExists)
            };
        }
        if c.lines.is_empty() {
            return Err(OrderError::EmptyOrder);
        }
        Ok(vec![OrderEvent::OrderPlaced {
            order_id: c.order_id,
            customer_id: c.customer_id,
            lines: c.lines.clone(),
            total_cents: total_cents(&c.lines),
        }])
    }

    fn confirm(&self) -> Result<Vec<OrderEvent>, OrderError> {
        match self.status {
            OrderStatus::Pending => Ok(vec![OrderEvent::SaleConfirmed]),
            OrderStatus::Confirmed => Ok(Vec::new()),
            OrderStatus::Cancelled => Err(OrderError::InvalidTransition {
                from: self.status,
                to: OrderStatus::Confirmed,
            }),
        }
    }

    fn cancel(&self, c: &CancelOrder) -> Result<Vec<OrderEvent>, OrderError> {
        match self.status {
            OrderStatus::Pending => Ok(vec![OrderEvent::OrderCancelled { reason: c.reason }]),
            // Already cancelled, whatever the reason: the first one stands.
            OrderStatus::Cancelled => Ok(Vec::new()),
            OrderStatus::Confirmed => Err(OrderError::InvalidTransition {
                from: self.status,
                to: OrderStatus::Cancelled,
            }),
        }
    }
}

impl Aggregate for Order {
    const TYPE: &'static str = "order";

    type Command = OrderCommand;
    type Event = OrderEvent;
    type Error = OrderError;

    fn handle(&self, command: &OrderCommand) -> Result<Vec<OrderEvent>, OrderError> {
        if !self.exists() && !matches!(command, OrderCommand::Place(_)) {
            return Err(OrderError::NotFound);
        }
        match command {
            OrderCommand::Place(c) => self.place(c),
            OrderCommand::Confirm(_) => self.confirm(),
            OrderCommand::Cancel(c) => self.cancel(c),
        }
    }

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
