//! What can be asked of a product: by clients (create, restock, validated from request bodies)
//! and by the saga (reserve, commit, release).

use es_core::{Input, ValidationError};
use serde_json::Value;
use std::ops::RangeInclusive;
use uuid::Uuid;

const NAME_LEN: RangeInclusive<usize> = 1..=200;
const PRICE_CENTS: RangeInclusive<i64> = 1..=100_000_000;
const INITIAL_STOCK: RangeInclusive<i64> = 0..=1_000_000;
const REORDER_LEVEL: RangeInclusive<i64> = 0..=1_000_000;
const RESTOCK_QUANTITY: RangeInclusive<i64> = 1..=1_000_000;
/// SPEC §6: `reorder_level` defaults to 10.
pub const DEFAULT_REORDER_LEVEL: u32 = 10;

#[derive(Debug, Clone, PartialEq)]
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

/// `POST /products/{id}/restock` `{quantity}`
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RestockProduct {
    pub quantity: u32,
}

impl RestockProduct {
    pub fn from_json(body: &Value) -> Result<Self, ValidationError> {
        let mut input = Input::object(body, &["quantity"]);
        let quantity = input.int("quantity", RESTOCK_QUANTITY) as u32;
        input.finish()?;
        Ok(Self { quantity })
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

impl From<CreateProduct> for ProductCommand {
    fn from(command: CreateProduct) -> Self {
        Self::Create(command)
    }
}

impl From<RestockProduct> for ProductCommand {
    fn from(command: RestockProduct) -> Self {
        Self::Restock(command)
    }
}

impl From<ReserveStock> for ProductCommand {
    fn from(command: ReserveStock) -> Self {
        Self::Reserve(command)
    }
}

impl From<CommitStock> for ProductCommand {
    fn from(command: CommitStock) -> Self {
        Self::Commit(command)
    }
}

impl From<ReleaseStock> for ProductCommand {
    fn from(command: ReleaseStock) -> Self {
        Self::Release(command)
    }
}
