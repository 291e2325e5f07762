//! `Idempotency-Key` (SPEC §8) through the whole request path (`respond_with`, as `serve` runs
//! every function), against the idempotency table on moto, with handlers that count how often
//! they run.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aws_sdk_dynamodb::types::{
    AttributeDefinition, AttributeValue, BillingMode, KeySchemaElement, KeyType,
    ScalarAttributeType,
};
use http_api::idempotency::{record_key, Idempotency, Scope};
use http_api::{respond_with, ApiError, ApiRequest, ApiResponse, App};
use lambda_http::http::Method;
use serde_json::{json, Value};
use test_support::{scan_table, unique_name, Moto};

struct Harness {
    // Kept alive for the test; stopped on drop.
    _moto: Moto,
    dynamodb: aws_sdk_dynamodb::Client,
    table: String,
    runs: Arc<AtomicUsize>,
}

/// The table as template.yaml declares it (TTL aside: moto never expires items).
async fn harness() -> Harness {
    let moto = Moto::start();
    let dynamodb = moto.dynamodb();
    let table = unique_name("idempotency");
    dynamodb
        .create_table()
        .table_name(&table)
        .billing_mode(BillingMode::PayPerRequest)
        .attribute_definitions(
            AttributeDefinition::builder()
                .attribute_name("key")
                .attribute_type(ScalarAttributeType::S)
                .build()
                .unwrap(),
        )
        .key_schema(
            KeySchemaElement::builder()
                .attribute_name("key")
                .key_type(KeyType::Hash)
                .build()
                .unwrap(),
        )
        .send()
        .await
        .expect("idempotency table");
    Harness {
        _moto: moto,
        dynamodb,
        table,
        runs: Arc::default(),
    }
}

struct Answer {
    status: u16,
    headers: lambda_http::http::HeaderMap,
    body: Vec<u8>,
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap()
    }
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
    fn code(&self) -> String {
        self.json()["error"]["code"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }
}

/// `POST /radars` as an operator whose token's `sub` is `sub`.
fn post(body: &str, key: Option<&str>, sub: &str) -> ApiRequest {
    let request = ApiRequest::new(Method::POST, "/radars", body)
        .with_route_key("POST /radars")
        .with_claim("cognito:groups", "[operator]")
        .with_claim("sub", sub);
    match key {
        Some(key) => request.with_header("idempotency-key", key),
        None => request,
    }
}

impl Harness {
    fn settings(&self) -> Idempotency {
        Idempotency::in_table(&self.table)
    }

    async fn send_with<F, Fut>(
        &self,
        settings: &Idempotency,
        request: ApiRequest,
        handler: F,
    ) -> Answer
    where
        F: Fn(App, ApiRequest) -> Fut,
        Fut: std::future::Future<Output = Result<ApiResponse, ApiError>>,
    {
        let app = App::new(self.dynamodb.clone(), None);
        let response = respond_with(app, settings, request, handler).await;
        Answer {
            status: response.status().as_u16(),
            headers: response.headers().clone(),
            body: response.body().to_vec(),
        }
    }

    /// Sends with the counting handler [`Self::install`].
    async fn send(&self, request: ApiRequest) -> Answer {
        self.send_with(&self.settings(), request, self.install(Duration::ZERO))
            .await
    }

    /// A handler that "installs a radar" after `delay`: each run answers a new id, so a run
    /// that should have been a replay shows.
    fn install(
        &self,
        delay: Duration,
    ) -> impl Fn(
        App,
        ApiRequest,
    ) -> std::pin::Pin<
        Box<dyn std::future::Future<Output = Result<ApiResponse, ApiError>>>,
    > {
        let runs = self.runs.clone();
        move |_, _| {
            let runs = runs.clone();
            Box::pin(async move {
                let run = runs.fetch_add(1, Ordering::SeqCst) + 1;
                tokio::time::sleep(delay).await;
                Ok(ApiResponse::created(
                    json!({"radar_id": format!("radar-{run}"), "version": 1}),
                    format!("/radars/radar-{run}"),
                )
                .etag(1))
            })
        }
    }

    /// A handler that counts its runs and gives `answer()`, e.g. an error, or a panic.
    fn counted(
        &self,
        answer: fn() -> Result<ApiResponse, ApiError>,
    ) -> impl Fn(App, ApiRequest) -> std::future::Ready<Result<ApiResponse, ApiError>> {
        let runs = self.runs.clone();
        move |_, _| {
            runs.fetch_add(1, Ordering::SeqCst);
            std::future::ready(answer())
        }
    }

    fn runs(&self) -> usize {
        self.runs.load(Ordering::SeqCst)
    }

    async fn items(&self) -> usize {
        scan_table(&self.dynamodb, &self.table).await.len()
    }
}

const BODY: &str = r#"{"name":"A7 km 12","max_speed_kmh":90}"#;

#[tokio::test]
async fn a_retry_gets_the_first_answer_again_and_runs_nothing() {
    let h = harness().await;
    let first = h.send(post(BODY, Some("install-1"), "op-1")).await;
    assert_eq!(first.status, 201);
    assert_eq!(first.header("idempotent-replayed"), None);

    let again = h.send(post(BODY, Some("install-1"), "op-1")).await;
    assert_eq!(h.runs(), 1, "the retry ran nothing");
    assert_eq!(again.status, 201);
    assert_eq!(again.body, first.body, "the same body, byte for byte");
    for header in ["location", "etag", "content-type"] {
        assert_eq!(again.header(header), first.header(header), "{header}");
    }
    assert_eq!(again.header("idempotent-replayed"), Some("true"));

    // Another body under the same key: 422, and still nothing runs.
    let other = h
        .send(post(
            r#"{"name":"B1","max_speed_kmh":50}"#,
            Some("install-1"),
            "op-1",
        ))
        .await;
    assert_eq!(
        (other.status, other.code().as_str()),
        (422, "idempotency_key_reused")
    );
    assert_eq!(h.runs(), 1);

    // A new key is a new request; no key at all is never deduplicated.
    assert_eq!(
        h.send(post(BODY, Some("install-2"), "op-1")).await.status,
        201
    );
    assert_eq!(h.runs(), 2);
    assert_eq!(h.send(post(BODY, None, "op-1")).await.status, 201);
    assert_eq!(h.send(post(BODY, None, "op-1")).await.status, 201);
    assert_eq!(h.runs(), 4);
    assert_eq!(h.items().await, 2, "one record per key, none without a key");
}

#[tokio::test]
async fn a_client_error_is_replayed_too() {
    let h = harness().await;
    let refuse = h.counted(|| Err(ApiError::invalid("name", "is required")));
    let first = h
        .send_with(&h.settings(), post("{}", Some("k"), "op-1"), &refuse)
        .await;
    let again = h
        .send_with(&h.settings(), post("{}", Some("k"), "op-1"), &refuse)
        .await;
    assert_eq!((first.status, again.status), (400, 400));
    assert_eq!(again.body, first.body);
    assert_eq!(again.header("idempotent-replayed"), Some("true"));
    assert_eq!(h.runs(), 1);
}

#[tokio::test]
async fn concurrent_duplicates_run_once() {
    let h = harness().await;
    let settings = h.settings();
    let slow = h.install(Duration::from_millis(500));
    let (a, b) = tokio::join!(
        h.send_with(&settings, post(BODY, Some("same"), "op-1"), &slow),
        h.send_with(&settings, post(BODY, Some("same"), "op-1"), &slow),
    );
    assert_eq!(h.runs(), 1);
    let ran =
        |answer: &Answer| answer.status == 201 && answer.header("idempotent-replayed").is_none();
    assert!(
        ran(&a) ^ ran(&b),
        "exactly one of them ran: {} {}",
        a.status,
        b.status
    );
    let other = if ran(&a) { &b } else { &a };
    match other.status {
        409 => {
            assert_eq!(other.code(), "request_in_progress");
            assert_eq!(other.header("retry-after"), Some("1"));
        }
        201 => assert_eq!(other.header("idempotent-replayed"), Some("true")),
        status => panic!("unexpected {status}"),
    }
    // Once the first has answered, the duplicate gets its answer.
    let later = h.send(post(BODY, Some("same"), "op-1")).await;
    assert_eq!(later.header("idempotent-replayed"), Some("true"));
    assert_eq!(h.runs(), 1);
}

#[tokio::test]
async fn a_failure_or_a_panic_releases_the_key() {
    let h = harness().await;
    let fails = h.counted(|| Err(ApiError::internal("the store is down")));
    let failed = h
        .send_with(&h.settings(), post(BODY, Some("k"), "op-1"), fails)
        .await;
    assert_eq!(failed.status, 500);
    assert_eq!(h.items().await, 0, "a 5xx keeps nothing");

    let panics = h.counted(|| panic!("a bug"));
    let panicked = h
        .send_with(&h.settings(), post(BODY, Some("k"), "op-1"), panics)
        .await;
    assert_eq!(
        (panicked.status, panicked.code().as_str()),
        (500, "internal_error")
    );
    assert_eq!(h.items().await, 0, "a panic keeps nothing");

    let retried = h.send(post(BODY, Some("k"), "op-1")).await;
    assert_eq!(retried.status, 201);
    assert_eq!(retried.header("idempotent-replayed"), None);
    assert_eq!(
        h.runs(),
        3,
        "each attempt ran; the last one's answer is kept"
    );
    assert_eq!(
        h.send(post(BODY, Some("k"), "op-1")).await.body,
        retried.body
    );
}

#[tokio::test]
async fn an_attempt_past_its_lease_is_taken_over() {
    let h = harness().await;
    // An attempt that never answers (the function crashed or timed out) with a 2 s lease.
    let crashed = h.settings().with_lease(Duration::from_secs(2));
    let hangs = h.install(Duration::from_secs(3600));
    let attempt = h.send_with(&crashed, post(BODY, Some("k"), "op-1"), &hangs);
    assert!(tokio::time::timeout(Duration::from_millis(300), attempt)
        .await
        .is_err());
    assert_eq!(h.runs(), 1);

    let during = h.send(post(BODY, Some("k"), "op-1")).await;
    assert_eq!(
        (during.status, during.code().as_str()),
        (409, "request_in_progress")
    );
    let reused = h.send(post(r#"{"name":"B1"}"#, Some("k"), "op-1")).await;
    assert_eq!(
        reused.status, 422,
        "another body is refused even while in progress"
    );

    tokio::time::sleep(Duration::from_secs(3)).await;
    let after = h.send(post(BODY, Some("k"), "op-1")).await;
    assert_eq!(after.status, 201);
    assert_eq!(after.header("idempotent-replayed"), None);
    assert_eq!(h.runs(), 2, "the retry took the key over and ran");
    assert_eq!(h.send(post(BODY, Some("k"), "op-1")).await.body, after.body);
    assert_eq!(h.runs(), 2);
}

#[tokio::test]
async fn keys_are_per_caller() {
    let h = harness().await;
    let ada = h.send(post(BODY, Some("k"), "op-ada")).await;
    let bob = h.send(post(BODY, Some("k"), "op-bob")).await;
    assert_eq!((ada.status, bob.status), (201, 201));
    assert_eq!(bob.header("idempotent-replayed"), None);
    assert_ne!(ada.body, bob.body);
    assert_eq!(h.runs(), 2);
    // Two customers whose tokens share a `sub` (e.g. re-bound) still do not share keys.
    let as_customer = |customer: &str| {
        ApiRequest::new(
            Method::POST,
            &format!("/customers/{customer}/deposits"),
            BODY,
        )
        .with_route_key("POST /customers/{customer_id}/deposits")
        .with_path_parameter("customer_id", customer)
        .with_claim("cognito:groups", "[customer]")
        .with_claim("custom:subject_id", customer)
        .with_claim("sub", "shared")
        .with_header("idempotency-key", "k")
    };
    assert_eq!(h.send(as_customer("c-1")).await.status, 201);
    assert_eq!(h.send(as_customer("c-2")).await.status, 201);
    assert_eq!(h.runs(), 4);
}

#[tokio::test]
async fn refused_requests_reserve_nothing() {
    let h = harness().await;
    // No token: 401 before the key is looked at.
    let anonymous = ApiRequest::new(Method::POST, "/radars", BODY)
        .with_route_key("POST /radars")
        .with_header("idempotency-key", "k");
    assert_eq!(h.send(anonymous).await.status, 401);
    // A role that may not install radars: 403.
    let auditor = ApiRequest::new(Method::POST, "/radars", BODY)
        .with_route_key("POST /radars")
        .with_claim("cognito:groups", "[auditor]")
        .with_claim("sub", "op-1")
        .with_header("idempotency-key", "k");
    assert_eq!(h.send(auditor).await.status, 403);
    // A key that is not 1..128 visible ASCII characters.
    for bad in ["with space", &"k".repeat(129)] {
        let answer = h.send(post(BODY, Some(bad), "op-1")).await;
        assert_eq!(answer.status, 400);
        assert_eq!(
            answer.json()["error"]["details"][0]["field"],
            "Idempotency-Key"
        );
    }
    assert_eq!(h.items().await, 0);
    assert_eq!(h.runs(), 0);
    assert_eq!(h.send(post(BODY, Some("k"), "op-1")).await.status, 201);
}

#[tokio::test]
async fn an_expired_record_counts_as_absent() {
    let h = harness().await;
    let scope = Scope {
        sub: "op-1".into(),
        role: "operator".into(),
        subject: String::new(),
    };
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    // What a 25-hour-old request left, not yet deleted by TTL (moto never deletes it).
    h.dynamodb
        .put_item()
        .table_name(&h.table)
        .item(
            "key",
            AttributeValue::S(record_key(&scope, "POST /radars", "k")),
        )
        .item("request_hash", AttributeValue::S("another request".into()))
        .item("state", AttributeValue::S("done".into()))
        .item("status", AttributeValue::N("201".into()))
        .item("body", AttributeValue::S("{\"radar_id\":\"old\"}".into()))
        .item("expires_at", AttributeValue::N((now - 3600).to_string()))
        .send()
        .await
        .unwrap();
    let answer = h.send(post(BODY, Some("k"), "op-1")).await;
    assert_eq!(answer.status, 201, "neither 422 nor the old answer");
    assert_eq!(answer.header("idempotent-replayed"), None);
    assert_eq!(h.runs(), 1);
}

#[tokio::test]
async fn without_its_table_a_key_is_a_500_and_nothing_runs() {
    let h = harness().await;
    let unconfigured = Idempotency::unconfigured();
    let handler = h.install(Duration::ZERO);
    let answer = h
        .send_with(&unconfigured, post(BODY, Some("k"), "op-1"), &handler)
        .await;
    assert_eq!(answer.status, 500);
    // The table failing (here: missing) is a 500 too, before anything runs.
    let missing = Idempotency::in_table("no-such-table");
    let answer = h
        .send_with(&missing, post(BODY, Some("k"), "op-1"), &handler)
        .await;
    assert_eq!(answer.status, 500);
    assert_eq!(h.runs(), 0);
    // Requests without a key, and other methods, do not need the table.
    assert_eq!(
        h.send_with(&unconfigured, post(BODY, None, "op-1"), &handler)
            .await
            .status,
        201
    );
    let get = ApiRequest::new(Method::GET, "/radars", "")
        .with_route_key("GET /radars")
        .with_claim("cognito:groups", "[operator]")
        .with_header("idempotency-key", "k");
    let ok = |_: App, _: ApiRequest| std::future::ready(Ok(ApiResponse::ok(json!({"items": []}))));
    assert_eq!(h.send_with(&unconfigured, get, ok).await.status, 200);
    assert_eq!(h.runs(), 1);
}

#[tokio::test]
async fn an_attempt_that_outlived_its_lease_does_not_overwrite_the_answer() {
    let h = harness().await;
    // The first attempt's lease ends at once; it answers after the second has taken over.
    let no_lease = h.settings().with_lease(Duration::ZERO);
    let slow = h.install(Duration::from_millis(1500));
    let fast = h.install(Duration::ZERO);
    let (first, second) = tokio::join!(
        h.send_with(&no_lease, post(BODY, Some("k"), "op-1"), &slow),
        async {
            tokio::time::sleep(Duration::from_millis(300)).await;
            h.send_with(&h.settings(), post(BODY, Some("k"), "op-1"), &fast)
                .await
        },
    );
    assert_eq!((first.status, second.status), (201, 201));
    assert_eq!(h.runs(), 2);
    let replay = h.send(post(BODY, Some("k"), "op-1")).await;
    assert_eq!(
        replay.body, second.body,
        "the record keeps the answer of the attempt holding the claim"
    );
}
