//! The cryptography: a subject's key seals and opens, the pepper fingerprints.

use std::fmt;
use std::sync::Arc;

use aws_lc_rs::aead::{Aad, LessSafeKey, Nonce, UnboundKey, AES_256_GCM_SIV, NONCE_LEN};
use aws_lc_rs::hmac;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use es_core::{Sealed, Sealer};

use crate::KeyStoreError;

/// What every sealed text starts with: the format's version.
pub const SEALED_PREFIX: &str = "pd1:";

/// Length of a data key and of the pepper, in bytes.
pub(crate) const KEY_LEN: usize = 32;

/// GCM-SIV with one fixed nonce is deterministic (and still authenticated): equal plaintexts
/// of one field under one key seal alike, which is what lets an aggregate compare them.
const FIXED_NONCE: [u8; NONCE_LEN] = [0; NONCE_LEN];

/// Fresh random key material.
pub(crate) fn random_key() -> Result<[u8; KEY_LEN], KeyStoreError> {
    let mut bytes = [0u8; KEY_LEN];
    aws_lc_rs::rand::fill(&mut bytes).map_err(|_| KeyStoreError::Random)?;
    Ok(bytes)
}

/// One subject's data key (`owner#<id>`, `customer#<id>`). Its `Debug` shows the subject only.
pub struct SubjectKey {
    subject: String,
    bytes: [u8; KEY_LEN],
    aead: LessSafeKey,
}

impl SubjectKey {
    /// `None` unless `bytes` is a 32-byte key.
    pub(crate) fn from_bytes(subject: &str, bytes: &[u8]) -> Option<Self> {
        let bytes: [u8; KEY_LEN] = bytes.try_into().ok()?;
        let aead = LessSafeKey::new(UnboundKey::new(&AES_256_GCM_SIV, &bytes).ok()?);
        Some(Self {
            subject: subject.to_owned(),
            bytes,
            aead,
        })
    }

    pub(crate) fn generate(subject: &str) -> Result<Self, KeyStoreError> {
        let bytes = random_key()?;
        Self::from_bytes(subject, &bytes).ok_or(KeyStoreError::Random)
    }

    pub fn subject(&self) -> &str {
        &self.subject
    }

    pub(crate) fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// `plaintext` sealed for this subject, bound to `field`.
    pub fn seal(&self, field: &str, plaintext: &str) -> Sealed {
        let mut in_out = plaintext.as_bytes().to_vec();
        self.aead
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(FIXED_NONCE),
                Aad::from(field.as_bytes()),
                &mut in_out,
            )
            // Sealing fails only for inputs of gigabytes: a bug, not a runtime condition.
            .expect("AES-256-GCM-SIV seals any value of a request body");
        Sealed::from_sealed_text(format!("{SEALED_PREFIX}{}", URL_SAFE_NO_PAD.encode(in_out)))
    }

    /// The plaintext of `sealed`, if this key sealed it for `field`.
    pub fn open(&self, field: &str, sealed: &Sealed) -> Option<String> {
        let text = sealed.as_str().strip_prefix(SEALED_PREFIX)?;
        let mut in_out = URL_SAFE_NO_PAD.decode(text).ok()?;
        let plaintext = self
            .aead
            .open_in_place(
                Nonce::assume_unique_for_key(FIXED_NONCE),
                Aad::from(field.as_bytes()),
                &mut in_out,
            )
            .ok()?;
        String::from_utf8(plaintext.to_vec()).ok()
    }
}

impl fmt::Debug for SubjectKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SubjectKey")
            .field("subject", &self.subject)
            .finish_non_exhaustive()
    }
}

/// The plaintext of a personal value, or `None` when it cannot be had: the subject's key was
/// destroyed (`key` is `None`), or the value does not open with it. Never an error: after an
/// erasure this is the normal answer.
pub fn reveal(key: Option<&SubjectKey>, field: &str, sealed: &Sealed) -> Option<String> {
    key?.open(field, sealed)
}

/// The system-wide secret of fingerprints.
pub(crate) struct Pepper(hmac::Key);

impl Pepper {
    pub(crate) fn from_bytes(bytes: &[u8]) -> Option<Self> {
        (bytes.len() == KEY_LEN).then(|| Self(hmac::Key::new(hmac::HMAC_SHA256, bytes)))
    }

    /// HMAC-SHA256 of `scope`, a zero byte and `value`, in lower-case hex.
    pub(crate) fn fingerprint(&self, scope: &str, value: &str) -> String {
        let mut context = hmac::Context::with_key(&self.0);
        context.update(scope.as_bytes());
        context.update(&[0]);
        context.update(value.as_bytes());
        context
            .sign()
            .as_ref()
            .iter()
            .map(|byte| format!("{byte:02x}"))
            .collect()
    }
}

/// The real [`Sealer`]: a subject's key to seal, the pepper to fingerprint. Made by
/// [`crate::KeyStore::sealer`].
pub struct KeySealer<'a> {
    pub(crate) key: &'a SubjectKey,
    pub(crate) pepper: Arc<Pepper>,
}

impl Sealer for KeySealer<'_> {
    fn seal(&self, field: &str, plaintext: &str) -> Sealed {
        self.key.seal(field, plaintext)
    }

    fn fingerprint(&self, scope: &str, value: &str) -> String {
        self.pepper.fingerprint(scope, value)
    }
}

impl fmt::Debug for KeySealer<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeySealer")
            .field("subject", &self.key.subject)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(subject: &str) -> SubjectKey {
        SubjectKey::generate(subject).unwrap()
    }

    #[test]
    fn sealing_is_deterministic_per_key_and_field() {
        let (a, b) = (key("owner#a"), key("owner#b"));
        let sealed = a.seal("email", "ada@example.org");
        assert!(sealed.as_str().starts_with("pd1:"));
        assert!(!sealed.as_str().contains("ada"));
        assert_eq!(a.seal("email", "ada@example.org"), sealed);
        assert_ne!(a.seal("email", "ada@example.com"), sealed);
        assert_ne!(a.seal("name", "ada@example.org"), sealed);
        assert_ne!(b.seal("email", "ada@example.org"), sealed);
        // base64url without padding: no `+`, `/` or `=`.
        assert!(!sealed.as_str()[4..].contains(['+', '/', '=']));
    }

    #[test]
    fn only_its_key_and_field_reveal_a_value() {
        let (a, b) = (key("owner#a"), key("owner#b"));
        let sealed = a.seal("name", "Ada Lovelace");
        assert_eq!(
            reveal(Some(&a), "name", &sealed).as_deref(),
            Some("Ada Lovelace")
        );
        assert_eq!(reveal(Some(&a), "email", &sealed), None);
        assert_eq!(reveal(Some(&b), "name", &sealed), None);
        assert_eq!(reveal(None, "name", &sealed), None);
        for broken in [
            "",
            "pd1:",
            "pd1:!!",
            "pd2:AAAA",
            "sealed:Ada",
            "pd1:AAAAAAAAAAAAAAAAAAAAAA",
        ] {
            let broken = Sealed::from_sealed_text(broken);
            assert_eq!(reveal(Some(&a), "name", &broken), None, "{broken:?}");
        }
        let empty = a.seal("address", "");
        assert_eq!(reveal(Some(&a), "address", &empty).as_deref(), Some(""));
        let unicode = a.seal("name", "Ærøskøbing — 東京");
        assert_eq!(
            reveal(Some(&a), "name", &unicode).as_deref(),
            Some("Ærøskøbing — 東京")
        );
    }

    #[test]
    fn a_key_read_back_from_its_bytes_opens_what_it_sealed() {
        let a = key("customer#c");
        let sealed = a.seal("email", "grace@example.org");
        let again = SubjectKey::from_bytes("customer#c", a.bytes()).unwrap();
        assert_eq!(
            again.open("email", &sealed).as_deref(),
            Some("grace@example.org")
        );
        assert!(SubjectKey::from_bytes("customer#c", &[0; 31]).is_none());
    }

    #[test]
    fn fingerprints_are_keyed_scoped_hex() {
        let pepper = Pepper::from_bytes(&[7; 32]).unwrap();
        let other = Pepper::from_bytes(&[8; 32]).unwrap();
        let fp = pepper.fingerprint("owner.national_id", "AB-1234");
        assert_eq!(fp.len(), 64);
        assert!(fp
            .chars()
            .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()));
        assert_eq!(pepper.fingerprint("owner.national_id", "AB-1234"), fp);
        assert_ne!(pepper.fingerprint("owner.national_id", "AB-1235"), fp);
        assert_ne!(pepper.fingerprint("other.scope", "AB-1234"), fp);
        assert_ne!(other.fingerprint("owner.national_id", "AB-1234"), fp);
        // The scope and the value cannot be shifted into each other.
        assert_ne!(pepper.fingerprint("a", "bc"), pepper.fingerprint("ab", "c"));
        assert!(Pepper::from_bytes(&[7; 16]).is_none());
    }

    #[test]
    fn debug_never_shows_key_material() {
        let a = key("owner#a");
        let printed = format!("{a:?}");
        assert_eq!(printed, "SubjectKey { subject: \"owner#a\", .. }");
        let sealer = KeySealer {
            key: &a,
            pepper: Arc::new(Pepper::from_bytes(&[7; 32]).unwrap()),
        };
        assert_eq!(
            format!("{sealer:?}"),
            "KeySealer { subject: \"owner#a\", .. }"
        );
    }
}
