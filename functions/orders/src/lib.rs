//! The order service: carts and checkout, the order queries and reports, and the saga's last
//! steps (SPEC §6): confirm the order on `StockCommitted`, cancel it on `StockUnavailable` or
//! `StockReleased`; and the order deadline (SPEC §9).

pub mod cart;
pub mod commands;
pub mod deadline;
pub mod queries;
pub mod saga;
