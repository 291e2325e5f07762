//! Reading streams and rebuilding aggregates.

use aws_sdk_dynamodb::types::AttributeValue;
use chrono::{DateTime, Utc};
use es_core::{Aggregate, EventEnvelope, StreamId};

use crate::error::StoreError;
use crate::item;
use crate::snapshot;
use crate::store::EventStore;

/// An aggregate as loaded: its state and the version of its stream that the state reflects.
#[derive(Debug, Clone)]
pub struct Loaded<A> {
    pub state: A,
    /// The stream's version (0: no events yet). The next event is `version + 1`.
    pub version: u64,
    /// The version of the snapshot the load started from (0: replayed from the start).
    pub snapshot_version: u64,
    /// How many events were replayed on top of the snapshot.
    pub replayed: u64,
}

impl<A: Default> Loaded<A> {
    /// The stream of an id the server just made up: empty, nothing to read.
    pub fn new_stream() -> Self {
        Self {
            state: A::default(),
            version: 0,
            snapshot_version: 0,
            replayed: 0,
        }
    }
}

impl<A> Loaded<A> {
    pub fn exists(&self) -> bool {
        self.version > 0
    }
}

/// A point in a stream's past to rebuild a state at.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum PointInTime {
    Version(u64),
    Time(DateTime<Utc>),
}

impl EventStore {
    /// Events of one stream with `from <= version <= to`, oldest first.
    ///
    /// Reads are strongly consistent (a command must see the last append) and follow
    /// `LastEvaluatedKey`, so a stream larger than one 1 MB page comes back whole.
    pub async fn read_stream(
        &self,
        stream: &StreamId,
        from: u64,
        to: Option<u64>,
    ) -> Result<Vec<EventEnvelope>, StoreError> {
        let mut events = Vec::new();
        let mut start_key = None;
        loop {
            let page = self
                .client
                .query()
                .table_name(&self.tables.events)
                .key_condition_expression("stream_id = :s AND version BETWEEN :from AND :to")
                .expression_attribute_values(":s", item::stream_value(stream))
                .expression_attribute_values(":from", item::version_value(from.max(1)))
                .expression_attribute_values(
                    ":to",
                    AttributeValue::N(to.unwrap_or(i64::MAX as u64).to_string()),
                )
                .consistent_read(true)
                .set_exclusive_start_key(start_key)
                .send()
                .await?;
            // The snapshot's sort key is above any version asked for; skipping it here too keeps
            // a read of events a read of events whatever the bounds.
            for found in page.items().iter().filter(|i| !snapshot::is_snapshot(i)) {
                events.push(item::from_item(found)?);
            }
            match page.last_evaluated_key() {
                Some(key) if !key.is_empty() => start_key = Some(key.clone()),
                _ => return Ok(events),
            }
        }
    }

    /// Loads an aggregate: its snapshot if one is usable, then the events after it.
    ///
    /// One consistent query of the stream's partition, newest first: the snapshot item comes
    /// first (its sort key is above every version), then the events from the newest down to
    /// the snapshot's version. The first page holds the snapshot and `snapshot_every + 1`
    /// events, so a stream snapshotted on schedule loads in one request whatever its length;
    /// the query reads on, in 1 MB pages, only when the tail is longer than that or there is no
    /// usable snapshot to stop at (the whole stream is then replayed).
    pub async fn load<A: Aggregate>(&self, aggregate_id: &str) -> Result<Loaded<A>, StoreError> {
        let stream = StreamId::new(A::TYPE, aggregate_id);
        let mut snapshot: Option<(A, u64)> = None;
        let mut newest_first: Vec<EventEnvelope> = Vec::new();
        let mut saw_event = false;
        let mut limit = Some(self.first_load_page());
        let mut start_key = None;
        'pages: loop {
            let page = self
                .client
                .query()
                .table_name(&self.tables.events)
                .key_condition_expression("stream_id = :s")
                .expression_attribute_values(":s", item::stream_value(&stream))
                .scan_index_forward(false)
                .consistent_read(true)
                .set_limit(limit)
                .set_exclusive_start_key(start_key)
                .send()
                .await?;
            for found in page.items() {
                if snapshot::is_snapshot(found) {
                    snapshot = snapshot::usable::<A>(found);
                    if snapshot.is_none() {
                        tracing::warn!(%stream, "snapshot unusable, replaying the whole stream");
                    }
                    continue;
                }
                let event = item::from_item(found)?;
                let first_event = !saw_event;
                saw_event = true;
                if let Some((_, at)) = &snapshot {
                    if first_event && event.version < *at {
                        // Ahead of the stream's newest event: not a state of these events.
                        tracing::warn!(%stream, "snapshot ahead of the stream, replaying it");
                        snapshot = None;
                    } else if event.version <= *at {
                        break 'pages;
                    }
                }
                newest_first.push(event);
            }
            match page.last_evaluated_key() {
                Some(key) if !key.is_empty() => {
                    start_key = Some(key.clone());
                    limit = None;
                }
                _ => break,
            }
        }
        if !saw_event && snapshot.is_some() {
            tracing::warn!(%stream, "snapshot of a stream without events, ignored");
            snapshot = None;
        }
        newest_first.reverse();
        let (state, snapshot_version) = snapshot.unwrap_or_default();
        fold(state, snapshot_version, &newest_first)
    }

    /// The first page of a load: the snapshot, the `snapshot_every` events a stream may gain
    /// before its next snapshot, and one more for a command that appended two across it.
    fn first_load_page(&self) -> i32 {
        i32::try_from(self.snapshot_every.saturating_add(2)).unwrap_or(i32::MAX)
    }

    /// Rebuilds an aggregate as it was at a version or an instant, by replaying its stream
    /// from the start (a snapshot only holds the latest state).
    pub async fn load_at<A: Aggregate>(
        &self,
        aggregate_id: &str,
        point: PointInTime,
    ) -> Result<Loaded<A>, StoreError> {
        let stream = StreamId::new(A::TYPE, aggregate_id);
        let events = match point {
            PointInTime::Version(version) => self.read_stream(&stream, 1, Some(version)).await?,
            PointInTime::Time(at) => {
                let mut events = self.read_stream(&stream, 1, None).await?;
                events.retain(|e| e.occurred_at <= at);
                events
            }
        };
        fold(A::default(), 0, &events)
    }
}

fn fold<A: Aggregate>(
    mut state: A,
    snapshot_version: u64,
    events: &[EventEnvelope],
) -> Result<Loaded<A>, StoreError> {
    let mut version = snapshot_version;
    for envelope in events {
        // An event that no longer decodes is a broken contract: failing loudly beats deciding
        // on a state that silently skipped a fact.
        let event = envelope.decode::<A::Event>().map_err(|e| {
            StoreError::corrupt(format!(
                "{} v{} ({}): {e}",
                envelope.stream_id(),
                envelope.version,
                envelope.event_type
            ))
        })?;
        state.apply(&event);
        version = envelope.version;
    }
    Ok(Loaded {
        state,
        version,
        snapshot_version,
        replayed: events.len() as u64,
    })
}

impl EventStore {
    /// One page of a stream, oldest first, within `from..=to`. The cursor is the next version
    /// to read, so pages neither skip nor repeat events appended in between.
    pub async fn stream_page(
        &self,
        stream: &StreamId,
        from: u64,
        to: Option<u64>,
        limit: usize,
        cursor: Option<&str>,
    ) -> Result<crate::Page<EventEnvelope>, StoreError> {
        let limit = limit.clamp(1, crate::MAX_PAGE_SIZE) as u64;
        let start = match cursor {
            None => from.max(1),
            Some(cursor) => crate::feed::decode_version_cursor(cursor)?.max(from),
        };
        // One more than asked tells whether another page exists.
        let last_wanted = start + limit;
        let upto = to.map_or(last_wanted, |to| to.min(last_wanted));
        let mut items = self.read_stream(stream, start, Some(upto)).await?;
        let next_cursor = (items.len() as u64 > limit).then(|| {
            items.truncate(limit as usize);
            crate::feed::encode_version_cursor(start + limit)
        });
        Ok(crate::Page { items, next_cursor })
    }
}
