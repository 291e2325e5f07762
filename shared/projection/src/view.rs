//! What a read model is: a pure fold of typed events, decoded once by the projector.

use es_core::{DomainEvent, EnvelopeError, EventEnvelope, EventMeta};
use serde::{de::DeserializeOwned, Serialize};

use crate::error::ProjectionError;

/// The attribute holding the last stream version applied to an item.
pub const VERSION: &str = "version";
/// The attribute holding the time (RFC 3339, milliseconds) of the last event applied.
pub const UPDATED_AT: &str = "updated_at";

/// A read model of one aggregate type: one item per aggregate, keyed by the aggregate id.
///
/// The view names the aggregate type whose streams it folds and receives their events decoded
/// (`Self::Event`, usually the aggregate's `Aggregate::Event`) with the envelope's
/// [`EventMeta`]: the projector decodes each envelope once, through `EventEnvelope::decode`
/// (so older schema versions are upcast first), ignores envelopes of other aggregate types,
/// and fails on an envelope of the view's own type that does not decode
/// ([`ProjectionError::Undecodable`]): the message is retried, then lands in its dead-letter
/// queue, and the view never moves past an event it did not understand (SPEC §9).
///
/// Where the view is the aggregate's state plus bookkeeping, `apply` folds with the
/// aggregate's own `Aggregate::apply`, so that the two cannot drift apart.
///
/// The view is stored as native attributes (serde_dynamo), so its fields can be indexed by a
/// secondary index. A `None` field is left out of the item rather than stored as `NULL`
/// (DynamoDB refuses `NULL` for an indexed key, and an absent attribute keeps the item out of
/// the index), and reads back as `None`; so serialise it as `null` if a client should see one.
///
/// The table writes [`VERSION`] and [`UPDATED_AT`] on every item; a view that declares fields
/// with those names (`u64`, and a time serialised as RFC 3339) reads them back. Views
/// usually also set them in `apply`, so that an in-memory fold shows them too.
pub trait View: Serialize + DeserializeOwned + Default + Clone + Send + Sync + 'static {
    /// The `aggregate_type` whose streams this view folds, e.g. `radar`.
    const AGGREGATE_TYPE: &'static str;
    /// The partition key attribute of the view's table, e.g. `radar_id`; its value is the
    /// aggregate id.
    const KEY: &'static str;
    /// What `apply` receives: the aggregate's event type, or for a view that joins several
    /// aggregate types, its own [`ViewEvent`] enum of theirs.
    type Event: ViewEvent;

    /// Folds in the next event of the stream (versions arrive exactly once, in order).
    ///
    /// Pure and infallible: an event is a recorded fact, already decoded.
    fn apply(&mut self, event: &Self::Event, meta: &EventMeta);

    /// The view after `events` (envelopes, oldest first): what the table converges to.
    /// Envelopes of streams the view does not fold are skipped.
    ///
    /// # Panics
    ///
    /// On an event of the view's streams that does not decode, which the projector refuses:
    /// see [`View::try_replay`].
    fn replay<'a>(events: impl IntoIterator<Item = &'a EventEnvelope>) -> Self {
        Self::try_replay(events).unwrap_or_else(|error| panic!("replaying a view: {error}"))
    }

    /// [`View::replay`], failing as the projector does on an event that does not decode.
    fn try_replay<'a>(
        events: impl IntoIterator<Item = &'a EventEnvelope>,
    ) -> Result<Self, ProjectionError> {
        let mut view = Self::default();
        for envelope in events {
            if let Some(event) = decode::<Self>(envelope)? {
                view.apply(&event, &envelope.meta());
            }
        }
        Ok(view)
    }
}

/// What a view's [`View::apply`] receives, decoded from an envelope.
///
/// Every aggregate event type is one, read from the streams of the view's `AGGREGATE_TYPE`
/// only. A view that joins several aggregate types declares an enum of their events and
/// implements this to route each envelope to its variant by `aggregate_type`, explicitly.
pub trait ViewEvent: Sized + Send + Sync + 'static {
    /// The event `envelope` carries for a view of `view_type`: `Ok(None)` when the view does
    /// not fold that envelope's aggregate type, `Err` when it does and the event does not
    /// decode (after upcasting).
    fn from_envelope(
        envelope: &EventEnvelope,
        view_type: &str,
    ) -> Result<Option<Self>, EnvelopeError>;
}

impl<E: DomainEvent> ViewEvent for E {
    fn from_envelope(
        envelope: &EventEnvelope,
        view_type: &str,
    ) -> Result<Option<Self>, EnvelopeError> {
        if envelope.aggregate_type != view_type {
            return Ok(None);
        }
        envelope.decode().map(Some)
    }
}

/// `V`'s event in `envelope`, `None` for an envelope `V` does not fold.
pub(crate) fn decode<V: View>(
    envelope: &EventEnvelope,
) -> Result<Option<V::Event>, ProjectionError> {
    V::Event::from_envelope(envelope, V::AGGREGATE_TYPE).map_err(|error| {
        ProjectionError::Undecodable {
            stream: envelope.stream_id(),
            version: envelope.version,
            event_type: envelope.event_type.clone(),
            reason: error.to_string(),
        }
    })
}

/// A global secondary index of a view table. Every key attribute is a string.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Index {
    pub name: &'static str,
    pub partition_key: &'static str,
    pub sort_key: Option<&'static str>,
    /// Queries return the largest sort keys first (a time: newest first).
    pub newest_first: bool,
}
