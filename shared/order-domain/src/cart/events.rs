//! What happened to a cart (SPEC §6). Variant names are the `event_type`s.

use es_core::DomainEvent;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::line::OrderLine;

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(tag = "event_type", content = "data")]
pub enum CartEvent {
    /// Adds `quantity` to the product's line (creating it), at `price_cents` a unit.
    CartItemAdded {
        product_id: Uuid,
        quantity: u32,
        price_cents: u64,
    },
    CartItemRemoved {
        product_id: Uuid,
    },
    /// The cart's lines became the order `order_id`; the cart is empty again.
    CartCheckedOut {
        order_id: Uuid,
        lines: Vec<OrderLine>,
    },
}

impl DomainEvent for CartEvent {}
