//! The order service: carts and checkout, the order queries and reports, and the saga's last
//! steps (SPEC §6): confirm the order on `StockCommitted`, cancel it on `StockUnavailable` or
//! `StockReleased`.

pub mod cart;
pub mod queries;
pub mod saga;
