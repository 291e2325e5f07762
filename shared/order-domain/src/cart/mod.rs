//! The cart aggregate (SPEC §6): one per customer, its id is the `customer_id`. A cart exists
//! implicitly: the state of an empty stream is an empty cart. A checkout hands its lines to a
//! new order and leaves the cart empty.

mod commands;
mod error;
mod events;
#[cfg(test)]
mod tests;

pub use commands::*;
pub use error::CartError;
pub use events::CartEvent;

use es_core::Aggregate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::line::{total_cents, OrderLine};

/// The most distinct products a cart holds (SPEC §8). It also bounds the saga's reservation, one
/// transaction item per product plus its guard and the order, under DynamoDB's 100 items.
pub const MAX_CART_LINES: usize = 50;

/// A cart's lines, one per product, in the order the products were first added.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cart {
    pub lines: Vec<OrderLine>,
}

impl Cart {
    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    pub fn line(&self, product_id: Uuid) -> Option<&OrderLine> {
        self.lines.iter().find(|l| l.product_id == product_id)
    }

    pub fn total_cents(&self) -> u64 {
        total_cents(&self.lines)
    }
}

impl Aggregate for Cart {
    const TYPE: &'static str = "cart";

    type Command = CartCommand;
    type Event = CartEvent;
    type Error = CartError;

    fn apply(&mut self, event: &CartEvent) {
        match event {
            CartEvent::CartItemAdded {
                product_id,
                quantity,
                price_cents,
            } => match self.lines.iter_mut().find(|l| l.product_id == *product_id) {
                // Adding a product already in the cart adds to its quantity, at the latest
                // price.
                Some(line) => {
                    line.quantity = line.quantity.saturating_add(*quantity);
                    line.price_cents = *price_cents;
                }
                None => self.lines.push(OrderLine {
                    product_id: *product_id,
                    quantity: *quantity,
                    price_cents: *price_cents,
                }),
            },
            CartEvent::CartItemRemoved { product_id } => {
                self.lines.retain(|l| l.product_id != *product_id);
            }
            CartEvent::CartCheckedOut { .. } => self.lines.clear(),
        }
    }
}
