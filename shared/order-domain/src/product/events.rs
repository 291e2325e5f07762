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
}

impl DomainEvent for ProductEvent {}
