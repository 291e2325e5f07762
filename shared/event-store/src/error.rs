use es_core::StreamId;

/// A failure to talk to the store, or data in it that does not read back.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("DynamoDB: {0}")]
    Dynamo(#[from] Box<aws_sdk_dynamodb::Error>),
    #[error("building a DynamoDB request: {0}")]
    Build(#[from] aws_sdk_dynamodb::error::BuildError),
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

impl<E, R> From<aws_sdk_dynamodb::error::SdkError<E, R>> for StoreError
where
    aws_sdk_dynamodb::Error: From<aws_sdk_dynamodb::error::SdkError<E, R>>,
{
    fn from(err: aws_sdk_dynamodb::error::SdkError<E, R>) -> Self {
        Self::Dynamo(Box::new(err.into()))
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

impl<E, R> From<aws_sdk_dynamodb::error::SdkError<E, R>> for AppendError
where
    aws_sdk_dynamodb::Error: From<aws_sdk_dynamodb::error::SdkError<E, R>>,
{
    fn from(err: aws_sdk_dynamodb::error::SdkError<E, R>) -> Self {
        Self::Store(err.into())
    }
}
