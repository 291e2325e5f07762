//! `tail`: prints the store's feed (global, or one correlation's) as events are appended, one
//! line per event: time, event type, stream, version, correlation id. Never the data, which
//! may hold (sealed) personal fields.
//!
//! It polls the feed from a little before the newest event it has printed, because events
//! appended a moment apart by different writers can reach the feed out of their time order;
//! what it already printed is remembered for that window, so nothing is printed twice.

use chrono::{DateTime, Duration as Span, Utc};
use es_core::EventEnvelope;
use std::collections::HashSet;
use std::io::Write;
use std::time::Duration;

use crate::error::{Context, Result};
use crate::feed::{self, FeedQuery, FeedReader};
use crate::stack::Stack;

#[derive(Debug, Clone)]
pub struct TailOptions {
    pub correlation_id: Option<String>,
    /// Print what is there and stop.
    pub once: bool,
    /// How many of the newest events to print first.
    pub last: usize,
    pub interval: Duration,
}

/// How far back each poll looks again for late arrivals.
const LATE_WINDOW_SECONDS: i64 = 10;

/// One event's line.
pub fn line(envelope: &EventEnvelope) -> String {
    format!(
        "{}  {}  {}  v{}  correlation={}",
        es_core::time::format(&envelope.occurred_at),
        envelope.event_type,
        envelope.stream_id().key(),
        envelope.version,
        envelope.correlation_id
    )
}

/// Follows the feed, writing lines to `out`, until interrupted; with `once`, writes the
/// events already there and returns how many.
pub async fn tail(stack: &Stack, options: &TailOptions, out: &mut impl Write) -> Result<u64> {
    let store = stack.event_store().await?;
    let base = match &options.correlation_id {
        Some(id) => FeedQuery::correlation(id.clone()),
        None => FeedQuery::global(),
    };
    // The newest `last` events, printed oldest first.
    let mut reader = FeedReader::new(&store, base.clone().newest_first());
    let mut newest = Vec::new();
    while newest.len() < options.last {
        match reader.next().await? {
            Some(envelope) => newest.push(envelope),
            None => break,
        }
    }
    let mut printed: HashSet<(String, u64)> = HashSet::new();
    let mut high_water: Option<DateTime<Utc>> = None;
    let mut lines = 0;
    for envelope in newest.into_iter().rev() {
        lines += print(out, &envelope, &mut printed, &mut high_water)?;
    }
    if options.once {
        return Ok(lines);
    }
    loop {
        tokio::time::sleep(options.interval).await;
        let mut query = base.clone();
        if let Some(high) = high_water {
            query.low = feed::key_at(&(high - Span::seconds(LATE_WINDOW_SECONDS)));
        }
        let mut reader = FeedReader::new(&store, query);
        while let Some(envelope) = reader.next().await? {
            print(out, &envelope, &mut printed, &mut high_water)?;
        }
        if let Some(high) = high_water {
            // Forget what is older than any poll will look at again.
            let horizon = feed::key_at(&(high - Span::seconds(2 * LATE_WINDOW_SECONDS)));
            printed.retain(|(key, _)| *key >= horizon);
        }
    }
}

fn print(
    out: &mut impl Write,
    envelope: &EventEnvelope,
    printed: &mut HashSet<(String, u64)>,
    high_water: &mut Option<DateTime<Utc>>,
) -> Result<u64> {
    // Keyed by time first, so that old entries can be dropped by comparing text.
    let id = (
        format!(
            "{}#{}",
            es_core::time::format(&envelope.occurred_at),
            envelope.stream_id().key()
        ),
        envelope.version,
    );
    if !printed.insert(id) {
        return Ok(0);
    }
    if high_water.is_none_or(|high| envelope.occurred_at > high) {
        *high_water = Some(envelope.occurred_at);
    }
    writeln!(out, "{}", line(envelope)).context("writing to standard output")?;
    out.flush().context("writing to standard output")?;
    Ok(1)
}
