//! The layout of the keys table, in one place (`template.yaml` declares the same for AWS as
//! `PersonalDataKeysTable`), and the `CreateTable` call tests use.

use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, KeySchemaElement, KeyType, ScalarAttributeType,
    SseSpecification,
};
use aws_sdk_dynamodb::Client;

use crate::KeyStoreError;

/// Partition key (S): `owner#<uuid>`, `customer#<uuid>`, or [`PEPPER_SUBJECT`].
pub const SUBJECT: &str = "subject";
/// The 32 bytes of key material (B).
pub const DATA_KEY: &str = "data_key";
/// The item that holds the system-wide pepper of fingerprints. No subject starts with `$`.
pub const PEPPER_SUBJECT: &str = "$pepper";

/// Creates the keys table: on demand, `subject` as its key, encrypted at rest.
pub async fn create_keys_table(client: &Client, name: &str) -> Result<(), KeyStoreError> {
    client
        .create_table()
        .table_name(name)
        .billing_mode(BillingMode::PayPerRequest)
        .key_schema(
            KeySchemaElement::builder()
                .attribute_name(SUBJECT)
                .key_type(KeyType::Hash)
                .build()?,
        )
        .attribute_definitions(
            AttributeDefinition::builder()
                .attribute_name(SUBJECT)
                .attribute_type(ScalarAttributeType::S)
                .build()?,
        )
        .sse_specification(SseSpecification::builder().enabled(true).build())
        .send()
        .await?;
    Ok(())
}
