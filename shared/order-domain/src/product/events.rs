//! What happened to a product (SPEC §6). Variant names are the `event_type`s.

use es_core::DomainEvent;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(tag = "event_type", content = "data")]
pub enum ProductEvent {
    ProductCreated {
        product_id: Uuid,
        name: String,
        price_cents: u64,
        initial_stock: u32,
        reorder_level: u32,
    },
    ProductRestocked {
        quantity: u32,
    },
    /// `quantity` is set aside for the order: still on hand, no longer available.
    StockReserved {
        order_id: Uuid,
        product_id: Uuid,
        quantity: u32,
    },
    /// The order's reservation became a sale: it leaves the stock on hand.
    StockCommitted {
        order_id: Uuid,
        product_id: Uuid,
        quantity: u32,
    },
    /// The order's reservation was given back (compensation): available again.
    StockReleased {
        order_id: Uuid,
        product_id: Uuid,
        quantity: u32,
    },
    /// The order could not be reserved because this product (the first short line) had only
    /// `available` of the `requested`: nothing was reserved for the order, on any product.
    /// A fact for the saga (the order is cancelled); the stock does not change.
    StockUnavailable {
        order_id: Uuid,
        product_id: Uuid,
        requested: u32,
        available: u64,
    },
}

impl DomainEvent for ProductEvent {}
