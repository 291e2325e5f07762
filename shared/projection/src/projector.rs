//! Applying envelopes to a view's table: idempotent, order-tolerant, gap-filling.

use aws_sdk_dynamodb::Client;
use es_core::EventEnvelope;
use event_store::{backoff, EventStore, Tables};

use crate::error::{env, ProjectionError};
use crate::table::{Stored, ViewTable};
use crate::view::{decode, View};

/// What [`Projector::project`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Projected {
    /// Versions `from..=to` were applied and written (`from < to` when a gap was filled).
    Applied { from: u64, to: u64 },
    /// The item was already at `stored`, at or past the envelope: a duplicate, or covered
    /// by an earlier gap fill. Nothing written.
    Unchanged { stored: u64 },
    /// An envelope of another aggregate type.
    Ignored,
}

/// Keeps a view's table up to date from envelopes delivered at least once, in any order.
#[derive(Debug, Clone)]
pub struct Projector<V> {
    table: ViewTable<V>,
    store: EventStore,
    max_attempts: u32,
}

impl<V: View> Projector<V> {
    pub const DEFAULT_MAX_ATTEMPTS: u32 = 10;

    /// `store` is only read, to fill gaps.
    pub fn new(table: ViewTable<V>, store: EventStore) -> Self {
        Self {
            table,
            store,
            max_attempts: Self::DEFAULT_MAX_ATTEMPTS,
        }
    }

    /// The table named by the environment variable `table_var`, and the event store of
    /// `EVENTS_TABLE`.
    pub fn from_env(client: Client, table_var: &str) -> Result<Self, ProjectionError> {
        let tables = Tables::new(env("EVENTS_TABLE")?);
        Ok(Self::new(
            ViewTable::from_env(client.clone(), table_var)?,
            EventStore::new(client, tables),
        ))
    }

    /// How many read-decide-write rounds before giving up on a contended item.
    pub fn with_max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    pub fn table(&self) -> &ViewTable<V> {
        &self.table
    }

    /// Brings the view of `envelope`'s aggregate up to at least `envelope.version`.
    ///
    /// Reads the item (consistently); if it is behind, applies the envelope, or first the
    /// events it missed (read from the event store), and writes on the condition that the
    /// item is still at the version read. If another writer got there first, starts again
    /// from the read, a bounded number of times, then fails so that the message is retried.
    pub async fn project(&self, envelope: &EventEnvelope) -> Result<Projected, ProjectionError> {
        // Decoded once, before any request: an envelope the view cannot read fails here.
        let Some(event) = decode::<V>(envelope)? else {
            tracing::debug!(
                aggregate_type = %envelope.aggregate_type,
                "not an event of this view, ignored"
            );
            return Ok(Projected::Ignored);
        };
        let key = envelope.aggregate_id.as_str();
        for attempt in 1..=self.max_attempts {
            let (mut view, stored) = match self.table.read(key, true).await? {
                Some(Stored { view, version }) => (view, version),
                None => (V::default(), 0),
            };
            if envelope.version <= stored {
                tracing::debug!(stored, version = envelope.version, "already applied");
                return Ok(Projected::Unchanged { stored });
            }
            if envelope.version == stored + 1 {
                view.apply(&event, &envelope.meta());
            } else {
                for missed in self.missed_events(envelope, stored).await? {
                    // Same stream, so always one of the view's events.
                    if let Some(event) = decode::<V>(&missed)? {
                        view.apply(&event, &missed.meta());
                    }
                }
            }
            let updated_at = es_core::time::format(&envelope.occurred_at);
            let item = self
                .table
                .to_item(key, &view, envelope.version, &updated_at)?;
            if self.table.write_if_version(item, stored).await? {
                let from = stored + 1;
                tracing::info!(
                    view = V::AGGREGATE_TYPE,
                    key,
                    from,
                    to = envelope.version,
                    "view updated"
                );
                return Ok(Projected::Applied {
                    from,
                    to: envelope.version,
                });
            }
            tracing::debug!(key, attempt, "view changed concurrently, starting again");
            backoff(attempt).await;
        }
        Err(ProjectionError::Conflict {
            key: key.to_owned(),
            attempts: self.max_attempts,
        })
    }

    /// Versions `stored + 1 ..= envelope.version` from the event store, all of them.
    async fn missed_events(
        &self,
        envelope: &EventEnvelope,
        stored: u64,
    ) -> Result<Vec<EventEnvelope>, ProjectionError> {
        let stream = envelope.stream_id();
        let from = stored + 1;
        let events = self
            .store
            .read_stream(&stream, from, Some(envelope.version))
            .await
            .map_err(ProjectionError::Store)?;
        let complete = events.len() as u64 == envelope.version - stored
            && events.iter().zip(from..).all(|(e, v)| e.version == v);
        if !complete {
            return Err(ProjectionError::Gap {
                stream,
                from,
                to: envelope.version,
                found: events.iter().map(|e| e.version).collect(),
            });
        }
        tracing::info!(
            from,
            to = envelope.version,
            "filling a gap from the event store"
        );
        Ok(events)
    }
}
