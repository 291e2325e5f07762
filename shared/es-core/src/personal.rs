//! Personal data, sealed for the person it is about (SPEC §7, crypto-shredding).
//!
//! Aggregates and events never hold a person's name, email and the like in clear: they hold
//! [`Sealed`] text, made by a [`Sealer`] bound to that person's key. Destroying the key
//! erases the values everywhere they were copied (events, snapshots, views), since nothing
//! can open them any more. A [`Sealer`] is deterministic for one key (the same field and
//! plaintext always seal to the same text), so an aggregate can compare sealed values to skip
//! a change that changes nothing. The real sealer lives outside this crate (it needs crypto
//! and a key store); `testing::PlainSealer` is the domains' test double.

use serde::{Deserialize, Serialize};

/// A personal value sealed for its subject: opaque text, stored and shown as a plain JSON
/// string. Only its subject's key can reveal it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Sealed(String);

impl Sealed {
    /// Wraps text a [`Sealer`] produced.
    pub fn from_sealed_text(text: impl Into<String>) -> Self {
        Self(text.into())
    }

    /// The sealed text (never the plaintext).
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Seals personal values for one subject, and fingerprints values that must stay unique.
pub trait Sealer {
    /// `plaintext` sealed under the subject's key; `field` (e.g. `email`) binds it to its
    /// field, so a value cannot be moved to another. Deterministic for one key.
    fn seal(&self, field: &str, plaintext: &str) -> Sealed;

    /// A keyed hash of `value` within `scope`, the same for every subject: what a uniqueness
    /// guard stores instead of the value.
    fn fingerprint(&self, scope: &str, value: &str) -> String;
}

impl<S: Sealer + ?Sized> Sealer for &S {
    fn seal(&self, field: &str, plaintext: &str) -> Sealed {
        (**self).seal(field, plaintext)
    }

    fn fingerprint(&self, scope: &str, value: &str) -> String {
        (**self).fingerprint(scope, value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::PlainSealer;

    #[test]
    fn sealed_text_is_a_plain_json_string() {
        let sealed = PlainSealer.seal("email", "ada@example.org");
        assert_eq!(sealed.as_str(), "sealed:ada@example.org");
        let json = serde_json::to_value(&sealed).unwrap();
        assert_eq!(json, serde_json::json!("sealed:ada@example.org"));
        assert_eq!(serde_json::from_value::<Sealed>(json).unwrap(), sealed);
        assert_eq!(PlainSealer::reveal(&sealed), Some("ada@example.org"));
    }

    #[test]
    fn a_sealer_by_reference_is_a_sealer() {
        fn fingerprint(sealer: impl Sealer) -> String {
            sealer.fingerprint("owner.national_id", "AB-1")
        }
        let sealer: &dyn Sealer = &PlainSealer;
        assert_eq!(fingerprint(sealer), "fp:owner.national_id:AB-1");
    }
}
