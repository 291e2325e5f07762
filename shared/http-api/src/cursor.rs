//! Tamper-evident page cursors (SPEC §8).
//!
//! The stores' cursors (a feed key, a version, a read model's last key) are wrapped on the way
//! out with an HMAC-SHA256 tag over the cursor and the list it belongs to (the route and its
//! filters), and unwrapped on the way in. An altered cursor, or one from another list, is a
//! `400 invalid_cursor` before anything reaches DynamoDB: a client can neither craft a start
//! key nor move a cursor between lists (e.g. from one owner's infractions to another's).
//!
//! The key is `CURSOR_SECRET` (template.yaml generates one per stack); without it, a fixed
//! development key, so that tests and the local cloud work with no set-up.

use aws_lc_rs::hmac;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use es_core::{FieldProblem, Rejection, RejectionKind};

use crate::ApiError;

/// The environment variable holding the signing key.
pub const CURSOR_SECRET: &str = "CURSOR_SECRET";
const DEVELOPMENT_KEY: &str = "es-serverless development cursor key";
/// Bytes of the tag kept: 128 bits.
const TAG_LEN: usize = 16;
/// Longer cursors are refused unread: no store cursor comes near it.
const MAX_CURSOR_LEN: usize = 2048;

/// The list a cursor belongs to: its route and filters (paging parameters aside).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CursorScope(String);

impl CursorScope {
    pub(crate) fn new<'a>(
        route_key: &str,
        query: impl IntoIterator<Item = (&'a String, &'a String)>,
    ) -> Self {
        let mut filters: Vec<(&String, &String)> = query
            .into_iter()
            .filter(|(name, _)| !matches!(name.as_str(), "cursor" | "limit" | "min_version"))
            .collect();
        filters.sort();
        let mut scope = route_key.to_owned();
        for (name, value) in filters {
            scope.push('\n');
            scope.push_str(name);
            scope.push('=');
            scope.push_str(value);
        }
        Self(scope)
    }

    fn tag(&self, inner: &str) -> hmac::Tag {
        let secret = std::env::var(CURSOR_SECRET).unwrap_or_else(|_| DEVELOPMENT_KEY.to_owned());
        let key = hmac::Key::new(hmac::HMAC_SHA256, secret.as_bytes());
        let mut context = hmac::Context::with_key(&key);
        context.update(self.0.as_bytes());
        context.update(&[0]);
        context.update(inner.as_bytes());
        context.sign()
    }

    /// The cursor a client sees for the store's `inner` cursor.
    pub(crate) fn seal(&self, inner: &str) -> String {
        let tag = self.tag(inner);
        format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(inner),
            URL_SAFE_NO_PAD.encode(&tag.as_ref()[..TAG_LEN])
        )
    }

    /// The store's cursor inside a client's, if this list issued it unaltered.
    pub(crate) fn open(&self, cursor: &str) -> Result<String, ApiError> {
        let opened = (cursor.len() <= MAX_CURSOR_LEN)
            .then(|| cursor.split_once('.'))
            .flatten()
            .and_then(|(inner, tag)| {
                let inner = String::from_utf8(URL_SAFE_NO_PAD.decode(inner).ok()?).ok()?;
                let tag = URL_SAFE_NO_PAD.decode(tag).ok()?;
                let expected = self.tag(&inner);
                aws_lc_rs::constant_time::verify_slices_are_equal(
                    &tag,
                    &expected.as_ref()[..TAG_LEN],
                )
                .ok()
                .map(|()| inner)
            });
        opened.ok_or_else(invalid_cursor)
    }
}

/// `400 invalid_cursor`.
pub fn invalid_cursor() -> ApiError {
    ApiError::Rejected(Rejection {
        kind: RejectionKind::InvalidInput,
        code: "invalid_cursor".into(),
        message: "the cursor is not one this list returned".into(),
        details: vec![FieldProblem::new("cursor", "is not valid for this list")],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scope(route: &str, filters: &[(&str, &str)]) -> CursorScope {
        let owned: Vec<(String, String)> = filters
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        CursorScope::new(route, owned.iter().map(|(k, v)| (k, v)))
    }

    #[test]
    fn a_cursor_opens_in_its_own_list_only() {
        let list = scope("GET /infractions", &[("owner_id", "a"), ("limit", "5")]);
        let cursor = list.seal("inner-cursor");
        assert_eq!(list.open(&cursor).unwrap(), "inner-cursor");
        // The page size and the cursor itself are not part of the list.
        let same = scope("GET /infractions", &[("owner_id", "a"), ("cursor", "x")]);
        assert_eq!(same.open(&cursor).unwrap(), "inner-cursor");
        for other in [
            scope("GET /infractions", &[("owner_id", "b")]),
            scope("GET /infractions", &[]),
            scope("GET /radars", &[("owner_id", "a")]),
        ] {
            assert_eq!(other.open(&cursor).unwrap_err().status(), 400);
        }
    }

    #[test]
    fn an_altered_cursor_is_refused() {
        let list = scope("GET /events", &[]);
        let cursor = list.seal("2026-01-01T00:00:00.000Z#radar#r1#1");
        let (inner, tag) = cursor.split_once('.').unwrap();
        let forged_inner = URL_SAFE_NO_PAD.encode("9999-01-01T00:00:00.000Z#radar#r1#1");
        for bad in [
            format!("{forged_inner}.{tag}"),
            format!("{inner}.{}", URL_SAFE_NO_PAD.encode([0u8; TAG_LEN])),
            inner.to_owned(),
            String::new(),
            "%%%.%%%".to_owned(),
            "a".repeat(MAX_CURSOR_LEN + 1),
        ] {
            let error = list.open(&bad).unwrap_err();
            assert_eq!(error.status(), 400, "{bad}");
            assert_eq!(error.body()["error"]["code"], "invalid_cursor");
        }
    }
}
