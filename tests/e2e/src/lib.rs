//! What the end-to-end tests stand on: the local cloud they start, a client for its HTTP API,
//! polling with a deadline, and a small runner for scenarios.

mod api;
mod cloud;
mod command;
pub mod roads;
pub mod shop;
mod suite;

pub use api::{strings, Api, Reply};
pub use cloud::LocalCloud;
pub use command::run_ok;
pub use suite::{eventually, Cloud, Suite};
