//! The event feeds of SPEC §5: newest first, paged, filtered by event type, aggregate type and
//! correlation id.
//!
//! Each filter has its own index sorted by `feed_key` (time, then stream and version). The
//! most selective filter present picks the index; the others become a filter expression.
//! Without filters the global feed is read: its [`FEED_SHARDS`] write shards are queried and
//! merged. The cursor is the `feed_key` of the last event returned, so a page starts strictly
//! before it whatever was appended since.

use aws_sdk_dynamodb::types::AttributeValue;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use es_core::EventEnvelope;
use serde::Serialize;

use crate::error::StoreError;
use crate::item::{self, Item};
use crate::schema::{
    BY_AGGREGATE_TYPE_INDEX, BY_CORRELATION_INDEX, BY_TYPE_INDEX, FEED_KEY, FEED_SHARD,
    FEED_SHARDS, GLOBAL_FEED_INDEX,
};
use crate::store::EventStore;

pub const DEFAULT_PAGE_SIZE: usize = 20;
pub const MAX_PAGE_SIZE: usize = 100;

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
    /// The partitions to read, most selective index first, and the filters left over.
    fn plan(&self) -> (Vec<Source>, Vec<(&'static str, &str)>) {
        let filters = [
            (
                BY_CORRELATION_INDEX,
                "correlation_id",
                self.correlation_id.as_deref(),
            ),
            (BY_TYPE_INDEX, "event_type", self.event_type.as_deref()),
            (
                BY_AGGREGATE_TYPE_INDEX,
                "aggregate_type",
                self.aggregate_type.as_deref(),
            ),
        ];
        let mut present = filters
            .into_iter()
            .filter_map(|(index, attribute, value)| value.map(|v| (index, attribute, v)));
        match present.next() {
            Some((index, attribute, value)) => (
                vec![Source {
                    index,
                    partition_attribute: attribute,
                    partition_value: value.to_owned(),
                }],
                present
                    .map(|(_, attribute, value)| (attribute, value))
                    .collect(),
            ),
            None => (
                (0..FEED_SHARDS)
                    .map(|shard| Source {
                        index: GLOBAL_FEED_INDEX,
                        partition_attribute: FEED_SHARD,
                        partition_value: format!("shard-{shard}"),
                    })
                    .collect(),
                Vec::new(),
            ),
        }
    }
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
        let limit = limit.clamp(1, MAX_PAGE_SIZE);
        let before = cursor.map(decode_cursor).transpose()?;
        let (sources, filters) = filter.plan();
        // One more than asked tells whether another page exists.
        let wanted = limit + 1;
        let reads = sources
            .iter()
            .map(|source| self.read_feed(source, &filters, before.as_deref(), wanted));
        let mut found: Vec<Item> = futures::future::try_join_all(reads)
            .await?
            .into_iter()
            .flatten()
            .collect();
        found.sort_by_key(|i| std::cmp::Reverse(feed_key_of(i)));
        let next_cursor =
            (found.len() > limit).then(|| encode_cursor(&feed_key_of(&found[limit - 1])));
        found.truncate(limit);
        let items = found
            .iter()
            .map(item::from_item)
            .collect::<Result<_, _>>()?;
        Ok(Page { items, next_cursor })
    }

    /// Up to `wanted` matching items of one index partition, newest first.
    async fn read_feed(
        &self,
        source: &Source,
        filters: &[(&'static str, &str)],
        before: Option<&str>,
        wanted: usize,
    ) -> Result<Vec<Item>, StoreError> {
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
                .limit((wanted - collected.len()).max(1) as i32)
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
            collected.extend(page.items().iter().cloned());
            match page.last_evaluated_key() {
                Some(key) if !key.is_empty() && collected.len() < wanted => {
                    start_key = Some(key.clone())
                }
                _ => return Ok(collected),
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
    fn most_selective_filter_picks_the_index() {
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
}
