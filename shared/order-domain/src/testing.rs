//! Given past events, when a command, then exactly these new events or this refusal.

use es_core::{Aggregate, DomainError, RejectionKind};
use std::fmt::Debug;

pub(crate) struct Given<A> {
    state: A,
}

/// The aggregate as its past events leave it (replayed with `Aggregate::replay`).
pub(crate) fn given<A: Aggregate>(events: &[A::Event]) -> Given<A> {
    Given {
        state: A::replay(events),
    }
}

impl<A: Aggregate> Given<A> {
    pub(crate) fn when(self, command: A::Command) -> Then<A> {
        let result = self.state.handle(&command);
        Then {
            state: self.state,
            result,
        }
    }
}

pub(crate) struct Then<A: Aggregate> {
    state: A,
    result: Result<Vec<A::Event>, A::Error>,
}

impl<A: Aggregate> Then<A>
where
    A::Event: PartialEq,
{
    /// Asserts the new events and returns the state once they are applied.
    #[track_caller]
    pub(crate) fn then(self, expected: Vec<A::Event>) -> A {
        match self.result {
            Ok(events) => {
                assert_eq!(events, expected);
                let mut state = self.state;
                for event in &events {
                    state.apply(event);
                }
                state
            }
            Err(error) => panic!("expected {expected:?}, got the refusal {error:?}"),
        }
    }

    /// An idempotent command: accepted, nothing to append.
    #[track_caller]
    pub(crate) fn then_nothing(self) {
        self.then(Vec::new());
    }

    #[track_caller]
    pub(crate) fn then_refused(self, kind: RejectionKind, code: &str) -> A::Error {
        match self.result {
            Ok(events) => panic!("expected the refusal {code}, got {events:?}"),
            Err(error) => {
                let rejection = error.rejection();
                assert_eq!((rejection.kind, rejection.code.as_str()), (kind, code));
                assert!(!rejection.message.is_empty());
                error
            }
        }
    }
}

/// The fields named by a validation error, in order.
pub(crate) fn fields<T: Debug>(result: Result<T, es_core::ValidationError>) -> Vec<String> {
    result
        .expect_err("expected a validation error")
        .0
        .into_iter()
        .map(|p| p.field)
        .collect()
}

/// Encodes an event as the store does, checks its `event_type`, decodes it back.
#[track_caller]
pub(crate) fn round_trip<E: es_core::DomainEvent + PartialEq>(
    event: &E,
    event_type: &str,
) -> serde_json::Value {
    let (ty, data) = es_core::envelope::encode_event(event).expect("encodes");
    assert_eq!(ty, event_type);
    let back: E = es_core::envelope::decode_event(&ty, &data).expect("decodes");
    assert_eq!(&back, event);
    assert_eq!(event.schema_version(), 1);
    data
}

/// A state survives a snapshot: serialised and read back, it is unchanged.
#[track_caller]
pub(crate) fn snapshot_round_trip<A: Aggregate + PartialEq + Debug>(state: &A) {
    let json = serde_json::to_value(state).expect("serialises");
    let back: A = serde_json::from_value(json).expect("deserialises");
    assert_eq!(&back, state);
}

/// A tiny deterministic pseudo-random generator (xorshift64*), for property-style tests with a
/// fixed seed and no extra dependency.
pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) fn new(seed: u64) -> Self {
        Self(seed.max(1))
    }

    pub(crate) fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Uniform-ish in `0..n`.
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}
