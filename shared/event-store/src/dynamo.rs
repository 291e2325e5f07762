//! What every crate that talks to DynamoDB shares (the event store, the views, the key store,
//! the infraction policy's plate table): its failure, and reading one item by its key.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;
use aws_sdk_dynamodb::Client;

/// A DynamoDB request that failed: answered with an error or not at all, or never built. The
/// errors of the crates that talk to DynamoDB hold it, and take any SDK error with `?`.
#[derive(Debug, thiserror::Error)]
pub enum DynamoError {
    #[error("DynamoDB: {0}")]
    Service(#[source] Box<aws_sdk_dynamodb::Error>),
    #[error("building a DynamoDB request: {0}")]
    Build(#[from] aws_sdk_dynamodb::error::BuildError),
}

impl DynamoError {
    /// An operation's error that the caller does not handle itself (e.g. anything but a failed
    /// condition).
    pub fn service(error: impl Into<aws_sdk_dynamodb::Error>) -> Self {
        Self::Service(Box::new(error.into()))
    }
}

impl<E, R> From<aws_sdk_dynamodb::error::SdkError<E, R>> for DynamoError
where
    aws_sdk_dynamodb::Error: From<aws_sdk_dynamodb::error::SdkError<E, R>>,
{
    fn from(err: aws_sdk_dynamodb::error::SdkError<E, R>) -> Self {
        Self::service(err)
    }
}

/// The item of `table` whose (string) partition key `key_name` is `key`, if there is one; a
/// consistent read sees every write before it.
pub async fn get_item(
    client: &Client,
    table: &str,
    (key_name, key): (&str, &str),
    consistent: bool,
) -> Result<Option<HashMap<String, AttributeValue>>, DynamoError> {
    let found = client
        .get_item()
        .table_name(table)
        .key(key_name, AttributeValue::S(key.to_owned()))
        .consistent_read(consistent)
        .send()
        .await?;
    Ok(found.item)
}
