use event_store::DynamoError;

/// A failure of the key store. None of them is a client's fault: a function answers 5xx.
#[derive(Debug, thiserror::Error)]
pub enum KeyStoreError {
    #[error(transparent)]
    Dynamo(DynamoError),
    /// `save` found a key already stored for the subject (ids are new UUIDs: a bug).
    #[error("a key is already stored for {0}")]
    KeyExists(String),
    /// An item of the keys table does not hold a 32-byte key.
    #[error("the keys table holds an unusable item for {0}")]
    Corrupt(String),
    /// The system's random generator failed.
    #[error("no random key material")]
    Random,
    /// A subject that is empty or one of the table's own items (`$pepper`).
    #[error("{0:?} is not a person's subject")]
    Reserved(String),
    #[error("{0} is not set")]
    NotConfigured(&'static str),
    /// The keys table kept answering part of a batch read as unprocessed.
    #[error("BatchGetItem left keys unprocessed after {0} attempts")]
    Unprocessed(u32),
}

impl<T: Into<DynamoError>> From<T> for KeyStoreError {
    fn from(err: T) -> Self {
        Self::Dynamo(err.into())
    }
}
