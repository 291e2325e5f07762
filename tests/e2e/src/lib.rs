//! What the end-to-end tests stand on: the local cloud they start, a client for its HTTP API,
//! polling with a deadline, and a small runner for scenarios.

mod api;
mod cloud;
pub mod roads;
pub mod shop;
mod suite;

pub use api::{Api, Reply};
pub use cloud::LocalCloud;
pub use suite::{eventually, Cloud, Suite};
