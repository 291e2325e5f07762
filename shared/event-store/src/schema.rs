//! The layout of the event table (events, uniqueness guards, snapshots), in one place:
//! attribute names, keys, indexes, and the `CreateTable` call tests use (`template.yaml`
//! declares the same layout for AWS).

use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, GlobalSecondaryIndex, KeySchemaElement, KeyType, Projection,
    ProjectionType, ScalarAttributeType, StreamSpecification, StreamViewType,
};
use aws_sdk_dynamodb::Client;

use crate::error::StoreError;

pub const STREAM_ID: &str = "stream_id";
pub const VERSION: &str = "version";
/// Sort key of every feed index: `occurred_at#stream_id#version`, unique and time-ordered.
pub const FEED_KEY: &str = "feed_key";
/// Partition key of the global feed: one of [`FEED_SHARDS`] write shards, so that the feed of
/// every event does not funnel all writes into one index partition. Each shard takes an equal
/// share (1/8) of the writes; the global feed's write ceiling is about 1,000 events/s per
/// shard, and an unfiltered page reads every shard.
pub const FEED_SHARD: &str = "feed_shard";
pub const FEED_SHARDS: u8 = 8;

pub const BY_CORRELATION_INDEX: &str = "by_correlation";
pub const GLOBAL_FEED_INDEX: &str = "global_feed";

/// Items whose `stream_id` starts with this are uniqueness guards, not events: they carry no
/// event attributes, so they appear in no feed index, and stream consumers skip them.
pub const GUARD_PREFIX: &str = "$unique#";

/// The sort key of a stream's snapshot item, its "tip" (as Equinox calls it): one item per
/// stream, in the stream's own partition, above every event version (10^20 > `u64::MAX`), so
/// that a newest-first query of the partition returns it first, ahead of the tail it needs,
/// and a query of integer versions never returns it.
pub const SNAPSHOT_SORT_KEY: &str = "100000000000000000000";
/// The attribute that marks a snapshot item. A snapshot carries no event attributes, so it
/// appears in no feed index; stream consumers skip items that carry this attribute.
pub const SNAPSHOT_SCHEMA: &str = "snapshot_schema";

/// The feed indexes: name and partition key; both sort on [`FEED_KEY`]. Each costs one write
/// unit per event (see `feed.rs` for why two and not one per filter).
pub const FEED_INDEXES: [(&str, &str); 2] = [
    (BY_CORRELATION_INDEX, "correlation_id"),
    (GLOBAL_FEED_INDEX, FEED_SHARD),
];

fn key(name: &str, key_type: KeyType) -> Result<KeySchemaElement, StoreError> {
    Ok(KeySchemaElement::builder()
        .attribute_name(name)
        .key_type(key_type)
        .build()?)
}

fn attribute(name: &str, kind: ScalarAttributeType) -> Result<AttributeDefinition, StoreError> {
    Ok(AttributeDefinition::builder()
        .attribute_name(name)
        .attribute_type(kind)
        .build()?)
}

/// Creates the event table with its stream (new images) and feed indexes.
pub async fn create_event_table(client: &Client, name: &str) -> Result<(), StoreError> {
    let mut request = client
        .create_table()
        .table_name(name)
        .billing_mode(BillingMode::PayPerRequest)
        .key_schema(key(STREAM_ID, KeyType::Hash)?)
        .key_schema(key(VERSION, KeyType::Range)?)
        .attribute_definitions(attribute(STREAM_ID, ScalarAttributeType::S)?)
        .attribute_definitions(attribute(VERSION, ScalarAttributeType::N)?)
        .attribute_definitions(attribute(FEED_KEY, ScalarAttributeType::S)?)
        .stream_specification(
            StreamSpecification::builder()
                .stream_enabled(true)
                .stream_view_type(StreamViewType::NewImage)
                .build()?,
        );
    for (index, partition) in FEED_INDEXES {
        request = request
            .attribute_definitions(attribute(partition, ScalarAttributeType::S)?)
            .global_secondary_indexes(
                GlobalSecondaryIndex::builder()
                    .index_name(index)
                    .key_schema(key(partition, KeyType::Hash)?)
                    .key_schema(key(FEED_KEY, KeyType::Range)?)
                    .projection(
                        Projection::builder()
                            .projection_type(ProjectionType::All)
                            .build(),
                    )
                    .build()?,
            );
    }
    request.send().await?;
    Ok(())
}
