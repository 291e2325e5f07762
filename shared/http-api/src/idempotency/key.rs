//! Which record a request belongs to: the `Idempotency-Key` header checked, the record's key
//! (caller, route and key, hashed) and the hash that tells two requests apart.

use aws_lc_rs::digest;
use lambda_http::http::{HeaderMap, Method};

use super::{IDEMPOTENCY_HEADER, MAX_KEY_LENGTH};
use crate::{ApiError, ApiRequest};

/// The `Idempotency-Key` header: absent, or 1..128 visible ASCII characters.
pub fn idempotency_key(headers: &HeaderMap) -> Result<Option<&str>, ApiError> {
    let mut values = headers.get_all(IDEMPOTENCY_HEADER).iter();
    let Some(value) = values.next() else {
        return Ok(None);
    };
    let invalid = || {
        ApiError::invalid(
            "Idempotency-Key",
            "must be 1 to 128 visible ASCII characters (0x21-0x7E), sent once",
        )
    };
    if values.next().is_some() {
        return Err(invalid());
    }
    let bytes = value.as_bytes();
    if bytes.is_empty()
        || bytes.len() > MAX_KEY_LENGTH
        || !bytes.iter().all(|b| (0x21..=0x7E).contains(b))
    {
        return Err(invalid());
    }
    value.to_str().map(Some).map_err(|_| invalid())
}

/// Who a key belongs to: the token's subject (`sub`) and the caller's role and bound id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope {
    pub sub: String,
    pub role: String,
    pub subject: String,
}

impl Scope {
    pub(super) fn of(request: &ApiRequest) -> Self {
        let caller = request.caller();
        Self {
            sub: request.claims.get("sub").cloned().unwrap_or_default(),
            role: caller.map_or("anonymous", |c| c.role.as_str()).to_owned(),
            subject: caller.and_then(|c| c.subject.clone()).unwrap_or_default(),
        }
    }
}

/// SHA-256 of the parts, each prefixed with its length (no two part lists hash alike).
fn sha256_hex(parts: &[&[u8]]) -> String {
    let mut context = digest::Context::new(&digest::SHA256);
    for part in parts {
        context.update(&(part.len() as u64).to_be_bytes());
        context.update(part);
    }
    context
        .finish()
        .as_ref()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The record's partition key: caller scope, route key and the client's key, hashed.
pub fn record_key(scope: &Scope, route_key: &str, key: &str) -> String {
    sha256_hex(&[
        b"idempotency-key/v1",
        scope.sub.as_bytes(),
        scope.role.as_bytes(),
        scope.subject.as_bytes(),
        route_key.as_bytes(),
        key.as_bytes(),
    ])
}

/// What makes two requests "the same": method, path and body bytes.
pub fn request_hash(method: &Method, path: &str, body: &[u8]) -> String {
    sha256_hex(&[method.as_str().as_bytes(), path.as_bytes(), body])
}
