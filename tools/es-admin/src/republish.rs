//! `republish --from T --to T`: the stored events that occurred in `[from, to)` on the bus
//! again, oldest first, as the publisher put them. Consumers are idempotent, so an event they
//! already handled changes nothing.

use chrono::{DateTime, Utc};
use es_core::EventEnvelope;
use std::fmt;

use crate::bus;
use crate::error::{Error, Result};
use crate::feed::{FeedQuery, FeedReader};
use crate::progress;
use crate::stack::Stack;

/// What a republish did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Republished {
    pub from: String,
    pub to: String,
    pub bus: String,
    pub read: u64,
    pub put: u64,
    pub failed: u64,
}

impl fmt::Display for Republished {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "republished events from {} to {} on {}: {} read, {} put, {} failed",
            self.from, self.to, self.bus, self.read, self.put, self.failed
        )
    }
}

/// Events read before they are put: a few calls' worth.
const BATCH: usize = 50;

pub async fn republish(
    stack: &Stack,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Republished> {
    if from >= to {
        return Err(Error::new("--from must be before --to"));
    }
    let store = stack.event_store().await?;
    let bus = stack.bus();
    let mut reader = FeedReader::new(&store, FeedQuery::global().between(&from, &to));
    let bar = progress::bar(reader.count().await?, "events");
    let mut done = Republished {
        from: es_core::time::format(&from),
        to: es_core::time::format(&to),
        bus: bus.clone(),
        ..Republished::default()
    };
    let mut batch: Vec<EventEnvelope> = Vec::with_capacity(BATCH);
    loop {
        let next = reader.next().await?;
        let end = next.is_none();
        if let Some(envelope) = next {
            done.read += 1;
            batch.push(envelope);
        }
        if batch.len() == BATCH || (end && !batch.is_empty()) {
            let outcomes = bus::put(&stack.eventbridge, &bus, &batch).await;
            for (envelope, outcome) in batch.drain(..).zip(outcomes) {
                bar.inc(1);
                match outcome {
                    Ok(()) => done.put += 1,
                    Err(why) => {
                        done.failed += 1;
                        // Ids and type only: the data may hold (sealed) personal fields.
                        bar.suspend(|| {
                            eprintln!(
                                "failed: {} {} v{} (event {}): {why}",
                                envelope.event_type,
                                envelope.stream_id().key(),
                                envelope.version,
                                envelope.event_id
                            )
                        });
                    }
                }
            }
        }
        if end {
            break;
        }
    }
    bar.finish_and_clear();
    Ok(done)
}
