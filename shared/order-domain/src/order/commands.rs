//! What the saga asks of an order (no client sends these directly), and the decision each
//! command asks of the order.

use es_core::Decide;
use uuid::Uuid;

use super::{CancellationReason, Order, OrderError, OrderEvent, OrderStatus};
use crate::line::{total_cents, OrderLine};

/// Built from any of its single commands (`From`, derived).
#[derive(Debug, Clone, PartialEq, derive_more::From)]
pub enum OrderCommand {
    Place(PlaceOrder),
    Confirm(ConfirmSale),
    Cancel(CancelOrder),
}

/// On `CartCheckedOut`: the cart's lines become an order. Placing the same order again does
/// nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlaceOrder {
    pub order_id: Uuid,
    pub customer_id: Uuid,
    pub lines: Vec<OrderLine>,
}

/// On `StockCommitted`: the sale is confirmed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ConfirmSale;

/// On `StockUnavailable` (`out_of_stock`) or `PaymentRefused` (`payment_refused`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CancelOrder {
    pub reason: CancellationReason,
}

// The decisions: what an order in a given state records for each command, or why it refuses.

impl Decide<Order> for OrderCommand {
    fn decide(&self, order: &Order) -> Result<Vec<OrderEvent>, OrderError> {
        if !order.exists() && !matches!(self, Self::Place(_)) {
            return Err(OrderError::NotFound);
        }
        match self {
            Self::Place(c) => c.decide(order),
            Self::Confirm(_) => match order.status {
                OrderStatus::Pending => Ok(vec![OrderEvent::SaleConfirmed]),
                OrderStatus::Confirmed => Ok(Vec::new()),
                OrderStatus::Cancelled => Err(OrderError::InvalidTransition {
                    from: order.status,
                    to: OrderStatus::Confirmed,
                }),
            },
            Self::Cancel(c) => match order.status {
                OrderStatus::Pending => Ok(vec![OrderEvent::OrderCancelled { reason: c.reason }]),
                // Already cancelled, whatever the reason: the first one stands.
                OrderStatus::Cancelled => Ok(Vec::new()),
                OrderStatus::Confirmed => Err(OrderError::InvalidTransition {
                    from: order.status,
                    to: OrderStatus::Cancelled,
                }),
            },
        }
    }
}

impl PlaceOrder {
    fn decide(&self, order: &Order) -> Result<Vec<OrderEvent>, OrderError> {
        if order.exists() {
            // A redelivered checkout places the same order again: nothing to do. Anything else
            // under the same id is a conflict.
            return if order.customer_id == Some(self.customer_id) && order.lines == self.lines {
                Ok(Vec::new())
            } else {
                Err(OrderError::AlreadyExists)
            };
        }
        if self.lines.is_empty() {
            return Err(OrderError::EmptyOrder);
        }
        Ok(vec![OrderEvent::OrderPlaced {
            order_id: self.order_id,
            customer_id: self.customer_id,
            lines: self.lines.clone(),
            total_cents: total_cents(&self.lines),
        }])
    }
}
