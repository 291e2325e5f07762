//! Reading the store's feeds in full, in time order: the global feed's shards merged (or one
//! correlation's partition), between two `feed_key`s, oldest or newest first.
//!
//! The same indexes and keys as `event_store`'s paged feed (SPEC §5, `schema`), read as a
//! stream rather than a page: each partition is queried page by page, and the heads of the
//! partitions are merged on `feed_key` (`occurred_at#stream_id#version`). Items convert to
//! envelopes as the publisher converts stream images (`event_consumer::envelope_from_image`).

use aws_sdk_dynamodb::types::{AttributeValue, Select};
use aws_sdk_dynamodb::Client;
use chrono::{DateTime, Utc};
use es_core::EventEnvelope;
use event_store::schema::{
    BY_CORRELATION_INDEX, FEED_KEY, FEED_SHARD, FEED_SHARDS, GLOBAL_FEED_INDEX,
};
use event_store::EventStore;
use std::collections::{HashMap, VecDeque};

use crate::error::{Context, Error, Result};

type Item = HashMap<String, AttributeValue>;

/// Below every `feed_key` (they start with a year).
pub const LOWEST_KEY: &str = "0";
/// Above every `feed_key`.
pub const HIGHEST_KEY: &str = "~";

/// The `feed_key` bound of a time: events at `time` or later have keys at or above it (a key
/// is the time, `#`, then more), events before it keys below it.
pub fn key_at(time: &DateTime<Utc>) -> String {
    es_core::time::format(time)
}

/// What to read.
#[derive(Debug, Clone)]
pub struct FeedQuery {
    /// `None`: the global feed (every shard); else one correlation.
    pub correlation_id: Option<String>,
    /// Keys from `low` (inclusive) to `high` (inclusive; [`key_at`] bounds exclude the time).
    pub low: String,
    pub high: String,
    /// Only events of these aggregate types (a filter expression); empty: all.
    pub aggregate_types: Vec<String>,
    pub newest_first: bool,
}

impl FeedQuery {
    /// The whole global feed.
    pub fn global() -> Self {
        Self {
            correlation_id: None,
            low: LOWEST_KEY.into(),
            high: HIGHEST_KEY.into(),
            aggregate_types: Vec::new(),
            newest_first: false,
        }
    }

    pub fn correlation(id: impl Into<String>) -> Self {
        Self {
            correlation_id: Some(id.into()),
            ..Self::global()
        }
    }

    /// Events that occurred from `from` (inclusive) to `to` (exclusive).
    pub fn between(mut self, from: &DateTime<Utc>, to: &DateTime<Utc>) -> Self {
        self.low = key_at(from);
        self.high = key_at(to);
        self
    }

    pub fn of_types(mut self, types: &[&str]) -> Self {
        self.aggregate_types = types.iter().map(|t| (*t).to_owned()).collect();
        self
    }

    pub fn newest_first(mut self) -> Self {
        self.newest_first = true;
        self
    }

    /// The index partitions to read: `(index, partition attribute, value)`.
    fn partitions(&self) -> Vec<(&'static str, &'static str, String)> {
        match &self.correlation_id {
            Some(id) => vec![(BY_CORRELATION_INDEX, "correlation_id", id.clone())],
            None => (0..FEED_SHARDS)
                .map(|shard| (GLOBAL_FEED_INDEX, FEED_SHARD, format!("shard-{shard}")))
                .collect(),
        }
    }
}

/// One partition being read: its unread items of the current page, and where the next page
/// starts (`None` with `done`: nothing more).
struct Partition {
    index: &'static str,
    attribute: &'static str,
    value: String,
    buffer: VecDeque<Item>,
    next_start: Option<Item>,
    done: bool,
}

/// The events of a [`FeedQuery`], one at a time, in `feed_key` order.
pub struct FeedReader {
    client: Client,
    table: String,
    query: FeedQuery,
    partitions: Vec<Partition>,
}

/// Items per query page.
const PAGE: i32 = 100;

impl FeedReader {
    pub fn new(store: &EventStore, query: FeedQuery) -> Self {
        let partitions = query
            .partitions()
            .into_iter()
            .map(|(index, attribute, value)| Partition {
                index,
                attribute,
                value,
                buffer: VecDeque::new(),
                next_start: None,
                done: false,
            })
            .collect();
        Self {
            client: store.client().clone(),
            table: store.tables().events.clone(),
            query,
            partitions,
        }
    }

    /// The next event, or `None` at the end of the range.
    pub async fn next(&mut self) -> Result<Option<EventEnvelope>> {
        for i in 0..self.partitions.len() {
            while self.partitions[i].buffer.is_empty() && !self.partitions[i].done {
                self.fill(i).await?;
            }
        }
        let key = |p: &Partition| p.buffer.front().map(feed_key);
        let newest_first = self.query.newest_first;
        let chosen = self
            .partitions
            .iter()
            .enumerate()
            .filter_map(|(i, p)| key(p).map(|k| (i, k)))
            .reduce(|best, next| {
                let better = if newest_first {
                    next.1 > best.1
                } else {
                    next.1 < best.1
                };
                if better {
                    next
                } else {
                    best
                }
            });
        let Some((i, _)) = chosen else {
            return Ok(None);
        };
        let item = self.partitions[i].buffer.pop_front().expect("a head");
        envelope_of(item).map(Some)
    }

    /// How many events the range holds (a `COUNT` query per partition: reads the index once).
    pub async fn count(&self) -> Result<u64> {
        let mut total = 0;
        for partition in &self.partitions {
            let mut start = None;
            loop {
                let page = self
                    .base_query(partition)
                    .select(Select::Count)
                    .set_exclusive_start_key(start)
                    .send()
                    .await
                    .context("counting the feed's events")?;
                total += page.count().max(0) as u64;
                match page.last_evaluated_key().filter(|k| !k.is_empty()) {
                    Some(key) => start = Some(key.clone()),
                    None => break,
                }
            }
        }
        Ok(total)
    }

    async fn fill(&mut self, i: usize) -> Result<()> {
        let partition = &self.partitions[i];
        let page = self
            .base_query(partition)
            .limit(PAGE)
            .set_exclusive_start_key(partition.next_start.clone())
            .send()
            .await
            .context("reading the event feed")?;
        let partition = &mut self.partitions[i];
        partition.buffer.extend(page.items().iter().cloned());
        partition.next_start = page.last_evaluated_key().filter(|k| !k.is_empty()).cloned();
        partition.done = partition.next_start.is_none();
        Ok(())
    }

    fn base_query(
        &self,
        partition: &Partition,
    ) -> aws_sdk_dynamodb::operation::query::builders::QueryFluentBuilder {
        let mut query = self
            .client
            .query()
            .table_name(&self.table)
            .index_name(partition.index)
            .key_condition_expression("#pk = :pk AND #key BETWEEN :low AND :high")
            .expression_attribute_names("#pk", partition.attribute)
            .expression_attribute_names("#key", FEED_KEY)
            .expression_attribute_values(":pk", AttributeValue::S(partition.value.clone()))
            .expression_attribute_values(":low", AttributeValue::S(self.query.low.clone()))
            .expression_attribute_values(":high", AttributeValue::S(self.query.high.clone()))
            .scan_index_forward(!self.query.newest_first);
        if !self.query.aggregate_types.is_empty() {
            let names: Vec<String> = (0..self.query.aggregate_types.len())
                .map(|i| format!(":t{i}"))
                .collect();
            query = query
                .filter_expression(format!("#type IN ({})", names.join(", ")))
                .expression_attribute_names("#type", "aggregate_type");
            for (name, value) in names.iter().zip(&self.query.aggregate_types) {
                query = query.expression_attribute_values(name, AttributeValue::S(value.clone()));
            }
        }
        query
    }
}

fn feed_key(item: &Item) -> String {
    match item.get(FEED_KEY) {
        Some(AttributeValue::S(key)) => key.clone(),
        _ => String::new(),
    }
}

/// An item of a feed index as the envelope it stores, read as the publisher reads a stream
/// image.
fn envelope_of(item: Item) -> Result<EventEnvelope> {
    let key = feed_key(&item);
    event_consumer::envelope_from_image(&serde_dynamo::Item::from(item))
        .map_err(|e| Error::new(format!("the feed item {key} is not an event: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_bounds_include_the_start_and_exclude_the_end() {
        let at = |s: &str| es_core::time::parse(s).unwrap();
        let query = FeedQuery::global().between(
            &at("2026-11-22T10:00:00.000Z"),
            &at("2026-11-22T11:00:00.000Z"),
        );
        let inside = "2026-11-22T10:00:00.000Z#radar#r1#00000000000000000001".to_owned();
        let at_end = "2026-11-22T11:00:00.000Z#radar#r1#00000000000000000002".to_owned();
        let before = "2026-11-22T09:59:59.999Z#radar#r1#00000000000000000001".to_owned();
        assert!(query.low <= inside && inside <= query.high);
        assert!(at_end > query.high, "an event at `to` is left out");
        assert!(before < query.low);
        assert!(LOWEST_KEY < before.as_str() && inside.as_str() < HIGHEST_KEY);
    }

    #[test]
    fn the_global_feed_reads_every_shard_and_a_correlation_one_partition() {
        assert_eq!(FeedQuery::global().partitions().len(), FEED_SHARDS as usize);
        let one = FeedQuery::correlation("c-1").partitions();
        assert_eq!(
            one,
            [(BY_CORRELATION_INDEX, "correlation_id", "c-1".to_owned())]
        );
    }
}
