//! What can be asked of a product: by clients (create, restock, validated from request bodies)
//! and by the saga (reserve, commit, release); and the decision each one asks of the product.

use es_core::{Decide, Input, ValidationError};
use serde_json::Value;
use std::ops::RangeInclusive;
use uuid::Uuid;

use super::{Product, ProductError, ProductEvent};

const NAME_LEN: RangeInclusive<usize> = 1..=200;
const PRICE_CENTS: RangeInclusive<i64> = 1..=100_000_000;
const INITIAL_STOCK: RangeInclusive<i64> = 0..=1_000_000;
const REORDER_LEVEL: RangeInclusive<i64> = 0..=1_000_000;
const RESTOCK_QUANTITY: RangeInclusive<i64> = 1..=1_000_000;
/// SPEC §6: `reorder_level` defaults to 10.
pub const DEFAULT_REORDER_LEVEL: u32 = 10;

/// Built from any of its single commands (`From`, derived).
#[derive(Debug, Clone, PartialEq, derive_more::From)]
pub enum ProductCommand {
    Create(CreateProduct),
    Restock(RestockProduct),
    Reserve(ReserveStock),
    Commit(CommitStock),
    Release(ReleaseStock),
}

/// `POST /products` `{name, price_cents, initial_stock, reorder_level?}`
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreateProduct {
    pub product_id: Uuid,
    pub name: String,
    pub price_cents: u64,
    pub initial_stock: u32,
    pub reorder_level: u32,
}

impl CreateProduct {
    pub fn from_json(product_id: Uuid, body: &Value) -> Result<Self, ValidationError> {
        let mut input = Input::object(
            body,
            &["name", "price_cents", "initial_stock", "reorder_level"],
        );
        let name = input.string("name", NAME_LEN);
        let price_cents = input.int("price_cents", PRICE_CENTS) as u64;
        let initial_stock = input.int("initial_stock", INITIAL_STOCK) as u32;
        let reorder_level = input
            .opt_int("reorder_level", REORDER_LEVEL)
            .map_or(DEFAULT_REORDER_LEVEL, |n| n as u32);
        input.finish()?;
        Ok(Self {
            product_id,
            name,
            price_cents,
            initial_stock,
            reorder_level,
        })
    }
}

es_core::single_field_command! {
    /// `POST /products/{id}/restock` `{quantity}`
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub struct RestockProduct {
        pub quantity: u32 = |input, field| input.int(field, RESTOCK_QUANTITY) as u32
    }
}

/// Saga step on `OrderPlaced`: set `quantity` aside for the order. Reserving again for the
/// same order does nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReserveStock {
    pub order_id: Uuid,
    pub quantity: u32,
}

/// Saga step on `PaymentAccepted`: the order's reservation becomes a sale. Without a
/// reservation (already committed or released) it does nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CommitStock {
    pub order_id: Uuid,
}

/// Compensation on `PaymentRefused`: the order's reservation is given back. Without a
/// reservation it does nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReleaseStock {
    pub order_id: Uuid,
}

// The decisions: what a product in a given state records for each command, or why it refuses.

impl Decide<Product> for ProductCommand {
    fn decide(&self, product: &Product) -> Result<Vec<ProductEvent>, ProductError> {
        match self {
            Self::Create(c) => c.decide(product),
            Self::Restock(c) => existing(product).map(|_| {
                vec![ProductEvent::ProductRestocked {
                    quantity: c.quantity,
                }]
            }),
            Self::Reserve(c) => c.decide(existing(product)?, product),
            Self::Commit(CommitStock { order_id }) => existing(product).map(|product_id| {
                settle(product, *order_id, |quantity| {
                    ProductEvent::StockCommitted {
                        order_id: *order_id,
                        product_id,
                        quantity,
                    }
                })
            }),
            Self::Release(ReleaseStock { order_id }) => existing(product).map(|product_id| {
                settle(product, *order_id, |quantity| ProductEvent::StockReleased {
                    order_id: *order_id,
                    product_id,
                    quantity,
                })
            }),
        }
    }
}

/// The product's id, or `NotFound`: every command but `Create` needs a created product.
fn existing(product: &Product) -> Result<Uuid, ProductError> {
    product.product_id.ok_or(ProductError::NotFound)
}

impl CreateProduct {
    fn decide(&self, product: &Product) -> Result<Vec<ProductEvent>, ProductError> {
        if product.exists() {
            return Err(ProductError::AlreadyExists);
        }
        Ok(vec![ProductEvent::ProductCreated {
            product_id: self.product_id,
            name: self.name.clone(),
            price_cents: self.price_cents,
            initial_stock: self.initial_stock,
            reorder_level: self.reorder_level,
        }])
    }
}

impl ReserveStock {
    fn decide(
        &self,
        product_id: Uuid,
        product: &Product,
    ) -> Result<Vec<ProductEvent>, ProductError> {
        if product.reservations.contains_key(&self.order_id) {
            // A redelivered reservation: already done.
            return Ok(Vec::new());
        }
        let available = product.available();
        if available < u64::from(self.quantity) {
            return Err(ProductError::InsufficientStock {
                available,
                requested: self.quantity,
            });
        }
        Ok(vec![ProductEvent::StockReserved {
            order_id: self.order_id,
            product_id,
            quantity: self.quantity,
        }])
    }
}

/// A commit or a release settles the order's reservation, whole; without one (already
/// settled) there is nothing to do.
fn settle(
    product: &Product,
    order_id: Uuid,
    event: impl FnOnce(u32) -> ProductEvent,
) -> Vec<ProductEvent> {
    product
        .reservations
        .get(&order_id)
        .map(|quantity| event(*quantity))
        .into_iter()
        .collect()
}
