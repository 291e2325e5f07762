//! Crypto-shredding of personal data (SPEC §7).
//!
//! Every person (an owner, a customer) has their own 32-byte data key, one item of the keys
//! table ([`KeyStore`]). Their personal values are stored only [`Sealed`] with that key, in
//! events, snapshots and views alike; destroying the key ([`KeyStore::erase`]) erases every
//! copy at once, while everything else about the person (infractions, orders, balances) stays.
//!
//! - **Sealing** ([`KeySealer`], the real [`es_core::Sealer`]): AES-256-GCM-SIV under the
//!   subject's key with a fixed nonce and the field name as associated data. GCM-SIV is
//!   misuse-resistant, so the fixed nonce makes it a deterministic authenticated encryption:
//!   one plaintext in one field under one key always seals to the same text (an aggregate can
//!   compare sealed values), and a sealed value cannot be moved to another field. The text is
//!   `pd1:` followed by the base64url (no padding) of ciphertext and tag.
//! - **Fingerprints** (what a uniqueness guard holds instead of a value): HMAC-SHA256 under a
//!   system-wide secret, the pepper, in lower-case hex. The pepper is one item of the same
//!   table, created on first use (the first writer wins a conditional put; a loser reads the
//!   winner's) and cached for the life of the process.
//! - **Revealing** ([`reveal`]): a missing key (erased) or a value that does not open reads
//!   as `None`, never as an error: an erased person answers `null`.
//!
//! Keys and plaintexts are never logged: [`SubjectKey`] and [`KeySealer`] print no key bytes.

mod crypto;
mod error;
pub mod schema;
mod store;

pub use crypto::{reveal, KeySealer, SubjectKey, SEALED_PREFIX};
pub use error::KeyStoreError;
pub use es_core::{Sealed, Sealer};
pub use store::{subject, KeyStore, KEYS_TABLE_ENV};
