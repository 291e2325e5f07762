//! What the saga asks of an order (no client sends these directly).

use uuid::Uuid;

use super::CancellationReason;
use crate::line::OrderLine;

#[derive(Debug, Clone, PartialEq)]
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

impl From<PlaceOrder> for OrderCommand {
    fn from(command: PlaceOrder) -> Self {
        Self::Place(command)
    }
}

impl From<ConfirmSale> for OrderCommand {
    fn from(command: ConfirmSale) -> Self {
        Self::Confirm(command)
    }
}

impl From<CancelOrder> for OrderCommand {
    fn from(command: CancelOrder) -> Self {
        Self::Cancel(command)
    }
}
