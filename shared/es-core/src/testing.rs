//! Given/when/then for aggregates, and the checks every domain's tests share: given past
//! events, when a command, then exactly these new events or this refusal.

use crate::{Aggregate, DomainError, RejectionKind};
use std::fmt::Debug;

pub struct Given<A> {
    state: A,
}

/// The aggregate as its past events leave it (replayed with `Aggregate::replay`).
pub fn given<A: Aggregate>(events: &[A::Event]) -> Given<A> {
    Given {
        state: A::replay(events),
    }
}

impl<A: Aggregate> Given<A> {
    pub fn when(self, command: A::Command) -> Then<A> {
        let result = self.state.handle(&command);
        Then {
            state: self.state,
            result,
        }
    }
}

pub struct Then<A: Aggregate> {
    state: A,
    result: Result<Vec<A::Event>, A::Error>,
}

impl<A: Aggregate> Then<A>
where
    A::Event: PartialEq,
{
    /// Asserts the new events and returns the state once they are applied.
    #[track_caller]
    pub fn then(self, expected: Vec<A::Event>) -> A {
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
    pub fn then_nothing(self) {
        self.then(Vec::new());
    }

    /// Refused as `not_found` (404): the command needs a stream that exists.
    #[track_caller]
    pub fn then_not_found(self) -> A::Error {
        self.then_refused(RejectionKind::NotFound, "not_found")
    }

    #[track_caller]
    pub fn then_refused(self, kind: RejectionKind, code: &str) -> A::Error {
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

/// Each of `commands`, sent to a stream with no events, is refused as `not_found`: only the
/// command that creates a stream may find it empty.
#[track_caller]
pub fn each_needs_an_existing<A: Aggregate>(commands: impl IntoIterator<Item = A::Command>)
where
    A::Event: PartialEq,
{
    for command in commands {
        given::<A>(&[]).when(command).then_not_found();
    }
}

/// The fields named by a validation error, in order.
pub fn fields<T: Debug>(result: Result<T, crate::ValidationError>) -> Vec<String> {
    result
        .expect_err("expected a validation error")
        .0
        .into_iter()
        .map(|p| p.field)
        .collect()
}

/// The single problem of a validation error.
#[track_caller]
pub fn problem<T: Debug>(result: Result<T, crate::ValidationError>) -> (String, String) {
    let problems = result.expect_err("expected a validation error").0;
    assert_eq!(problems.len(), 1, "expected one problem, got {problems:?}");
    let p = problems.into_iter().next().expect("one problem");
    (p.field, p.problem)
}

/// Each of the `refused` bodies is refused by `parse` with exactly one problem, on `field`:
/// the check of a command whose body has one field.
#[track_caller]
pub fn each_refused_on<T: Debug>(
    field: &str,
    parse: impl Fn(&serde_json::Value) -> Result<T, crate::ValidationError>,
    refused: impl IntoIterator<Item = serde_json::Value>,
) {
    for body in refused {
        assert_eq!(problem(parse(&body)).0, field, "{body}");
    }
}

/// The bounds of a body's fields: `valid` with any one `(field, value)` of `refused` set in it
/// is refused by `parse` with exactly one problem, on that field; with any one of `accepted`,
/// it is accepted.
#[track_caller]
pub fn field_bounds<'f, T: Debug>(
    valid: &serde_json::Value,
    parse: impl Fn(&serde_json::Value) -> Result<T, crate::ValidationError>,
    refused: impl IntoIterator<Item = (&'f str, serde_json::Value)>,
    accepted: impl IntoIterator<Item = (&'f str, serde_json::Value)>,
) {
    let with = |field: &str, value: &serde_json::Value| {
        let mut body = valid.clone();
        body[field] = value.clone();
        parse(&body)
    };
    for (field, value) in refused {
        assert_eq!(problem(with(field, &value)).0, field, "{field} = {value}");
    }
    for (field, value) in accepted {
        assert!(with(field, &value).is_ok(), "{field} = {value}");
    }
}

/// Encodes an event as the store does, checks its `event_type`, decodes it back.
#[track_caller]
pub fn round_trip<E: crate::DomainEvent + PartialEq>(
    event: &E,
    event_type: &str,
) -> serde_json::Value {
    let (ty, data) = crate::envelope::encode_event(event).expect("encodes");
    assert_eq!(ty, event_type);
    let back: E = crate::envelope::decode_event(&ty, &data).expect("decodes");
    assert_eq!(&back, event);
    assert_eq!(event.schema_version(), 1);
    data
}

/// An enum's wire names, one per value in `VARIANTS` order, are what serde writes, what
/// `Display` shows and what `Into<&str>` (strum's `IntoStaticStr`) gives.
#[track_caller]
pub fn wire_names<T>(names: &[&str])
where
    T: strum::VariantArray + serde::Serialize + std::fmt::Display + Copy + Into<&'static str>,
{
    assert_eq!(T::VARIANTS.len(), names.len(), "one name per value");
    for (value, name) in T::VARIANTS.iter().zip(names) {
        assert_eq!(serde_json::to_value(value).expect("serialises"), *name);
        assert_eq!(value.to_string(), *name);
        assert_eq!(Into::<&'static str>::into(*value), *name);
    }
}

/// A state survives a snapshot: serialised and read back, it is unchanged.
#[track_caller]
pub fn snapshot_round_trip<A: Aggregate + PartialEq + Debug>(state: &A) {
    let json = serde_json::to_value(state).expect("serialises");
    let back: A = serde_json::from_value(json).expect("deserialises");
    assert_eq!(&back, state);
}

/// The domains' test sealer: seals `x` as `sealed:x` (whatever the field) and fingerprints
/// `v` in scope `s` as `fp:s:v`, so tests can read what a command sealed.
#[derive(Debug, Clone, Copy, Default)]
pub struct PlainSealer;

impl PlainSealer {
    /// What `PlainSealer` seals `plaintext` as.
    pub fn sealed(plaintext: &str) -> crate::Sealed {
        crate::Sealed::from_sealed_text(format!("sealed:{plaintext}"))
    }

    /// The plaintext of a value `PlainSealer` sealed.
    pub fn reveal(sealed: &crate::Sealed) -> Option<&str> {
        sealed.as_str().strip_prefix("sealed:")
    }
}

impl crate::Sealer for PlainSealer {
    fn seal(&self, _field: &str, plaintext: &str) -> crate::Sealed {
        Self::sealed(plaintext)
    }

    fn fingerprint(&self, scope: &str, value: &str) -> String {
        format!("fp:{scope}:{value}")
    }
}
