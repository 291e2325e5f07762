//! The product aggregate (SPEC §6): a product's price, its stock on hand, and the stock the
//! saga reserved for orders that are not settled yet.
//!
//! `stock` is what is on hand; `available = stock - reserved`. A reservation only ever takes
//! from `available` and a commit only ever takes a reservation out of `stock`, so neither can go
//! negative: that is by construction, and tested.

mod commands;
mod error;
mod events;
#[cfg(test)]
mod tests;

pub use commands::*;
pub use error::ProductError;
pub use events::ProductEvent;

use es_core::Aggregate;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use uuid::Uuid;

/// A product's state. It is snapshotted: it keeps only the reservations of orders still in
/// flight (each is removed by its commit or release).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Product {
    /// `None` until the product is created.
    pub product_id: Option<Uuid>,
    pub name: String,
    pub price_cents: u64,
    /// On hand, reserved or not.
    pub stock: u64,
    pub reorder_level: u32,
    /// Quantity reserved per order.
    pub reservations: BTreeMap<Uuid, u32>,
}

impl Product {
    pub fn exists(&self) -> bool {
        self.product_id.is_some()
    }

    /// Everything reserved for orders in flight.
    pub fn reserved(&self) -> u64 {
        self.reservations.values().map(|q| u64::from(*q)).sum()
    }

    /// What a new reservation may take.
    pub fn available(&self) -> u64 {
        self.stock.saturating_sub(self.reserved())
    }

    /// `available <= reorder_level` (the `low_stock` of SPEC §6).
    pub fn is_low_stock(&self) -> bool {
        self.available() <= u64::from(self.reorder_level)
    }
}

impl Aggregate for Product {
    const TYPE: &'static str = "product";

    type Command = ProductCommand;
    type Event = ProductEvent;
    type Error = ProductError;

    fn apply(&mut self, event: &ProductEvent) {
        match event {
            ProductEvent::ProductCreated {
                product_id,
                name,
                price_cents,
                initial_stock,
                reorder_level,
            } => {
                *self = Self {
                    product_id: Some(*product_id),
                    name: name.clone(),
                    price_cents: *price_cents,
                    stock: u64::from(*initial_stock),
                    reorder_level: *reorder_level,
                    reservations: BTreeMap::new(),
                };
            }
            ProductEvent::ProductRestocked { quantity } => {
                self.stock = self.stock.saturating_add(u64::from(*quantity));
            }
            ProductEvent::StockReserved {
                order_id, quantity, ..
            } => {
                self.reservations.insert(*order_id, *quantity);
            }
            ProductEvent::StockCommitted {
                order_id, quantity, ..
            } => {
                self.reservations.remove(order_id);
                self.stock = self.stock.saturating_sub(u64::from(*quantity));
            }
            ProductEvent::StockReleased { order_id, .. } => {
                self.reservations.remove(order_id);
            }
            ProductEvent::StockUnavailable { .. } => {}
        }
    }
}
