//! The order domain of SPEC §6, pure: no I/O, no clock, no AWS.
//!
//! Four aggregates implement [`es_core::Aggregate`]:
//!
//! - a [`Product`] holds its stock on hand and the reservations the saga made against it;
//! - a [`Customer`] holds a balance and decides each order's payment once
//!   ([`PAYMENT_SCOPE`] guards that decision across redeliveries);
//! - a [`Cart`], one per customer (its id is the `customer_id`), exists implicitly and is
//!   emptied by a checkout, which hands its [`OrderLine`]s to a new order;
//! - an [`Order`] is placed `PENDING` and ends `CONFIRMED` or `CANCELLED`.
//!
//! The saga is choreographed outside this crate; each aggregate here only decides its own
//! step. Refusals the saga must react to are events (`PaymentRefused`), while refusals a
//! client sees are typed errors implementing [`es_core::DomainError`]. Commands a client can
//! send have a `from_json` constructor that reports every problem of a body at once; anything
//! that lives in another stream (a product's price when adding it to a cart) is passed in by
//! the caller.

pub mod cart;
pub mod customer;
pub mod line;
pub mod order;
pub mod product;
pub mod stock;

#[cfg(test)]
mod testing;

pub use cart::*;
pub use customer::*;
pub use line::{total_cents, OrderLine};
pub use order::*;
pub use product::*;
pub use stock::{Reservation, Settlement, RESERVATION_SCOPE, SETTLEMENT_SCOPE};
