//! The key, the record key and hash, decisions, leases and replays; the template check.

use lambda_http::http::HeaderMap;

use super::*;
use crate::CORRELATION_HEADER;

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
