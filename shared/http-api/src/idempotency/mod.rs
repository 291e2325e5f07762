//! Safe retries (SPEC §8): `Idempotency-Key` on every `POST`.
//!
//! A `POST` that carries `Idempotency-Key` (1..128 visible ASCII characters; anything else is a
//! `400 invalid_input` naming the header) runs at most once per caller, route and key within
//! 24 hours. [`crate::serve`] calls [`Idempotency::begin`] after the request is authorized (an
//! unauthorized request never reserves a key) and before the handler; the [`Claim`] it gets
//! runs the handler and records its answer. Other methods, `POST`s without the header, and
//! requests that reached no declared `POST` route (the `$default` fallback answering 404/405)
//! ignore the header.
//!
//! **The record.** One item per key in `IDEMPOTENCY_TABLE`, partition key `key` = SHA-256 hex
//! of (the token's `sub`, the caller's role and bound subject, `requestContext.routeKey`, the
//! header's value): two callers never share a record, and a key is scoped to its route.
//! Attributes:
//! - `request_hash`: SHA-256 hex of method, path and body bytes: the same key with another
//!   request is `422 idempotency_key_reused`, whatever the record's state;
//! - `state`: `in_progress` (with `claim`, a random token of the attempt holding it, and
//!   `lease_until`, epoch seconds) or `done` (with `status`, `body` as JSON text, `headers`, the
//!   headers the handler set, e.g. `Location` and `ETag`, and `correlation_id`);
//! - `expires_at`: epoch seconds, 24 hours after the claim: the table's TTL attribute. TTL
//!   deletion is lazy (and moto never does it), so an item past `expires_at` counts as absent:
//!   the claim's condition lets a new request overwrite it.
//!
//! **The flow.** A conditional `PutItem` claims the key (`attribute_not_exists(key) OR
//! expires_at < now`). If the key is taken, a consistent `GetItem` decides ([`decide`]): another
//! request hash → 422; `done` → the stored answer again, with `Idempotent-Replayed: true`;
//! `in_progress` within its lease → `409 request_in_progress` (`Retry-After: 1`); in progress
//! past its lease (the attempt crashed or timed out) → taken over with a `PutItem` conditional
//! on the lease read, and run. After the handler, an answer below 500 is stored (`UpdateItem`
//! conditional on still holding the claim); a 5xx, or a panic of the handler, deletes the claim
//! (conditionally too) so that a retry runs again.
//!
//! **The lease** ends a margin after the Lambda invocation's deadline (the function cannot run
//! past it), or, without one (tests), after a fixed lease: a crashed attempt blocks its key
//! for seconds, not 24 hours.
//!
//! **Failures.** The idempotency table failing before the handler runs (claim, read,
//! take-over) answers 500 and runs nothing: a command is never run twice because its record
//! could not be read or written. A failure to store the answer after the handler ran is
//! logged and the answer still returned: the record stays `in_progress` until its lease ends
//! (409 meanwhile), after which a retry would run again, as after a crash. A `POST` with the
//! header in a function without `IDEMPOTENCY_TABLE` is a misconfiguration: 500, logged.
//!
//! **A replay** has the first answer's status, body (byte for byte) and headers. Its
//! `X-Correlation-Id` is the retry's own when the retry sent one (SPEC §2: echoed), otherwise
//! the first answer's, the one its events carry.
//!
//! The module by job: [`key`] (the header, the record's key, the request hash), [`decision`]
//! (what a taken key decides, and the answers it gives), [`record`] (the item in the table)
//! and, here, the settings and the claim [`crate::serve`] holds around a handler.

mod decision;
mod key;
mod record;

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::time::Duration;

use futures::FutureExt;
use lambda_http::http::Method;

use crate::{ApiError, ApiRequest, ApiResponse};

pub use decision::{decide, Decision, State, StoredAnswer};
pub use key::{idempotency_key, record_key, request_hash, Scope};

use record::Record;

/// The request header (HTTP header names are case-insensitive).
pub const IDEMPOTENCY_HEADER: &str = "idempotency-key";
/// The header a replayed answer carries.
pub const REPLAYED_HEADER: &str = "idempotent-replayed";
/// The environment variable naming the table.
pub const IDEMPOTENCY_TABLE: &str = "IDEMPOTENCY_TABLE";
/// The longest key accepted.
pub const MAX_KEY_LENGTH: usize = 128;
/// How long a key is remembered.
pub const RETENTION: Duration = Duration::from_secs(24 * 60 * 60);
/// Added to the invocation's deadline: clocks differ a little between Lambda and DynamoDB.
const LEASE_MARGIN: Duration = Duration::from_secs(5);
/// The lease without an invocation deadline: above every function's timeout (10 s).
const DEFAULT_LEASE: Duration = Duration::from_secs(30);
/// Claim attempts before giving up with a 409 (a record released or taken over meanwhile).
const CLAIM_ATTEMPTS: usize = 3;

const IN_PROGRESS: &str = "in_progress";
const DONE: &str = "done";

/// Where and for how long keys are recorded; [`crate::serve`] reads it once per cold start.
#[derive(Debug, Clone)]
pub struct Idempotency {
    table: Option<String>,
    /// The invocation's deadline, epoch milliseconds (the Lambda context's).
    deadline_ms: Option<u64>,
    /// The lease when there is no deadline.
    lease: Duration,
}

impl Idempotency {
    /// The table named by `IDEMPOTENCY_TABLE`, if set.
    pub fn from_env() -> Self {
        Self {
            table: std::env::var(IDEMPOTENCY_TABLE)
                .ok()
                .filter(|t| !t.is_empty()),
            deadline_ms: None,
            lease: DEFAULT_LEASE,
        }
    }

    /// Keys recorded in `table`.
    pub fn in_table(table: impl Into<String>) -> Self {
        Self {
            table: Some(table.into()),
            ..Self::unconfigured()
        }
    }

    /// No table: a `POST` with the header is answered 500.
    pub fn unconfigured() -> Self {
        Self {
            table: None,
            deadline_ms: None,
            lease: DEFAULT_LEASE,
        }
    }

    /// The lease of an attempt when the invocation has no deadline (tests).
    pub fn with_lease(mut self, lease: Duration) -> Self {
        self.lease = lease;
        self
    }

    /// The same settings for one invocation ending at `deadline_ms` (epoch milliseconds).
    pub fn for_invocation(&self, deadline_ms: Option<u64>) -> Self {
        Self {
            deadline_ms: deadline_ms.filter(|ms| *ms > 0),
            ..self.clone()
        }
    }

    /// Epoch seconds until which an attempt started at `now` holds its claim.
    fn lease_until(&self, now: u64) -> u64 {
        match self.deadline_ms {
            Some(ms) => ms.div_ceil(1000).max(now) + LEASE_MARGIN.as_secs(),
            None => now + self.lease.as_secs(),
        }
    }

    /// Reserves the request's key, or answers it without running the handler.
    pub(crate) async fn begin(
        &self,
        dynamodb: &aws_sdk_dynamodb::Client,
        request: &ApiRequest,
    ) -> Begin {
        if request.method != Method::POST || !request.route_key.starts_with("POST ") {
            return Begin::Run(Claim(None));
        }
        let key = match idempotency_key(&request.headers) {
            Ok(None) => return Begin::Run(Claim(None)),
            Ok(Some(key)) => key,
            Err(error) => return Begin::Refuse(error),
        };
        let Some(table) = &self.table else {
            tracing::error!(route_key = %request.route_key,
                "a request carries Idempotency-Key but IDEMPOTENCY_TABLE is not set: refused");
            return Begin::Refuse(ApiError::internal(
                "IDEMPOTENCY_TABLE is not set for a POST function",
            ));
        };
        let scope = Scope::of(request);
        let record = Record {
            dynamodb: dynamodb.clone(),
            table: table.clone(),
            key: record_key(&scope, &request.route_key, key),
            request_hash: request_hash(&request.method, &request.path, request.body_bytes()),
        };
        match record.claim(self, request).await {
            Ok(begin) => begin,
            Err(error) => {
                tracing::error!(route_key = %request.route_key, error = %error,
                    "the idempotency table failed: the request is not run");
                Begin::Refuse(ApiError::internal(format!("idempotency table: {error}")))
            }
        }
    }
}

/// What to do with a request, once its key is looked at.
pub(crate) enum Begin {
    /// Run the handler under this claim.
    Run(Claim),
    /// Answer this, without running the handler (a replay, or a 409 in progress).
    Answer(ApiResponse),
    /// Answer this error, without running the handler.
    Refuse(ApiError),
}

/// The right to run a request: `None` when the request carries no key.
pub(crate) struct Claim(Option<Held>);

struct Held {
    record: Record,
    token: String,
    correlation_id: String,
}

impl Claim {
    /// Runs the handler; under a claim, a panic becomes a 500 (and releases the key in
    /// [`Self::finish`]) rather than leaving the key held until its lease ends.
    pub(crate) async fn run<Fut>(
        &self,
        handler: impl FnOnce() -> Fut,
    ) -> Result<ApiResponse, ApiError>
    where
        Fut: Future<Output = Result<ApiResponse, ApiError>>,
    {
        if self.0.is_none() {
            return handler().await;
        }
        let outcome = match std::panic::catch_unwind(AssertUnwindSafe(handler)) {
            Ok(future) => AssertUnwindSafe(future).catch_unwind().await,
            Err(panic) => Err(panic),
        };
        outcome.unwrap_or_else(|panic| {
            let message = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            Err(ApiError::internal(format!(
                "the handler panicked: {message}"
            )))
        })
    }

    /// Records the answer (below 500) or releases the key (5xx); returns the answer.
    pub(crate) async fn finish(self, response: ApiResponse) -> ApiResponse {
        let Some(held) = self.0 else {
            return response;
        };
        if response.status() < 500 {
            if let Err(error) = held
                .record
                .store(&held.token, &response, &held.correlation_id)
                .await
            {
                tracing::error!(error = %error, status = response.status(),
                    "the answer could not be recorded: the key stays in progress until its lease ends");
            }
        } else if let Err(error) = held.record.release(&held.token).await {
            tracing::error!(error = %error,
                "the key of a failed request could not be released: retries wait for its lease");
        }
        response
    }
}

#[cfg(test)]
mod tests;
