use es_core::StreamId;
use event_store::{DynamoError, StoreError};

#[derive(Debug, thiserror::Error)]
pub enum ProjectionError {
    /// A view table's request failed.
    #[error(transparent)]
    Dynamo(DynamoError),
    #[error("event store: {0}")]
    Store(StoreError),
    /// A view that does not (de)serialise as a DynamoDB item, or an item that is not a view.
    #[error("view {key} does not convert to or from an item: {reason}")]
    Item { key: String, reason: String },
    /// The event store does not hold the versions an envelope says exist (yet): retry later.
    #[error("{stream}: the store has versions {found:?} where {from}..={to} were expected")]
    Gap {
        stream: StreamId,
        from: u64,
        to: u64,
        found: Vec<u64>,
    },
    /// An event of the view's streams this build cannot decode (unknown type, data that does
    /// not read, a schema version no upcaster reaches): the message fails (retried, then
    /// dead-lettered) rather than the view moving past it.
    #[error("{stream} version {version}: {event_type} does not decode: {reason}")]
    Undecodable {
        stream: StreamId,
        version: u64,
        event_type: String,
        reason: String,
    },
    /// Concurrent writers kept winning: the message is retried later.
    #[error("view {key} kept changing concurrently ({attempts} attempts)")]
    Conflict { key: String, attempts: u32 },
    /// A cursor this table did not hand out.
    #[error("invalid cursor")]
    BadCursor,
    /// A required environment variable is missing.
    #[error("environment variable {0} is not set")]
    MissingEnv(String),
}

/// A view table's DynamoDB failure (an SDK error, a request that does not build) with `?`;
/// the event store's failures are [`ProjectionError::Store`], said so where they happen.
impl<T: Into<DynamoError>> From<T> for ProjectionError {
    fn from(err: T) -> Self {
        Self::Dynamo(err.into())
    }
}

pub(crate) fn env(name: &str) -> Result<String, ProjectionError> {
    std::env::var(name).map_err(|_| ProjectionError::MissingEnv(name.to_owned()))
}
