//! The event feeds of SPEC §5: newest first, paged, filtered by event type, aggregate type and
//! correlation id.
//!
//! Two indexes serve them, both sorted by `feed_key` (time, then stream and version): the
//! correlation index, whose keys are as many as the correlations (no hot partition), and the
//! global feed, spread over [`FEED_SHARDS`] write shards. A correlation id picks the first;
//! anything else reads the shards of the global feed and merges them, the type and aggregate
//! type becoming a filter expression. Two indexes rather than one per filter: every index
//! costs a write unit per event, and an index keyed by event type or aggregate type has a
//! handful of keys, each one a partition that caps the whole system's write rate.
//!
//! A filtered read examines at most [`SCAN_BUDGET`] index items per shard per page, so the
//! cost of one call is bounded even for a rare type: a page may then hold fewer items than
//! asked, with a cursor to go on. The cursor is a `feed_key`; the next page starts strictly
//! before it whatever was appended since.

use aws_sdk_dynamodb::types::AttributeValue;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use es_core::EventEnvelope;
use serde::Serialize;

use crate::error::StoreError;
use crate::item::{self, Item};
use crate::schema::{BY_CORRELATION_INDEX, FEED_KEY, FEED_SHARD, FEED_SHARDS, GLOBAL_FEED_INDEX};
use crate::store::EventStore;

pub const DEFAULT_PAGE_SIZE: usize = 20;
pub const MAX_PAGE_SIZE: usize = 100;
/// Index items one page may examine per shard: about 500 KB of events, two or three requests.
pub const SCAN_BUDGET: usize = 1_000;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EventFilter {
    pub event_type: Option<String>,
    pub aggregate_type: Option<String>,
    pub correlation_id: Option<String>,
}

/// One page of a list (SPEC §2): `{"items": [...], "next_cursor": "..." | null}`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

/// One index partition to read.
struct Source {
    index: &'static str,
    partition_attribute: &'static str,
    partition_value: String,
}

impl EventFilter {
    /// The partitions to read and the filters left over: the correlation index when a
    /// correlation id is given, else every shard of the global feed.
    fn plan(&self) -> (Vec<Source>, Vec<(&'static str, &str)>) {
        let filters: Vec<(&'static str, &str)> = [
            ("event_type", self.event_type.as_deref()),
            ("aggregate_type", self.aggregate_type.as_deref()),
        ]
        .into_iter()
        .filter_map(|(attribute, value)| value.map(|v| (attribute, v)))
        .collect();
        let sources = match &self.correlation_id {
            Some(correlation) => vec![Source {
                index: BY_CORRELATION_INDEX,
                partition_attribute: "correlation_id",
                partition_value: correlation.clone(),
            }],
            None => (0..FEED_SHARDS)
                .map(|shard| Source {
                    index: GLOBAL_FEED_INDEX,
                    partition_attribute: FEED_SHARD,
                    partition_value: format!("shard-{shard}"),
                })
                .collect(),
        };
        (sources, filters)
    }
}

/// What one partition gave: matching items, newest first, and, when it holds more than was
/// read, the `feed_key` of the last item it examined (nothing below it was looked at).
struct Read {
    items: Vec<Item>,
    read_down_to: Option<String>,
}

pub fn encode_cursor(feed_key: &str) -> String {
    URL_SAFE_NO_PAD.encode(feed_key)
}

fn decode_cursor(cursor: &str) -> Result<String, StoreError> {
    URL_SAFE_NO_PAD
        .decode(cursor)
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .filter(|key| key.contains('#'))
        .ok_or(StoreError::BadCursor)
}

/// A stream page's cursor: the next version to read.
pub fn encode_version_cursor(version: u64) -> String {
    encode_cursor(&format!("v#{version}"))
}

pub fn decode_version_cursor(cursor: &str) -> Result<u64, StoreError> {
    decode_cursor(cursor)?
        .strip_prefix("v#")
        .and_then(|v| v.parse().ok())
        .ok_or(StoreError::BadCursor)
}

fn feed_key_of(found: &Item) -> String {
    item::text_attribute(found, FEED_KEY).unwrap_or_default()
}

impl EventStore {
    /// A page of events matching `filter`, newest first. `limit` is clamped to 1..=100.
    pub async fn query_events(
        &self,
        filter: &EventFilter,
        limit: usize,
        cursor: Option<&str>,
    ) -> Result<Page<EventEnvelope>, StoreError> {
        self.query_events_examining(filter, limit, cursor, SCAN_BUDGET)
            .await
    }

    /// [`EventStore::query_events`] examining at most `budget` index items per partition
    /// (tests use a small one to see short pages).
    pub async fn query_events_examining(
        &self,
        filter: &EventFilter,
        limit: usize,
        cursor: Option<&str>,
        budget: usize,
    ) -> Result<Page<EventEnvelope>, StoreError> {
        let limit = limit.clamp(1, MAX_PAGE_SIZE);
        let budget = budget.max(1);
        let before = cursor.map(decode_cursor).transpose()?;
        let (sources, filters) = filter.plan();
        // One more than asked tells whether another page exists.
        let wanted = limit + 1;
        let reads = sources
            .iter()
            .map(|source| self.read_feed(source, &filters, before.as_deref(), wanted, budget));
        let reads = futures::future::try_join_all(reads).await?;
        // Below the shallowest point a partition stopped at, some partition was not read:
        // items there wait for the next page, which starts at that point.
        let floor = reads.iter().filter_map(|r| r.read_down_to.clone()).max();
        let mut found: Vec<Item> = reads
            .into_iter()
            .flat_map(|r| r.items)
            .filter(|i| floor.as_ref().is_none_or(|floor| &feed_key_of(i) >= floor))
            .collect();
        found.sort_by_key(|i| std::cmp::Reverse(feed_key_of(i)));
        let next_cursor = if found.len() > limit {
            found.truncate(limit);
            Some(encode_cursor(&feed_key_of(&found[limit - 1])))
        } else {
            floor.as_deref().map(encode_cursor)
        };
        let items = found
            .iter()
            .map(item::from_item)
            .collect::<Result<_, _>>()?;
        Ok(Page { items, next_cursor })
    }

    /// Up to `wanted` matching items of one index partition, newest first, examining at most
    /// `budget` items.
    async fn read_feed(
        &self,
        source: &Source,
        filters: &[(&'static str, &str)],
        before: Option<&str>,
        wanted: usize,
        budget: usize,
    ) -> Result<Read, StoreError> {
        let mut key_condition = "#pk = :pk".to_owned();
        if before.is_some() {
            key_condition.push_str(" AND feed_key < :before");
        }
        let filter_expression = filters
            .iter()
            .enumerate()
            .map(|(i, _)| format!("#f{i} = :f{i}"))
            .collect::<Vec<_>>()
            .join(" AND ");
        let mut collected = Vec::new();
        let mut examined = 0;
        let mut start_key = None;
        loop {
            let mut query = self
                .client
                .query()
                .table_name(&self.tables.events)
                .index_name(source.index)
                .key_condition_expression(&key_condition)
                .expression_attribute_names("#pk", source.partition_attribute)
                .expression_attribute_values(
                    ":pk",
                    AttributeValue::S(source.partition_value.clone()),
                )
                .scan_index_forward(false)
                .limit((wanted - collected.len()).min(budget - examined).max(1) as i32)
                .set_exclusive_start_key(start_key);
            if let Some(before) = before {
                query = query
                    .expression_attribute_values(":before", AttributeValue::S(before.to_owned()));
            }
            if !filters.is_empty() {
                query = query.filter_expression(&filter_expression);
                for (i, (attribute, value)) in filters.iter().enumerate() {
                    query = query
                        .expression_attribute_names(format!("#f{i}"), *attribute)
                        .expression_attribute_values(
                            format!(":f{i}"),
                            AttributeValue::S((*value).to_owned()),
                        );
                }
            }
            let page = query.send().await?;
            examined += page.scanned_count().max(0) as usize;
            collected.extend(page.items().iter().cloned());
            let more = page.last_evaluated_key().filter(|key| !key.is_empty());
            match more {
                Some(key) if collected.len() < wanted && examined < budget => {
                    start_key = Some(key.clone())
                }
                Some(key) => {
                    return Ok(Read {
                        items: collected,
                        read_down_to: item::text_attribute(key, FEED_KEY).ok(),
                    })
                }
                None => {
                    return Ok(Read {
                        items: collected,
                        read_down_to: None,
                    })
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursor_round_trips_and_rejects_garbage() {
        let key = "2026-11-22T10:15:00.123Z#radar#r1#00000000000000000003";
        assert_eq!(decode_cursor(&encode_cursor(key)).unwrap(), key);
        assert!(matches!(decode_cursor("%%%"), Err(StoreError::BadCursor)));
        assert!(matches!(
            decode_cursor(&encode_cursor("nohash")),
            Err(StoreError::BadCursor)
        ));
    }

    #[test]
    fn a_correlation_id_picks_its_index() {
        let filter = EventFilter {
            event_type: Some("OverspeedDetected".into()),
            aggregate_type: Some("radar".into()),
            correlation_id: Some("c-1".into()),
        };
        let (sources, rest) = filter.plan();
        assert_eq!(sources.len(), 1);
        assert_eq!(sources[0].index, BY_CORRELATION_INDEX);
        assert_eq!(
            rest,
            vec![
                ("event_type", "OverspeedDetected"),
                ("aggregate_type", "radar")
            ]
        );
    }

    #[test]
    fn no_filter_reads_every_feed_shard() {
        let filter = EventFilter::default();
        let (sources, rest) = filter.plan();
        assert_eq!(sources.len(), FEED_SHARDS as usize);
        assert!(sources.iter().all(|s| s.index == GLOBAL_FEED_INDEX));
        assert!(rest.is_empty());
    }

    #[test]
    fn type_filters_read_the_global_feed_with_a_filter_expression() {
        let filter = EventFilter {
            event_type: Some("OverspeedDetected".into()),
            aggregate_type: Some("radar".into()),
            correlation_id: None,
        };
        let (sources, rest) = filter.plan();
        assert_eq!(sources.len(), FEED_SHARDS as usize);
        assert!(sources.iter().all(|s| s.index == GLOBAL_FEED_INDEX));
        assert_eq!(
            rest,
            vec![
                ("event_type", "OverspeedDetected"),
                ("aggregate_type", "radar")
            ]
        );
    }
}
