//! Snapshots: the latest state of a stream at a version, so a load reads only the tail.
//!
//! A snapshot is a cache, never a source of truth: writing one is best-effort, and one that no
//! longer deserialises (or was taken with another state schema) is ignored and the aggregate
//! is rebuilt from its events.

use aws_sdk_dynamodb::operation::put_item::PutItemError;
use aws_sdk_dynamodb::types::AttributeValue;
use es_core::{Aggregate, StreamId};

use crate::error::StoreError;
use crate::item;
use crate::schema::{STREAM_ID, VERSION};
use crate::store::EventStore;

const SCHEMA: &str = "snapshot_schema";
const STATE: &str = "state";

impl EventStore {
    pub(crate) async fn read_snapshot<A: Aggregate>(
        &self,
        stream: &StreamId,
    ) -> Result<Option<(A, u64)>, StoreError> {
        let found = self
            .client
            .get_item()
            .table_name(&self.tables.snapshots)
            .key(STREAM_ID, item::stream_value(stream))
            .consistent_read(true)
            .send()
            .await?;
        let Some(snapshot) = found.item() else {
            return Ok(None);
        };
        let usable = (|| {
            let schema: u32 = item::number_attribute(snapshot, SCHEMA).ok()?;
            if schema != A::SNAPSHOT_SCHEMA {
                return None;
            }
            let version: u64 = item::number_attribute(snapshot, VERSION).ok()?;
            let state: A =
                serde_json::from_str(&item::text_attribute(snapshot, STATE).ok()?).ok()?;
            Some((state, version))
        })();
        if usable.is_none() {
            tracing::warn!(%stream, "snapshot unusable, replaying the whole stream");
        }
        Ok(usable)
    }

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
    pub(crate) async fn write_snapshot(&self, snapshot: &Snapshot) -> Result<(), StoreError> {
        let result = self
            .client
            .put_item()
            .table_name(&self.tables.snapshots)
            .item(STREAM_ID, item::stream_value(&snapshot.stream))
            .item(VERSION, item::version_value(snapshot.version))
            .item(SCHEMA, AttributeValue::N(snapshot.schema.to_string()))
            .item(STATE, AttributeValue::S(snapshot.state.clone()))
            .condition_expression(
                "attribute_not_exists(stream_id) OR version < :v OR snapshot_schema <> :schema",
            )
            .expression_attribute_values(":v", item::version_value(snapshot.version))
            .expression_attribute_values(":schema", AttributeValue::N(snapshot.schema.to_string()))
            .send()
            .await;
        match result {
            Ok(_) => Ok(()),
            Err(err) => match err.into_service_error() {
                PutItemError::ConditionalCheckFailedException(_) => Ok(()),
                other => Err(StoreError::Dynamo(Box::new(other.into()))),
            },
        }
    }
}

/// A state serialised for the snapshot table, whatever its aggregate type (so that one write
/// of several aggregates can snapshot each of them afterwards).
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
