//! What a read model is: a pure fold of one aggregate's stream.

use es_core::{DomainEvent, EventEnvelope};
use serde::{de::DeserializeOwned, Serialize};

/// The attribute holding the last stream version applied to an item.
pub const VERSION: &str = "version";
/// The attribute holding the time (RFC 3339, milliseconds) of the last event applied.
pub const UPDATED_AT: &str = "updated_at";

/// A read model of one aggregate type: one item per aggregate, keyed by the aggregate id.
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
    /// The `aggregate_type` whose streams this view folds, e.g. `radar`. Envelopes of other
    /// types are ignored.
    const AGGREGATE_TYPE: &'static str;
    /// The partition key attribute of the view's table, e.g. `radar_id`; its value is the
    /// aggregate id.
    const KEY: &'static str;
    /// The events of `AGGREGATE_TYPE`'s streams. An envelope of that type that does not
    /// decode as one fails its projection ([`View::understands`]): the message is retried,
    /// then lands in its dead-letter queue, and the view never moves past an event it did
    /// not understand (SPEC §9).
    type Event: DomainEvent;

    /// Folds in the next event of the stream (versions arrive exactly once, in order).
    ///
    /// Pure and infallible: an event is a recorded fact, and the projector has checked that
    /// the view understands it. Event types the view has no use for are ignored.
    fn apply(&mut self, envelope: &EventEnvelope);

    /// `Err(reason)` when `envelope` is one of the view's events that this build cannot
    /// decode. A view that also folds other aggregate types' events checks those too.
    fn understands(envelope: &EventEnvelope) -> Result<(), String> {
        if envelope.aggregate_type != Self::AGGREGATE_TYPE {
            return Ok(());
        }
        envelope
            .decode::<Self::Event>()
            .map(drop)
            .map_err(|e| e.to_string())
    }

    /// The view after `events`, oldest first: what the table converges to.
    fn replay<'a>(events: impl IntoIterator<Item = &'a EventEnvelope>) -> Self {
        let mut view = Self::default();
        for event in events {
            view.apply(event);
        }
        view
    }
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

/// The domain event an envelope carries, or `None` (logged) for one this build does not know.
/// The projectors refuse such an envelope before any `apply` ([`View::understands`]), so in a
/// view's `apply` `None` only means an event of another aggregate type.
pub fn decode_event<E: DomainEvent>(envelope: &EventEnvelope) -> Option<E> {
    match envelope.decode::<E>() {
        Ok(event) => Some(event),
        Err(error) => {
            tracing::warn!(
                event_type = %envelope.event_type,
                stream = %envelope.stream_id(),
                version = envelope.version,
                %error,
                "event not understood, skipped by the view"
            );
            None
        }
    }
}
