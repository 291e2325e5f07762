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

use std::collections::HashMap;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aws_lc_rs::digest;
use aws_sdk_dynamodb::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_dynamodb::types::AttributeValue;
use es_core::{Rejection, RejectionKind};
use futures::FutureExt;
use lambda_http::http::{HeaderMap, HeaderName, Method};

use crate::{ApiError, ApiRequest, ApiResponse, CORRELATION_HEADER};

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
    fn of(request: &ApiRequest) -> Self {
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
    fn replay(&self, request: &ApiRequest) -> Result<ApiResponse, String> {
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

fn in_progress_answer() -> ApiResponse {
    let error = ApiError::Rejected(Rejection::new(
        RejectionKind::Conflict,
        "request_in_progress",
        "a request with this Idempotency-Key is still running; retry shortly",
    ));
    ApiResponse::json(error.status(), error.body())
        .header(lambda_http::http::header::RETRY_AFTER, "1".to_owned())
}

fn reused() -> ApiError {
    ApiError::Rejected(Rejection::new(
        RejectionKind::BusinessRule,
        "idempotency_key_reused",
        "this Idempotency-Key was used for another request; use a new key for a new request",
    ))
}

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// One key's item in the table.
struct Record {
    dynamodb: aws_sdk_dynamodb::Client,
    table: String,
    key: String,
    request_hash: String,
}

/// A write refused by its condition, or another failure of the table.
enum WriteError {
    Condition,
    Failed(String),
}

fn write_error<E, R>(error: SdkError<E, R>) -> WriteError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    let code = error.as_service_error().and_then(|e| e.code());
    if code == Some("ConditionalCheckFailedException") {
        WriteError::Condition
    } else {
        WriteError::Failed(describe(&error))
    }
}

fn describe<E, R>(error: &SdkError<E, R>) -> String
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    match error.as_service_error() {
        Some(service) => format!(
            "{}: {}",
            service.code().unwrap_or("error"),
            service.message().unwrap_or_default()
        ),
        None => format!("{error:?}"),
    }
}

fn s(value: impl Into<String>) -> AttributeValue {
    AttributeValue::S(value.into())
}

fn n(value: impl ToString) -> AttributeValue {
    AttributeValue::N(value.to_string())
}

impl Record {
    async fn claim(&self, settings: &Idempotency, request: &ApiRequest) -> Result<Begin, String> {
        for _ in 0..CLAIM_ATTEMPTS {
            let now = now_secs();
            let token = uuid::Uuid::new_v4().to_string();
            let held = |token: String| {
                Begin::Run(Claim(Some(Held {
                    record: self.clone_record(),
                    token,
                    correlation_id: request.correlation_id.clone(),
                })))
            };
            let lease_until = settings.lease_until(now);
            match self.put_claim(&token, now, lease_until, None).await {
                Ok(()) => return Ok(held(token)),
                Err(WriteError::Condition) => {}
                Err(WriteError::Failed(error)) => return Err(error),
            }
            let Some((record_hash, state)) = self.read(now).await? else {
                continue; // released, or expired, meanwhile: claim again
            };
            match decide(&record_hash, &state, &self.request_hash, now) {
                Decision::Reused => return Ok(Begin::Refuse(reused())),
                Decision::Replay(answer) => return answer.replay(request).map(Begin::Answer),
                Decision::InProgress => return Ok(Begin::Answer(in_progress_answer())),
                Decision::TakeOver { lease_until: seen } => {
                    match self.put_claim(&token, now, lease_until, Some(seen)).await {
                        Ok(()) => {
                            tracing::warn!(
                                "an attempt's lease ended before it answered: taken over"
                            );
                            return Ok(held(token));
                        }
                        Err(WriteError::Condition) => {}
                        Err(WriteError::Failed(error)) => return Err(error),
                    }
                }
            }
        }
        Ok(Begin::Answer(in_progress_answer()))
    }

    fn clone_record(&self) -> Record {
        Record {
            dynamodb: self.dynamodb.clone(),
            table: self.table.clone(),
            key: self.key.clone(),
            request_hash: self.request_hash.clone(),
        }
    }

    /// Claims the key: free (absent or expired), or, with `over`, held by an attempt whose
    /// lease (`over`) has ended.
    async fn put_claim(
        &self,
        token: &str,
        now: u64,
        lease_until: u64,
        over: Option<u64>,
    ) -> Result<(), WriteError> {
        let put = self
            .dynamodb
            .put_item()
            .table_name(&self.table)
            .item("key", s(&self.key))
            .item("request_hash", s(&self.request_hash))
            .item("state", s(IN_PROGRESS))
            .item("claim", s(token))
            .item("lease_until", n(lease_until))
            .item("expires_at", n(now + RETENTION.as_secs()))
            .expression_attribute_names("#expires", "expires_at");
        let put = match over {
            None => put
                .condition_expression("attribute_not_exists(#k) OR #expires < :now")
                .expression_attribute_names("#k", "key")
                .expression_attribute_values(":now", n(now)),
            Some(seen) => put
                .condition_expression(
                    "#state = :in_progress AND #lease = :seen AND #hash = :hash AND #expires >= :now",
                )
                .expression_attribute_names("#state", "state")
                .expression_attribute_names("#lease", "lease_until")
                .expression_attribute_names("#hash", "request_hash")
                .expression_attribute_values(":in_progress", s(IN_PROGRESS))
                .expression_attribute_values(":seen", n(seen))
                .expression_attribute_values(":hash", s(&self.request_hash))
                .expression_attribute_values(":now", n(now)),
        };
        put.send().await.map(|_| ()).map_err(write_error)
    }

    /// The live record (consistent read): its request hash and state; `None` when absent or
    /// expired.
    async fn read(&self, now: u64) -> Result<Option<(String, State)>, String> {
        let output = self
            .dynamodb
            .get_item()
            .table_name(&self.table)
            .key("key", s(&self.key))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| describe(&e))?;
        let Some(item) = output.item else {
            return Ok(None);
        };
        let text = |name: &str| match item.get(name) {
            Some(AttributeValue::S(value)) => Ok(value.clone()),
            _ => Err(format!("the record has no {name}")),
        };
        let number = |name: &str| match item.get(name) {
            Some(AttributeValue::N(value)) => value
                .parse::<u64>()
                .map_err(|_| format!("the record's {name} is not a number")),
            _ => Err(format!("the record has no {name}")),
        };
        if number("expires_at")? < now {
            return Ok(None);
        }
        let state = match text("state")?.as_str() {
            IN_PROGRESS => State::InProgress {
                lease_until: number("lease_until")?,
            },
            DONE => State::Done(StoredAnswer {
                status: u16::try_from(number("status")?)
                    .map_err(|_| "the record's status is out of range".to_owned())?,
                body: text("body")?,
                headers: match item.get("headers") {
                    Some(AttributeValue::M(map)) => map
                        .iter()
                        .filter_map(|(k, v)| v.as_s().ok().map(|v| (k.clone(), v.clone())))
                        .collect(),
                    _ => Vec::new(),
                },
                correlation_id: text("correlation_id").unwrap_or_default(),
            }),
            other => return Err(format!("the record's state {other} is unknown")),
        };
        Ok(Some((text("request_hash")?, state)))
    }

    /// Records the answer, if this attempt still holds the key.
    async fn store(
        &self,
        token: &str,
        response: &ApiResponse,
        correlation_id: &str,
    ) -> Result<(), String> {
        let headers: HashMap<String, AttributeValue> = response
            .headers()
            .iter()
            .filter(|(name, _)| name.as_str() != CORRELATION_HEADER)
            .map(|(name, value)| (name.as_str().to_owned(), s(value)))
            .collect();
        let result = self
            .dynamodb
            .update_item()
            .table_name(&self.table)
            .key("key", s(&self.key))
            .update_expression(
                "SET #state = :done, #status = :status, #body = :body, #headers = :headers, \
                 #correlation = :correlation REMOVE #claim, #lease",
            )
            .condition_expression("#claim = :token")
            .expression_attribute_names("#state", "state")
            .expression_attribute_names("#status", "status")
            .expression_attribute_names("#body", "body")
            .expression_attribute_names("#headers", "headers")
            .expression_attribute_names("#correlation", "correlation_id")
            .expression_attribute_names("#claim", "claim")
            .expression_attribute_names("#lease", "lease_until")
            .expression_attribute_values(":done", s(DONE))
            .expression_attribute_values(":status", n(response.status()))
            .expression_attribute_values(":body", s(response.body().to_string()))
            .expression_attribute_values(":headers", AttributeValue::M(headers))
            .expression_attribute_values(":correlation", s(correlation_id))
            .expression_attribute_values(":token", s(token))
            .send()
            .await;
        match result.map_err(write_error) {
            Ok(_) => Ok(()),
            Err(WriteError::Condition) => {
                Err("another attempt took the key over (this one outlived its lease)".into())
            }
            Err(WriteError::Failed(error)) => Err(error),
        }
    }

    /// Deletes the claim, if this attempt still holds it, so that a retry runs again.
    async fn release(&self, token: &str) -> Result<(), String> {
        let result = self
            .dynamodb
            .delete_item()
            .table_name(&self.table)
            .key("key", s(&self.key))
            .condition_expression("#claim = :token")
            .expression_attribute_names("#claim", "claim")
            .expression_attribute_values(":token", s(token))
            .send()
            .await;
        match result.map_err(write_error) {
            Ok(_) | Err(WriteError::Condition) => Ok(()),
            Err(WriteError::Failed(error)) => Err(error),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(values: &[&[u8]]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for value in values {
            map.append(
                IDEMPOTENCY_HEADER,
                lambda_http::http::HeaderValue::from_bytes(value).unwrap(),
            );
        }
        map
    }

    #[test]
    fn keys_are_1_to_128_visible_ascii_characters() {
        assert_eq!(idempotency_key(&headers(&[])).unwrap(), None);
        for good in [&b"a"[..], b"order-42/retry#1", b"!~", &[b'k'; 128]] {
            assert!(
                idempotency_key(&headers(&[good])).unwrap().is_some(),
                "{good:?}"
            );
        }
        for bad in [
            &b""[..],
            b"with space",
            b"tab\there",
            &[b'k'; 129],
            "caf\u{e9}".as_bytes(),
        ] {
            let error = idempotency_key(&headers(&[bad])).unwrap_err();
            assert_eq!(error.status(), 400, "{bad:?}");
            assert_eq!(error.body()["error"]["code"], "invalid_input");
            assert_eq!(
                error.body()["error"]["details"][0]["field"],
                "Idempotency-Key"
            );
        }
        assert_eq!(
            idempotency_key(&headers(&[b"a", b"b"]))
                .unwrap_err()
                .status(),
            400,
            "sent twice"
        );
    }

    fn scope(sub: &str, role: &str, subject: &str) -> Scope {
        Scope {
            sub: sub.into(),
            role: role.into(),
            subject: subject.into(),
        }
    }

    #[test]
    fn a_record_key_belongs_to_one_caller_one_route_and_one_key() {
        let operator = scope("u-1", "operator", "");
        let key = record_key(&operator, "POST /radars", "k1");
        assert_eq!(key.len(), 64);
        assert!(key.bytes().all(|b| b.is_ascii_hexdigit()));
        assert_eq!(key, record_key(&operator, "POST /radars", "k1"));
        let others = [
            record_key(&scope("u-2", "operator", ""), "POST /radars", "k1"),
            record_key(&scope("u-1", "customer", "c-1"), "POST /radars", "k1"),
            record_key(&scope("u-1", "customer", "c-2"), "POST /radars", "k1"),
            record_key(&operator, "POST /owners", "k1"),
            record_key(&operator, "POST /radars", "k2"),
            // Parts cannot run into each other.
            record_key(&scope("u-1o", "perator", ""), "POST /radars", "k1"),
        ];
        for other in others {
            assert_ne!(key, other);
        }
    }

    #[test]
    fn the_request_hash_covers_method_path_and_body() {
        let hash = request_hash(&Method::POST, "/radars", b"{\"a\":1}");
        assert_eq!(hash, request_hash(&Method::POST, "/radars", b"{\"a\":1}"));
        assert_ne!(hash, request_hash(&Method::POST, "/radars", b"{\"a\":2}"));
        assert_ne!(hash, request_hash(&Method::POST, "/owners", b"{\"a\":1}"));
        assert_ne!(hash, request_hash(&Method::PUT, "/radars", b"{\"a\":1}"));
    }

    #[test]
    fn what_a_taken_key_decides() {
        let answer = StoredAnswer {
            status: 201,
            body: "{}".into(),
            headers: vec![("location".into(), "/radars/1".into())],
            correlation_id: "c".into(),
        };
        let done = State::Done(answer.clone());
        let running = State::InProgress { lease_until: 100 };
        assert_eq!(decide("h", &done, "h", 50), Decision::Replay(answer));
        assert_eq!(decide("h", &done, "other", 50), Decision::Reused);
        assert_eq!(decide("h", &running, "other", 50), Decision::Reused);
        assert_eq!(decide("h", &running, "h", 99), Decision::InProgress);
        assert_eq!(
            decide("h", &running, "h", 100),
            Decision::TakeOver { lease_until: 100 }
        );
    }

    #[test]
    fn the_lease_ends_after_the_invocation_deadline() {
        let settings = Idempotency::in_table("t");
        assert_eq!(settings.lease_until(1000), 1000 + DEFAULT_LEASE.as_secs());
        let invocation = settings.for_invocation(Some(1_010_500));
        assert_eq!(invocation.lease_until(1000), 1011 + LEASE_MARGIN.as_secs());
        // A deadline already passed still leaves the margin.
        assert_eq!(invocation.lease_until(2000), 2000 + LEASE_MARGIN.as_secs());
        assert_eq!(
            Idempotency::in_table("t")
                .with_lease(Duration::ZERO)
                .lease_until(7),
            7
        );
    }

    /// Every function serving a POST route, and only those, gets the table and may use it.
    #[test]
    fn the_template_gives_the_table_to_every_post_function_and_no_other() {
        use saphyr::{LoadableYamlNode, Yaml};
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../template.yaml");
        let text = std::fs::read_to_string(path).expect("template.yaml");
        let docs = Yaml::load_from_str(&text).expect("template.yaml is YAML");
        let resources = docs[0]["Resources"].as_mapping().expect("Resources");
        fn get<'a>(node: &Yaml<'a>, name: &str) -> Option<Yaml<'a>> {
            node.as_mapping_get(name).cloned()
        }
        let mut post_functions = 0;
        for (id, resource) in resources {
            let Some(properties) = get(resource, "Properties") else {
                continue;
            };
            let id = id.as_str().unwrap_or_default();
            let serves_post = get(&properties, "Events")
                .and_then(|events| events.as_mapping().cloned())
                .into_iter()
                .flatten()
                .any(|(_, event)| {
                    get(&event, "Properties")
                        .and_then(|p| get(&p, "Method"))
                        .and_then(|m| m.as_str().map(str::to_ascii_uppercase))
                        .as_deref()
                        == Some("POST")
                });
            let has_table = get(&properties, "Environment")
                .and_then(|e| get(&e, "Variables"))
                .and_then(|v| get(&v, IDEMPOTENCY_TABLE))
                .and_then(|t| get(&t, "Ref"))
                .and_then(|r| r.as_str().map(str::to_owned))
                .as_deref()
                == Some("IdempotencyTable");
            let has_policy = get(&properties, "Policies")
                .and_then(|p| p.as_sequence().cloned())
                .into_iter()
                .flatten()
                .any(|policy| {
                    get(&policy, "Ref")
                        .and_then(|r| r.as_str().map(str::to_owned))
                        .as_deref()
                        == Some("IdempotencyAccessPolicy")
                });
            assert_eq!(
                (has_table, has_policy),
                (serves_post, serves_post),
                "{id}: IDEMPOTENCY_TABLE and IdempotencyAccessPolicy go with POST routes"
            );
            post_functions += usize::from(serves_post);
        }
        assert!(post_functions >= 13, "{post_functions} POST functions");
    }

    #[test]
    fn a_replay_is_the_first_answer_with_the_replayed_header() {
        let answer = StoredAnswer {
            status: 201,
            body: "{\"radar_id\":\"r\",\"version\":1}".into(),
            headers: vec![
                ("location".into(), "/radars/r".into()),
                ("etag".into(), "\"1\"".into()),
            ],
            correlation_id: "first".into(),
        };
        let request = ApiRequest::new(Method::POST, "/radars", "");
        let replay = answer.replay(&request).unwrap();
        assert_eq!(replay.status(), 201);
        assert_eq!(replay.body().to_string(), answer.body);
        let response = replay.into_lambda(&request.correlation_id);
        assert_eq!(response.headers()["location"], "/radars/r");
        assert_eq!(response.headers()["etag"], "\"1\"");
        assert_eq!(response.headers()[REPLAYED_HEADER], "true");
        assert_eq!(response.headers()["content-type"], "application/json");
        assert_eq!(
            response.headers()[CORRELATION_HEADER],
            "first",
            "no id sent: the first answer's"
        );
        let sent = ApiRequest::new(Method::POST, "/radars", "")
            .with_header(CORRELATION_HEADER, "test-correlation");
        let response = answer
            .replay(&sent)
            .unwrap()
            .into_lambda(&sent.correlation_id);
        assert_eq!(response.headers()[CORRELATION_HEADER], "test-correlation");
    }
}
