use es_core::StreamId;

use crate::dynamo::DynamoError;

/// A failure to talk to the store, or data in it that does not read back.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(transparent)]
    Dynamo(DynamoError),
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    #[error("invalid cursor")]
    BadCursor,
}

impl StoreError {
    pub fn corrupt(what: impl Into<String>) -> Self {
        Self::Corrupt(what.into())
    }
}

/// Any DynamoDB failure (an SDK error, a request that does not build) with `?`.
impl<T: Into<DynamoError>> From<T> for StoreError {
    fn from(err: T) -> Self {
        Self::Dynamo(err.into())
    }
}

/// Why an append did not happen. Nothing of the batch was written in any case.
#[derive(Debug, thiserror::Error)]
pub enum AppendError {
    /// The stream moved past the version the writer read: retry from a fresh load.
    #[error("stream {stream} was changed concurrently")]
    Conflict { stream: StreamId },
    /// A uniqueness guard is already held.
    #[error("{scope} {value} is already taken")]
    Duplicate { scope: String, value: String },
    /// DynamoDB transactions hold at most 100 items.
    #[error("a batch of {0} items is over the 100 items of one transaction")]
    TooLarge(usize),
    /// A batch whose versions are not consecutive after the expected one: a bug in the caller.
    #[error("invalid batch: {0}")]
    InvalidBatch(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl<T: Into<DynamoError>> From<T> for AppendError {
    fn from(err: T) -> Self {
        Self::Store(StoreError::Dynamo(err.into()))
    }
}
