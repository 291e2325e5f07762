//! What a request finds when its key is taken, and the answers that come of it: the replay of
//! the first answer, 409 while it runs, 422 for another request under the same key.

use es_core::{Rejection, RejectionKind};
use lambda_http::http::HeaderName;

use super::REPLAYED_HEADER;
use crate::{ApiError, ApiRequest, ApiResponse, CORRELATION_HEADER};

/// A recorded answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredAnswer {
    pub status: u16,
    /// The body's JSON text.
    pub body: String,
    /// Headers the handler set (lower-case names).
    pub headers: Vec<(String, String)>,
    pub correlation_id: String,
}

/// A record's state, as read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum State {
    InProgress { lease_until: u64 },
    Done(StoredAnswer),
}

/// What a request finds when its key is taken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// The key was used for another request: 422.
    Reused,
    /// The first answer again.
    Replay(StoredAnswer),
    /// The first attempt is still running: 409.
    InProgress,
    /// The first attempt's lease is over: take over the claim whose lease is this, and run.
    TakeOver { lease_until: u64 },
}

/// The decision on a live record (`expires_at` not passed) for a request hashing to
/// `request_hash`, at `now` (epoch seconds).
pub fn decide(record_hash: &str, state: &State, request_hash: &str, now: u64) -> Decision {
    if record_hash != request_hash {
        return Decision::Reused;
    }
    match state {
        State::Done(answer) => Decision::Replay(answer.clone()),
        State::InProgress { lease_until } if *lease_until > now => Decision::InProgress,
        State::InProgress { lease_until } => Decision::TakeOver {
            lease_until: *lease_until,
        },
    }
}

impl StoredAnswer {
    /// The replay of this answer to `request`.
    pub(super) fn replay(&self, request: &ApiRequest) -> Result<ApiResponse, String> {
        let body: serde_json::Value = serde_json::from_str(&self.body)
            .map_err(|e| format!("the recorded body is not JSON: {e}"))?;
        let mut response = ApiResponse::json(self.status, body);
        for (name, value) in &self.headers {
            let name = HeaderName::from_bytes(name.as_bytes())
                .map_err(|e| format!("recorded header {name}: {e}"))?;
            response = response.header(name, value.clone());
        }
        if !sent_correlation_id(request) && !self.correlation_id.is_empty() {
            response = response.header(
                HeaderName::from_static(CORRELATION_HEADER),
                self.correlation_id.clone(),
            );
        }
        Ok(response.header(HeaderName::from_static(REPLAYED_HEADER), "true".to_owned()))
    }
}

/// Whether the request's correlation id is the one it sent (rather than a new one).
fn sent_correlation_id(request: &ApiRequest) -> bool {
    request
        .headers
        .get(CORRELATION_HEADER)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim() == request.correlation_id)
}

pub(super) fn in_progress_answer() -> ApiResponse {
    let error = ApiError::Rejected(Rejection::new(
        RejectionKind::Conflict,
        "request_in_progress",
        "a request with this Idempotency-Key is still running; retry shortly",
    ));
    ApiResponse::json(error.status(), error.body())
        .header(lambda_http::http::header::RETRY_AFTER, "1".to_owned())
}

pub(super) fn reused() -> ApiError {
    ApiError::Rejected(Rejection::new(
        RejectionKind::BusinessRule,
        "idempotency_key_reused",
        "this Idempotency-Key was used for another request; use a new key for a new request",
    ))
}
