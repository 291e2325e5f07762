//! What integration tests need to run against real AWS APIs on this machine.
//!
//! [`Moto`] starts a private `moto_server` on a free loopback port for the test that owns it
//! and stops it when dropped; [`RequestCounter`] counts the HTTP requests an SDK client sends,
//! so a test can assert how many DynamoDB round trips an operation costs;
//! [`EventStoreFixture`] is moto with an event table and the store on it; [`drain_queue`]
//! reads an SQS queue to the end, with a deadline; [`scan_table`] reads a whole table;
//! [`orders`] registers the customers and products of the order system's tests.

mod counter;
mod event_store;
mod moto;
pub mod orders;
mod queue;
mod table;

pub use counter::RequestCounter;
pub use event_store::EventStoreFixture;
pub use moto::{free_port, sqs_client, Moto};
pub use queue::drain_queue;
pub use table::{scan_table, Item};

/// A table name no other test uses, so tests can share a server without seeing each other.
pub fn unique_name(prefix: &str) -> String {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    format!(
        "{prefix}-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}
