//! Snapshots: the latest state of a stream at a version, so a load replays only the tail.
//!
//! A snapshot is one item of the stream's own partition of the events table, at the fixed sort
//! key [`SNAPSHOT_SORT_KEY`] above every event version: a newest-first query of the partition
//! returns it first and the events above it next, so a load is one request (see `read.rs`).
//! It carries `snapshot_schema`, `snapshot_version` and `state` and none of the event or feed
//! attributes, so it appears in no feed index and stream consumers skip it.
//!
//! A snapshot is a cache, never a source of truth: writing one is best-effort, and one that no
//! longer deserialises (or was taken with another state schema) is ignored and the aggregate
//! is rebuilt from its events.

use aws_sdk_dynamodb::operation::put_item::PutItemError;
use aws_sdk_dynamodb::types::AttributeValue;
use es_core::{Aggregate, StreamId};

use crate::dynamo::DynamoError;
use crate::error::StoreError;
use crate::item::{self, Item};
use crate::schema::{SNAPSHOT_SCHEMA, SNAPSHOT_SORT_KEY, STREAM_ID, VERSION};
use crate::store::EventStore;

/// The version of the stream the snapshot's state reflects (the sort key is fixed).
const SNAPSHOT_VERSION: &str = "snapshot_version";
const STATE: &str = "state";

/// Whether an item of the events table is a snapshot rather than an event.
pub(crate) fn is_snapshot(item: &Item) -> bool {
    item.contains_key(SNAPSHOT_SCHEMA)
}

/// The state and version of a snapshot item, if it was taken with `A`'s current state schema
/// and still deserialises.
pub(crate) fn usable<A: Aggregate>(snapshot: &Item) -> Option<(A, u64)> {
    let schema: u32 = item::number_attribute(snapshot, SNAPSHOT_SCHEMA).ok()?;
    if schema != A::SNAPSHOT_SCHEMA {
        return None;
    }
    let version: u64 = item::number_attribute(snapshot, SNAPSHOT_VERSION).ok()?;
    let state: A = serde_json::from_str(&item::text_attribute(snapshot, STATE).ok()?).ok()?;
    Some((state, version))
}

impl EventStore {
    /// Stores `state` as the snapshot of `aggregate_id` at `version`, unless a newer snapshot
    /// of the same schema is already there (concurrent writers never move it backwards).
    pub async fn save_snapshot<A: Aggregate>(
        &self,
        aggregate_id: &str,
        state: &A,
        version: u64,
    ) -> Result<(), StoreError> {
        let snapshot = Snapshot::of(aggregate_id, state, version)?;
        self.write_snapshot(&snapshot).await
    }

    /// Writes a snapshot taken with [`Snapshot::of`] (see [`EventStore::save_snapshot`]).
    ///
    /// A `PutItem` of the whole item: the previous snapshot is replaced, never updated, so the
    /// item only ever holds the attributes written here.
    pub(crate) async fn write_snapshot(&self, snapshot: &Snapshot) -> Result<(), StoreError> {
        let result = self
            .client
            .put_item()
            .table_name(&self.tables.events)
            .item(STREAM_ID, item::stream_value(&snapshot.stream))
            .item(VERSION, AttributeValue::N(SNAPSHOT_SORT_KEY.into()))
            .item(
                SNAPSHOT_SCHEMA,
                AttributeValue::N(snapshot.schema.to_string()),
            )
            .item(SNAPSHOT_VERSION, item::version_value(snapshot.version))
            .item(STATE, AttributeValue::S(snapshot.state.clone()))
            .condition_expression(
                "attribute_not_exists(stream_id) OR snapshot_version < :v \
                 OR snapshot_schema <> :schema",
            )
            .expression_attribute_values(":v", item::version_value(snapshot.version))
            .expression_attribute_values(":schema", AttributeValue::N(snapshot.schema.to_string()))
            .send()
            .await;
        match result {
            Ok(_) => Ok(()),
            // A newer snapshot is there already (or an SDK retry found our own write).
            Err(err) => match err.into_service_error() {
                PutItemError::ConditionalCheckFailedException(_) => Ok(()),
                other => Err(DynamoError::service(other).into()),
            },
        }
    }
}

/// A state serialised for a snapshot item, whatever its aggregate type (so that one write of
/// several aggregates can snapshot each of them afterwards).
#[derive(Debug, Clone)]
pub(crate) struct Snapshot {
    pub stream: StreamId,
    pub schema: u32,
    pub state: String,
    pub version: u64,
}

impl Snapshot {
    pub fn of<A: Aggregate>(
        aggregate_id: &str,
        state: &A,
        version: u64,
    ) -> Result<Self, StoreError> {
        Ok(Self {
            stream: StreamId::new(A::TYPE, aggregate_id),
            schema: A::SNAPSHOT_SCHEMA,
            state: serde_json::to_string(state)
                .map_err(|e| StoreError::corrupt(format!("state does not serialise: {e}")))?,
            version,
        })
    }
}
