//! Read models that join several streams: one item gathers every event that concerns it,
//! whichever stream it was appended to (an order's own events, and the stock and payment
//! events the saga appended to product and customer streams for that order).
//!
//! Versions of different streams cannot be compared, so a joined item does not track one
//! stream version: it knows the events it holds (by `event_id`), and its fold must not depend
//! on the order in which they arrive. [`JoinProjector::project`] reads the item
//! (consistently), skips an event it already holds, applies a new one, and writes on the
//! condition that the item's revision (the `version` attribute, here the number of events
//! applied) is still the one read, starting again from the read if another writer got there
//! first. Duplicated, shuffled input therefore gives exactly the same item as ordered input.
//!
//! A [`Companion`] adds writes that must commit with the item's change, in the same
//! transaction (e.g. counters folded from the items): they land exactly once per change of
//! the item, since a redelivered event changes nothing and a lost race writes nothing.

use aws_sdk_dynamodb::types::TransactWriteItem;
use aws_sdk_dynamodb::Client;
use es_core::{EventEnvelope, EventMeta};
use event_store::backoff;

use crate::error::ProjectionError;
use crate::table::{Stored, ViewTable};
use crate::view::{decode, View};

/// A view fed by the events of several streams.
///
/// Its [`View::apply`] is called once per event, in any order, with events of any stream that
/// [`JoinedView::key`] maps to the item; the state after a set of events must not depend on
/// their order. `AGGREGATE_TYPE` names the aggregate the item stands for (its key is that
/// aggregate's id); `Self::Event` is an enum of the joined aggregate types' events, whose
/// [`crate::ViewEvent`] routes each envelope by its aggregate type.
pub trait JoinedView: View {
    /// The item `event` concerns, or `None` when the view ignores it.
    fn key(event: &Self::Event, meta: &EventMeta) -> Option<String>;

    /// Whether the item already holds the event `meta` describes.
    fn contains(&self, meta: &EventMeta) -> bool;

    /// The item's `updated_at`: the time of the latest event it holds (RFC 3339, milliseconds),
    /// so that it does not depend on the order of arrival either.
    fn updated_at(&self) -> String;

    /// The item `envelope` concerns: `None` when the view ignores it, or cannot decode it
    /// (which [`JoinProjector::project`] reports).
    fn key_of(envelope: &EventEnvelope) -> Option<String> {
        let event = decode::<Self>(envelope).ok()??;
        Self::key(&event, &envelope.meta())
    }
}

/// Writes that commit atomically with a joined item's change from `before` to `after`.
///
/// A fold over the items (a counter, a total) stays exact by writing the difference between
/// what `after` and `before` contribute: each change of an item is committed once, so the
/// differences add up to what the current items contribute, whatever the order of events.
pub trait Companion<V>: Send + Sync {
    /// The writes to commit with the change; none, and the item is written alone.
    fn writes(&self, before: &V, after: &V) -> Result<Vec<TransactWriteItem>, ProjectionError>;
}

/// No companion writes.
impl<V> Companion<V> for () {
    fn writes(&self, _: &V, _: &V) -> Result<Vec<TransactWriteItem>, ProjectionError> {
        Ok(Vec::new())
    }
}

/// What [`JoinProjector::project`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Joined {
    /// The event was added to item `key`, which now holds `revision` events.
    Applied { key: String, revision: u64 },
    /// The item already held the event: nothing written.
    Unchanged { key: String },
    /// The view ignores this event.
    Ignored,
}

/// Keeps a joined view's table up to date from envelopes delivered at least once, in any
/// order.
#[derive(Debug, Clone)]
pub struct JoinProjector<V, C = ()> {
    table: ViewTable<V>,
    max_attempts: u32,
    companion: C,
}

impl<V: JoinedView> JoinProjector<V> {
    pub const DEFAULT_MAX_ATTEMPTS: u32 = 10;

    pub fn new(table: ViewTable<V>) -> Self {
        Self {
            table,
            max_attempts: Self::DEFAULT_MAX_ATTEMPTS,
            companion: (),
        }
    }

    /// The table named by the environment variable `table_var`.
    pub fn from_env(client: Client, table_var: &str) -> Result<Self, ProjectionError> {
        Ok(Self::new(ViewTable::from_env(client, table_var)?))
    }
}

impl<V: JoinedView, C: Companion<V>> JoinProjector<V, C> {
    /// Commits `companion`'s writes with every change of an item.
    pub fn with_companion<D: Companion<V>>(self, companion: D) -> JoinProjector<V, D> {
        JoinProjector {
            table: self.table,
            max_attempts: self.max_attempts,
            companion,
        }
    }

    pub fn companion(&self) -> &C {
        &self.companion
    }

    pub fn table(&self) -> &ViewTable<V> {
        &self.table
    }

    /// Adds `envelope` to the item it concerns, once.
    pub async fn project(&self, envelope: &EventEnvelope) -> Result<Joined, ProjectionError> {
        let Some(event) = decode::<V>(envelope)? else {
            return Ok(Joined::Ignored);
        };
        let meta = envelope.meta();
        let Some(key) = V::key(&event, &meta) else {
            return Ok(Joined::Ignored);
        };
        for attempt in 1..=self.max_attempts {
            let (mut view, revision) = match self.table.read(&key, true).await? {
                Some(Stored { view, version }) => (view, version),
                None => (V::default(), 0),
            };
            if view.contains(&meta) {
                return Ok(Joined::Unchanged { key });
            }
            let before = view.clone();
            view.apply(&event, &meta);
            let item = self
                .table
                .to_item(&key, &view, revision + 1, &view.updated_at())?;
            let companions = self.companion.writes(&before, &view)?;
            let written = if companions.is_empty() {
                self.table.write_if_version(item, revision).await?
            } else {
                self.table
                    .transact_if_version(item, revision, companions)
                    .await?
            };
            if written {
                tracing::info!(
                    view = V::AGGREGATE_TYPE,
                    key,
                    event_type = %envelope.event_type,
                    "joined view updated"
                );
                return Ok(Joined::Applied {
                    key,
                    revision: revision + 1,
                });
            }
            tracing::debug!(
                key,
                attempt,
                "joined view changed concurrently, starting again"
            );
            backoff(attempt).await;
        }
        Err(ProjectionError::Conflict {
            key,
            attempts: self.max_attempts,
        })
    }
}
