//! The contract every aggregate fulfils: past events + command → new events or a typed error.

use serde::{de::DeserializeOwned, Serialize};
use std::fmt::Debug;

use crate::rejection::Rejection;
use crate::upcast::Upcaster;

/// An event of one aggregate type.
///
/// Events are serde enums tagged as `#[serde(tag = "event_type", content = "data")]`: the tag is
/// the envelope's `event_type` and the content its `data`, so the enum's variant names are the
/// contract of SPEC §3 and no hand-written mapping can drift from them.
pub trait DomainEvent:
    Serialize + DeserializeOwned + Clone + Debug + Send + Sync + 'static
{
    /// The schema version this build writes this event's `data` at (stored in the envelope).
    /// Bumped, for the variant whose shape changes, together with an upcaster in
    /// [`DomainEvent::UPCASTERS`] from the previous version: a read checks that the stored data
    /// reached exactly this version, so a missing upcaster fails loudly instead of misreading.
    fn schema_version(&self) -> u32 {
        1
    }

    /// The upgrades of stored data from older schema versions, run on read by
    /// [`crate::EventEnvelope::decode`] before the event is decoded (see [`crate::upcast`]).
    const UPCASTERS: &'static [Upcaster] = &[];
}

/// A domain error: a typed refusal that knows how it is presented to a client.
pub trait DomainError: std::error::Error + Send + Sync + 'static {
    fn rejection(&self) -> Rejection;
}

/// A set rule that no single stream can check (an owner's `national_id`, a radar's
/// `detection_id`): the store writes a guard item for it in the same atomic write as the event
/// that claims it, so a second claim of the same value fails as a whole.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct UniqueClaim {
    /// What is unique, e.g. `owner.national_id`.
    pub scope: &'static str,
    pub value: String,
}

/// The decision half of an aggregate: what a command records, given the state its stream
/// folds to, or why it refuses. Pure; implemented by the aggregate's command enum, whose
/// variants each decide for themselves.
pub trait Decide<A: Aggregate> {
    fn decide(&self, state: &A) -> Result<Vec<A::Event>, A::Error>;
}

/// An event-sourced aggregate.
///
/// `Default` is the state of a stream with no events. Its command decides ([`Decide`]);
/// `apply` folds one event into the state and must not fail (an event is a fact already
/// recorded).
pub trait Aggregate:
    Default + Clone + Serialize + DeserializeOwned + Send + Sync + 'static
{
    /// The `aggregate_type` of SPEC §3, e.g. `radar`.
    const TYPE: &'static str;
    /// Bumped whenever the serialised state changes shape: older snapshots are then ignored
    /// and the aggregate is rebuilt by replaying its stream.
    const SNAPSHOT_SCHEMA: u32 = 1;

    type Command: Decide<Self> + Debug + Send + Sync;
    type Event: DomainEvent;
    type Error: DomainError;

    /// The command's decision on this state.
    fn handle(&self, command: &Self::Command) -> Result<Vec<Self::Event>, Self::Error> {
        command.decide(self)
    }

    fn apply(&mut self, event: &Self::Event);

    /// The uniqueness guards an event claims; most events claim none.
    fn unique_claims(_event: &Self::Event) -> Vec<UniqueClaim> {
        Vec::new()
    }

    /// Rebuilds a state from its events, oldest first.
    fn replay<'a>(events: impl IntoIterator<Item = &'a Self::Event>) -> Self {
        let mut state = Self::default();
        for event in events {
            state.apply(event);
        }
        state
    }
}
