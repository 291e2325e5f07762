//! The event store on DynamoDB, the single source of truth.
//!
//! One table holds every stream: partition key `stream_id` (`aggregate_type#aggregate_id`),
//! sort key `version`. An append is a conditional write on the next version
//! (`attribute_not_exists`), so two writers that read the same version cannot both succeed.
//! One event is one `PutItem`; several events, several streams or a uniqueness guard are one
//! `TransactWriteItems`. A stream's snapshot is one more item of its partition, above every
//! version, and only a cache: a load is one newest-first query, snapshot and tail together.
//!
//! [`CommandHandler`] ties it together: load (snapshot + tail), decide with the aggregate,
//! append with the expected version, retry a bounded number of times on a conflict; its
//! [`CommandHandler::create`] decides on a fresh id without loading (one request in all), and
//! its [`CommandHandler::transact`] does the same as `execute` for a decision across several
//! aggregates, appended as one atomic write ([`Transaction`]).

mod append;
pub mod dynamo;
mod error;
mod feed;
mod handler;
mod item;
mod read;
pub mod schema;
mod snapshot;
mod store;
mod transaction;

pub use append::{AppendBatch, Claim};
pub use dynamo::DynamoError;
pub use error::{AppendError, StoreError};
pub use feed::{EventFilter, Page, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE};
pub use handler::{backoff, CommandError, CommandHandler, Expected, Outcome};
pub use read::{Loaded, PointInTime};
pub use store::{EventStore, Tables};
pub use transaction::Transaction;
