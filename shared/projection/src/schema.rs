//! Creating a view's table, for tests and local runs (the template declares the same tables
//! for AWS).

use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, GlobalSecondaryIndex, KeySchemaElement, KeyType, Projection,
    ProjectionType, ScalarAttributeType,
};
use aws_sdk_dynamodb::Client;

use crate::error::ProjectionError;
use crate::view::Index;

/// Creates a table with string partition key `key` and the given indexes (all string keys,
/// all attributes projected), billed per request.
pub async fn create_view_table(
    client: &Client,
    name: &str,
    key: &str,
    indexes: &[Index],
) -> Result<(), ProjectionError> {
    let mut attributes = vec![key];
    let mut request = client
        .create_table()
        .table_name(name)
        .billing_mode(BillingMode::PayPerRequest)
        .key_schema(key_element(key, KeyType::Hash)?);
    for index in indexes {
        let mut gsi = GlobalSecondaryIndex::builder()
            .index_name(index.name)
            .key_schema(key_element(index.partition_key, KeyType::Hash)?)
            .projection(
                Projection::builder()
                    .projection_type(ProjectionType::All)
                    .build(),
            );
        attributes.push(index.partition_key);
        if let Some(sort_key) = index.sort_key {
            gsi = gsi.key_schema(key_element(sort_key, KeyType::Range)?);
            attributes.push(sort_key);
        }
        request = request.global_secondary_indexes(gsi.build()?);
    }
    attributes.sort_unstable();
    attributes.dedup();
    for attribute in attributes {
        request = request.attribute_definitions(
            AttributeDefinition::builder()
                .attribute_name(attribute)
                .attribute_type(ScalarAttributeType::S)
                .build()?,
        );
    }
    request.send().await?;
    Ok(())
}

fn key_element(name: &str, key_type: KeyType) -> Result<KeySchemaElement, ProjectionError> {
    Ok(KeySchemaElement::builder()
        .attribute_name(name)
        .key_type(key_type)
        .build()?)
}
