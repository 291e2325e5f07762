//! What callers can rely on, end to end on the local cloud through its gateway. SPEC §7: tokens
//! checked as API Gateway's JWT authorizer checks them, roles and bound subjects enforced by
//! the functions, and personal data erased by destroying its key. SPEC §8: reading what you
//! wrote (`?min_version=`) and tamper-evident cursors.
//!
//! `cargo test -p e2e-tests --test guarantees [-- FILTER]` (scripts/test builds the functions
//! first).

use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine;
use e2e_tests::roads::{
    an_hour_ago, change_speed_limit, created, detect_overspeed, install_radar, register_vehicle,
    unique_plate, Offence,
};
use e2e_tests::shop::{checkout_reply, Purchase};
use e2e_tests::{Api, Cloud, Reply, Suite};
use futures::StreamExt;
use reqwest::Method;
use serde_json::{json, Value};
use std::time::Duration;
use test_support::scan_table;
use uuid::Uuid;

/// How long an event may take to reach a read model before a scenario fails.
const PROPAGATION: Duration = Duration::from_secs(60);

async fn operator(cloud: &Cloud) -> Api {
    cloud.lock().await.api()
}

async fn as_role(cloud: &Cloud, role: &str, id: Option<&str>) -> Api {
    cloud.lock().await.api_as(role, id)
}

/// The SPEC §2 error body of a 401 or 403, and nothing of the resource.
fn assert_refused(reply: &Reply, status: u16, what: &str) {
    assert_eq!(reply.status, status, "{what}: {}", reply.body);
    let code = if status == 401 {
        "unauthenticated"
    } else {
        "forbidden"
    };
    assert_eq!(reply.code(), code, "{what}: {}", reply.body);
    assert!(reply.body["error"]["message"].is_string(), "{what}");
    if status == 401 {
        let challenge = reply.header("www-authenticate").unwrap_or_default();
        assert!(
            challenge.starts_with("Bearer"),
            "{what}: WWW-Authenticate {challenge:?}"
        );
    }
}

/// A traffic world: a radar, an owner with a car, and an infraction on that car, issued.
async fn driver(api: &Api) -> Offence {
    let offence = Offence::create(api, "SEC").await;
    api.until(
        &format!("/infractions/{}", offence.infraction),
        PROPAGATION,
        |r| r.status == 200 && r.body["status"] == "ISSUED",
    )
    .await;
    offence
}

/// A customer with an order, in its view.
async fn shopper(api: &Api) -> Purchase {
    let purchase = Purchase::place(api, 100, 1, 100_000).await;
    api.until(&format!("/orders/{}", purchase.order), PROPAGATION, |r| {
        r.status == 200
    })
    .await;
    purchase
}

/// Re-encodes a token's payload with `change` applied, keeping its header and signature.
fn tampered(token: &str, change: impl FnOnce(&mut Value)) -> String {
    let parts: Vec<&str> = token.split('.').collect();
    assert_eq!(parts.len(), 3, "a JWT");
    let mut claims: Value = serde_json::from_slice(&B64.decode(parts[1]).unwrap()).unwrap();
    change(&mut claims);
    let payload = B64.encode(serde_json::to_vec(&claims).unwrap());
    format!("{}.{payload}.{}", parts[0], parts[2])
}

async fn bad_tokens_are_401_and_append_nothing(cloud: Cloud) {
    let api = operator(&cloud).await;
    let (expired, foreign, auditor) = {
        let cloud = cloud.lock().await;
        (
            cloud.token_with(&["operator", "--expires-in", "-120"]),
            cloud.foreign_token("operator"),
            cloud.token("auditor", None),
        )
    };
    // An auditor's token made to say operator: the signature no longer matches.
    let promoted = tampered(&auditor, |claims| {
        claims["cognito:groups"] = json!(["operator"])
    });
    let cases: Vec<(&str, Option<String>)> = vec![
        ("no token", None),
        ("a malformed token", Some("not-a-jwt".into())),
        ("an expired token", Some(expired)),
        ("a token signed by another key", Some(foreign)),
        ("a token with a tampered payload", Some(promoted)),
    ];
    for (what, token) in cases {
        let caller = match &token {
            Some(token) => api.with_token(token),
            None => api.anonymous(),
        };
        let correlation = format!("unauthenticated-{}", Uuid::new_v4());
        let reply = caller
            .call(
                Method::POST,
                "/radars",
                Some(json!({"name": "x", "road": "x", "latitude": 1, "longitude": 1, "max_speed_kmh": 90})),
                &[("x-correlation-id", correlation.as_str())],
            )
            .await;
        assert_refused(&reply, 401, what);
        assert_refused(&caller.get("/radars").await, 401, what);
        assert_refused(&caller.get("/nowhere/at/all").await, 401, what);
        assert!(
            api.events_of(&correlation).await.is_empty(),
            "{what} appended"
        );
    }
}

/// Every route a role may not call, per SPEC §7, answers 403 and appends nothing.
async fn each_role_is_refused_the_routes_it_may_not_call(cloud: Cloud) {
    let any = Uuid::new_v4().to_string();
    let bound = Uuid::new_v4().to_string();
    let path = |template: &str| {
        // Bound roles name their own subject, so that the refusal is the role's.
        template
            .replace("{radar_id}", &bound)
            .replace("{owner_id}", &bound)
            .replace("{customer_id}", &bound)
            .replace("{plate}", "AB123CD")
            .replace("{aggregate_type}", "radar")
            .replace(['{', '}'], "")
            .replace("infraction_id", &any)
            .replace("product_id", &any)
            .replace("order_id", &any)
            .replace("aggregate_id", &any)
    };
    // Every route, by the bound role that may call it besides the operator (and the auditor,
    // who may call every GET): none, the radar, the owner, the customer.
    let everything: [(&str, &[(&str, &str)]); 4] = [
        (
            "",
            &[
                ("POST", "/radars"),
                ("GET", "/radars"),
                ("PATCH", "/radars/{radar_id}"),
                ("GET", "/radars/{radar_id}"),
                ("PUT", "/radars/{radar_id}/speed-limit"),
                ("PUT", "/radars/{radar_id}/status"),
                ("GET", "/radars/{radar_id}/events"),
                ("POST", "/owners"),
                ("GET", "/owners"),
                ("PATCH", "/owners/{owner_id}"),
                ("DELETE", "/owners/{owner_id}/personal-data"),
                ("POST", "/vehicles"),
                ("PATCH", "/vehicles/{plate}"),
                ("PUT", "/vehicles/{plate}/owner"),
                ("POST", "/infractions/{infraction_id}/cancel"),
                ("PATCH", "/infractions/{infraction_id}"),
                ("POST", "/products"),
                ("POST", "/products/{product_id}/restock"),
                ("POST", "/customers"),
                ("DELETE", "/customers/{customer_id}/personal-data"),
                ("GET", "/statistics/orders"),
                ("GET", "/events"),
            ],
        ),
        ("radar", &[("POST", "/radars/{radar_id}/detections")]),
        (
            "owner",
            &[
                ("GET", "/owners/{owner_id}"),
                ("GET", "/owners/{owner_id}/infractions"),
                ("GET", "/vehicles"),
                ("GET", "/vehicles/{plate}"),
                ("POST", "/infractions/{infraction_id}/payments"),
                ("POST", "/infractions/{infraction_id}/contest"),
                ("GET", "/infractions/{infraction_id}"),
                ("GET", "/infractions"),
            ],
        ),
        (
            "customer",
            &[
                ("GET", "/inventory"),
                ("GET", "/inventory/{product_id}"),
                ("GET", "/inventory/low-stock"),
                ("POST", "/customers/{customer_id}/deposits"),
                ("GET", "/customers/{customer_id}"),
                ("POST", "/customers/{customer_id}/cart/items"),
                ("POST", "/customers/{customer_id}/cart/checkout"),
                ("GET", "/customers/{customer_id}/cart"),
                ("GET", "/customers/{customer_id}/orders"),
                ("GET", "/customers/{customer_id}/summary"),
                ("GET", "/orders/{order_id}"),
            ],
        ),
    ];
    let mut refused = Vec::new();
    let routes = everything
        .iter()
        .flat_map(|(bound_caller, routes)| routes.iter().map(move |route| (route, bound_caller)));
    for ((method, route), bound_caller) in routes {
        for role in ["auditor", "radar", "owner", "customer"] {
            let is_refused = match role {
                "auditor" => *method != "GET",
                role => *bound_caller != role,
            };
            if is_refused {
                refused.push((role, *method, path(route)));
            }
        }
    }
    let mut tokens = std::collections::HashMap::new();
    for role in ["auditor", "radar", "owner", "customer"] {
        let id = (role != "auditor").then_some(bound.as_str());
        tokens.insert(role, as_role(&cloud, role, id).await);
    }
    let correlation = format!("forbidden-{}", Uuid::new_v4());
    let calls: Vec<(Api, String, Method, String)> = refused
        .into_iter()
        .map(|(role, method, path)| {
            let method = Method::from_bytes(method.as_bytes()).unwrap();
            let what = format!("{role} {method} {path}");
            (tokens[role].clone(), what, method, path)
        })
        .collect();
    let count = calls.len();
    let replies: Vec<(String, Reply)> = futures::stream::iter(calls)
        .map(|(api, what, method, path)| call_as(api, what, method, path, correlation.clone()))
        .buffer_unordered(4)
        .collect()
        .await;
    for (what, reply) in &replies {
        assert_refused(reply, 403, what);
    }
    println!("    {count} refused calls, each a 403");
    assert!(operator(&cloud)
        .await
        .events_of(&correlation)
        .await
        .is_empty());
}

async fn call_as(
    api: Api,
    what: String,
    method: Method,
    path: String,
    correlation: String,
) -> (String, Reply) {
    let body = (method != Method::GET && method != Method::DELETE).then(|| json!({}));
    let reply = api
        .call(
            method,
            &path,
            body,
            &[("x-correlation-id", correlation.as_str())],
        )
        .await;
    (what, reply)
}

/// What an owner reads of its own, by its id: itself, its infractions and vehicles.
fn owner_reads(owner: &str) -> [String; 4] {
    [
        format!("/owners/{owner}"),
        format!("/owners/{owner}/infractions"),
        format!("/infractions?owner_id={owner}"),
        format!("/vehicles?owner_id={owner}"),
    ]
}

/// What a customer reads of its own, by its id: itself, its cart, orders and summary.
fn customer_reads(customer: &str) -> [String; 4] {
    ["", "/cart", "/orders", "/summary"].map(|path| format!("/customers/{customer}{path}"))
}

/// A caller bound to one subject never gets another's data, and cannot act for it.
async fn a_bound_caller_reaches_only_its_own_subject(cloud: Cloud) {
    let api = operator(&cloud).await;
    let (mine, theirs) = (driver(&api).await, driver(&api).await);
    let owner = as_role(&cloud, "owner", Some(&mine.owner)).await;
    for path in owner_reads(&theirs.owner) {
        let reply = owner.get(&path).await;
        assert_refused(&reply, 403, &path);
    }
    for path in [
        format!("/vehicles/{}", theirs.plate),
        format!("/infractions/{}", theirs.infraction),
    ] {
        let reply = owner.get(&path).await;
        assert_eq!(reply.status, 404, "{path}: {}", reply.body);
        assert!(
            !reply.body.to_string().contains(&theirs.owner),
            "{path} leaked"
        );
    }
    // Lists without a filter are narrowed to the caller's own.
    for path in ["/infractions", "/vehicles"] {
        let items = owner.all_items(path).await;
        assert!(!items.is_empty(), "{path}");
        assert!(
            items.iter().all(|i| i["owner_id"] == mine.owner.as_str()),
            "{path}: {items:?}"
        );
    }
    // Paying or contesting another's infraction: 404, nothing appended.
    let correlation = format!("pay-theirs-{}", Uuid::new_v4());
    for (route, body) in [
        ("payments", json!({"amount": 1000})),
        ("contest", json!({"reason": "not me"})),
    ] {
        let reply = owner
            .call(
                Method::POST,
                &format!("/infractions/{}/{route}", theirs.infraction),
                Some(body),
                &[("x-correlation-id", correlation.as_str())],
            )
            .await;
        assert_eq!(reply.status, 404, "{route}: {}", reply.body);
    }
    // A radar posts to its own radar only.
    let radar = as_role(&cloud, "radar", Some(&mine.radar)).await;
    let reply = radar
        .call(
            Method::POST,
            &format!("/radars/{}/detections", theirs.radar),
            Some(json!({"plate": mine.plate, "speed_kmh": 150, "detected_at": an_hour_ago()})),
            &[("x-correlation-id", correlation.as_str())],
        )
        .await;
    assert_refused(&reply, 403, "a radar posting to another radar");
    assert!(
        api.events_of(&correlation).await.is_empty(),
        "a refused request appended"
    );

    let (me, them) = (shopper(&api).await, shopper(&api).await);
    let customer = as_role(&cloud, "customer", Some(&me.customer)).await;
    for path in customer_reads(&them.customer) {
        assert_refused(&customer.get(&path).await, 403, &path);
    }
    let reply = customer.get(&format!("/orders/{}", them.order)).await;
    assert_eq!(reply.status, 404, "another's order: {}", reply.body);
    let reply = customer
        .post(
            &format!("/customers/{}/deposits", them.customer),
            json!({"amount_cents": 100}),
        )
        .await;
    assert_refused(&reply, 403, "a deposit on another's balance");
}

/// Each role's own routes work with its own token.
async fn each_role_may_call_its_own_routes(cloud: Cloud) {
    let api = operator(&cloud).await;
    let driver = driver(&api).await;
    let radar = as_role(&cloud, "radar", Some(&driver.radar)).await;
    let reply = radar
        .post(
            &format!("/radars/{}/detections", driver.radar),
            json!({"plate": driver.plate, "speed_kmh": 101, "detected_at": an_hour_ago()}),
        )
        .await;
    assert_eq!(reply.status, 202, "a radar's own detection: {}", reply.body);

    let owner = as_role(&cloud, "owner", Some(&driver.owner)).await;
    let by_id = [
        format!("/vehicles/{}", driver.plate),
        format!("/infractions/{}", driver.infraction),
    ];
    for path in owner_reads(&driver.owner).into_iter().chain(by_id) {
        let reply = owner.get(&path).await;
        assert_eq!(reply.status, 200, "owner GET {path}: {}", reply.body);
    }
    let reply = owner
        .post(
            &format!("/infractions/{}/payments", driver.infraction),
            json!({"amount": 1000}),
        )
        .await;
    assert_eq!(
        reply.status, 200,
        "an owner pays its own fine: {}",
        reply.body
    );

    let shopper = shopper(&api).await;
    let customer = as_role(&cloud, "customer", Some(&shopper.customer)).await;
    let own = format!("/customers/{}", shopper.customer);
    let shop = [
        "/inventory".to_owned(),
        format!("/inventory/{}", shopper.product),
        "/inventory/low-stock".to_owned(),
        format!("/orders/{}", shopper.order),
    ];
    for path in shop.into_iter().chain(customer_reads(&shopper.customer)) {
        let reply = customer.get(&path).await;
        assert_eq!(reply.status, 200, "customer GET {path}: {}", reply.body);
    }
    let reply = customer
        .post(&format!("{own}/deposits"), json!({"amount_cents": 500}))
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    let reply = customer
        .post(
            &format!("{own}/cart/items"),
            json!({"product_id": shopper.product, "quantity": 2}),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    let reply = customer
        .call(Method::POST, &format!("{own}/cart/checkout"), None, &[])
        .await;
    assert_eq!(reply.status, 202, "{}", reply.body);

    let auditor = as_role(&cloud, "auditor", None).await;
    for path in [
        "/events?limit=5".to_owned(),
        format!("/aggregates/order/{}/events", shopper.order),
        "/statistics/orders".to_owned(),
        "/radars".to_owned(),
    ] {
        let reply = auditor.get(&path).await;
        assert_eq!(reply.status, 200, "auditor GET {path}: {}", reply.body);
    }
}

/// Every item of a table, as raw JSON text.
async fn raw_items(cloud: &Cloud, variable: &str) -> String {
    let (client, table) = {
        let cloud = cloud.lock().await;
        (cloud.dynamodb(), cloud.table(variable))
    };
    scan_table(&client, &table)
        .await
        .iter()
        .map(|item| format!("{item:?}\n"))
        .collect()
}

fn assert_absent(haystack: &str, secrets: &[&str], place: &str) {
    for secret in secrets {
        assert!(!haystack.contains(secret), "{place} holds {secret:?}");
    }
}

async fn erased_personal_data_is_gone_everywhere(cloud: Cloud) {
    let api = operator(&cloud).await;
    let tag = Uuid::new_v4().simple().to_string();
    let (name, email, national_id) = (
        format!("Erasable Person {tag}"),
        format!("erasable-{tag}@example.org"),
        format!("NID-{}", tag.to_uppercase()),
    );
    let owner = created(
        &api.post("/owners", json!({"name": name, "birth_date": "1971-03-04", "email": email, "national_id": national_id, "phone": "+33 6 00 00 00 00", "address": format!("1 rue {tag}")}))
            .await,
        "owner_id",
    );
    let plate = unique_plate("SEC");
    let reply = register_vehicle(&api, &plate, &owner).await;
    assert_eq!(reply.status, 201, "{}", reply.body);
    let reply = api
        .patch(
            &format!("/owners/{owner}"),
            json!({"email": format!("second-{email}")}),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    // Before erasure the view answers the values, decrypted.
    let view = api
        .until(&format!("/owners/{owner}"), PROPAGATION, |r| {
            r.status == 200 && r.body["email"] == format!("second-{email}").as_str()
        })
        .await;
    assert_eq!(view.body["name"], name.as_str());
    assert_eq!(view.body["national_id"], national_id.as_str());
    let radar = install_radar(&api, 90).await;
    let infraction = detect_overspeed(&api, &radar, &plate, 130).await;
    api.until(&format!("/infractions/{infraction}"), PROPAGATION, |r| {
        r.status == 200 && r.body["owner_id"] == owner.as_str()
    })
    .await;

    let customer = created(
        &api.post(
            "/customers",
            json!({"name": name, "email": email, "balance_cents": 5000}),
        )
        .await,
        "customer_id",
    );
    let reply = api.get(&format!("/customers/{customer}")).await;
    let reply = if reply.status == 200 {
        reply
    } else {
        api.until(&format!("/customers/{customer}"), PROPAGATION, |r| {
            r.status == 200
        })
        .await
    };
    assert_eq!(reply.body["email"], email.as_str());

    // Erasure: only the operator; 200, and again 200 with nothing more appended.
    let owner_only = as_role(&cloud, "owner", Some(&owner)).await;
    assert_refused(
        &owner_only
            .delete(&format!("/owners/{owner}/personal-data"))
            .await,
        403,
        "an owner erasing",
    );
    let erased = api.delete(&format!("/owners/{owner}/personal-data")).await;
    assert_eq!(erased.status, 200, "{}", erased.body);
    let again = api.delete(&format!("/owners/{owner}/personal-data")).await;
    assert_eq!(again.status, 200, "{}", again.body);
    assert_eq!(
        again.body["version"], erased.body["version"],
        "a second erasure appends nothing"
    );
    let erased = api
        .delete(&format!("/customers/{customer}/personal-data"))
        .await;
    assert_eq!(erased.status, 200, "{}", erased.body);
    let unknown = api
        .delete(&format!("/owners/{}/personal-data", Uuid::new_v4()))
        .await;
    assert_eq!(unknown.status, 404, "{}", unknown.body);

    // The views answer null for every personal field.
    let view = api
        .until(&format!("/owners/{owner}"), PROPAGATION, |r| {
            r.status == 200 && r.body["name"].is_null()
        })
        .await;
    for field in [
        "name",
        "birth_date",
        "email",
        "phone",
        "address",
        "national_id",
    ] {
        assert!(view.body[field].is_null(), "owner {field}: {}", view.body);
    }
    assert!(
        view.body["vehicles"].to_string().contains(&plate),
        "{}",
        view.body
    );
    let view = api
        .until(&format!("/customers/{customer}"), PROPAGATION, |r| {
            r.status == 200 && r.body["name"].is_null()
        })
        .await;
    assert!(view.body["email"].is_null(), "{}", view.body);
    assert_eq!(view.body["balance_cents"], 5000);

    // No event, through the API or in the raw tables, holds the values in plaintext.
    let secrets = [
        name.as_str(),
        email.as_str(),
        national_id.as_str(),
        tag.as_str(),
    ];
    for path in [
        format!("/aggregates/owner/{owner}/events"),
        format!("/aggregates/customer/{customer}/events"),
        "/events?aggregate_type=owner".to_owned(),
        "/events?aggregate_type=customer".to_owned(),
        "/events".to_owned(),
    ] {
        let text = serde_json::to_string(&api.all_items(&path).await).unwrap();
        assert_absent(&text, &secrets, &path);
    }
    for path in [
        format!("/aggregates/owner/{owner}/state"),
        format!("/aggregates/customer/{customer}/state"),
    ] {
        let reply = api.get(&path).await;
        assert_eq!(reply.status, 200, "{path}: {}", reply.body);
        assert_absent(&reply.body.to_string(), &secrets, &path);
    }
    // The events table holds the snapshots too.
    for table in ["EVENTS_TABLE", "OWNERS_TABLE", "CUSTOMERS_TABLE"] {
        assert_absent(&raw_items(&cloud, table).await, &secrets, table);
    }
    // What is not personal stays: the owner's infraction, the customer's balance.
    let reply = api.get(&format!("/owners/{owner}/infractions")).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(reply.body["items"][0]["infraction_id"], infraction.as_str());
    let reply = api.get(&format!("/infractions/{infraction}")).await;
    assert_eq!(reply.body["owner_id"], owner.as_str());
    // An erased owner's details cannot be changed back in.
    let reply = api
        .patch(
            &format!("/owners/{owner}"),
            json!({"email": "new@example.org"}),
        )
        .await;
    assert_eq!(reply.status, 422, "{}", reply.body);
}

/// `GET path` as a client following SPEC §8 does: on `503 view_behind` it waits `Retry-After`
/// and asks again (a few times). Never an older state: the caller asserts on what it gets.
async fn read_after_write(api: &Api, path: &str) -> Reply {
    for _ in 0..6 {
        let reply = api.get(path).await;
        if reply.status != 503 {
            return reply;
        }
        assert_eq!(reply.code(), "view_behind", "{path}: {}", reply.body);
        let seconds: u64 = reply
            .header("retry-after")
            .and_then(|v| v.parse().ok())
            .expect("a 503 says when to retry");
        println!("    {path}: view_behind, retrying after {seconds} s");
        tokio::time::sleep(Duration::from_secs(seconds)).await;
    }
    panic!("{path}: still behind after six tries");
}

/// `?min_version=` right after a command answers the new state; far ahead, 503 view_behind.
async fn a_client_reads_what_it_just_wrote(cloud: Cloud) {
    let api = operator(&cloud).await;
    let radar = api
        .post("/radars", json!({"name": "A7", "road": "A7", "latitude": 45.1, "longitude": 4.8, "max_speed_kmh": 90}))
        .await;
    assert_eq!(radar.status, 201, "{}", radar.body);
    let (radar_id, version) = (
        radar.body["radar_id"].as_str().unwrap(),
        &radar.body["version"],
    );
    let reply = read_after_write(&api, &format!("/radars/{radar_id}?min_version={version}")).await;
    assert_eq!(
        reply.status, 200,
        "radar right after its creation: {}",
        reply.body
    );
    assert_eq!(reply.body["max_speed_kmh"], 90);
    let changed = change_speed_limit(&api, radar_id, 70, &[]).await;
    let version = &changed.body["version"];
    let reply = read_after_write(&api, &format!("/radars/{radar_id}?min_version={version}")).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(
        reply.body["max_speed_kmh"], 70,
        "the new limit, not the old one"
    );

    let shopper = shopper(&api).await;
    let added = api
        .post(
            &format!("/customers/{}/cart/items", shopper.customer),
            json!({"product_id": shopper.product, "quantity": 3}),
        )
        .await;
    assert_eq!(added.status, 200, "{}", added.body);
    let version = &added.body["version"];
    let reply = read_after_write(
        &api,
        &format!("/customers/{}/cart?min_version={version}", shopper.customer),
    )
    .await;
    assert_eq!(
        reply.status, 200,
        "cart right after an item: {}",
        reply.body
    );
    assert_eq!(reply.body["lines"][0]["quantity"], 3, "{}", reply.body);

    let checkout = checkout_reply(&api, &shopper.customer, &[]).await;
    assert_eq!(checkout.status, 202, "{}", checkout.body);
    let order = checkout.body["order_id"].as_str().unwrap();
    let version = &checkout.body["order_version"];
    let reply = read_after_write(&api, &format!("/orders/{order}?min_version={version}")).await;
    assert_eq!(
        reply.status, 200,
        "order right after checkout: {}",
        reply.body
    );
    assert_eq!(reply.body["order_id"], order);
    assert_eq!(reply.body["lines"][0]["quantity"], 3);

    // Far ahead: the bounded wait, then 503 with Retry-After.
    let started = std::time::Instant::now();
    let reply = api
        .get(&format!("/radars/{radar_id}?min_version=1000000"))
        .await;
    let waited = started.elapsed();
    assert_eq!(reply.status, 503, "{}", reply.body);
    assert_eq!(reply.code(), "view_behind");
    assert!(reply.header("retry-after").is_some(), "Retry-After");
    println!("    view_behind after {waited:.1?}");
    for bad in ["-1", "ten", "18446744073709551616", "9007199254740992"] {
        let reply = api
            .get(&format!("/radars/{radar_id}?min_version={bad}"))
            .await;
        assert_eq!(reply.status, 400, "min_version={bad}: {}", reply.body);
    }
}

/// A cursor is opaque and tamper-evident: altered, or from another list, 400 invalid_cursor.
async fn cursors_are_tamper_evident(cloud: Cloud) {
    let api = operator(&cloud).await;
    for _ in 0..3 {
        let reply = api
            .post("/radars", json!({"name": "C", "road": "C", "latitude": 1, "longitude": 1, "max_speed_kmh": 90}))
            .await;
        assert_eq!(reply.status, 201, "{}", reply.body);
    }
    let page = api
        .until("/radars?limit=1", PROPAGATION, |r| {
            r.status == 200 && r.body["next_cursor"].is_string()
        })
        .await;
    let cursor = page.body["next_cursor"]
        .as_str()
        .expect("a next page")
        .to_owned();
    assert_eq!(
        api.get(&format!("/radars?limit=1&cursor={cursor}"))
            .await
            .status,
        200
    );
    let mut altered = cursor.clone().into_bytes();
    altered[2] = if altered[2] == b'A' { b'B' } else { b'A' };
    let altered = String::from_utf8(altered).unwrap();
    for (what, path) in [
        ("altered", format!("/radars?cursor={altered}")),
        ("from another list", format!("/owners?cursor={cursor}")),
        (
            "from another filter",
            format!("/events?aggregate_type=radar&cursor={cursor}"),
        ),
        ("crafted", "/events?cursor=eyJTIjoiIn0".to_owned()),
        (
            "crafted version",
            format!(
                "/aggregates/radar/{}/events?cursor=djE4NDQ2NzQ0MDczNzA5NTUxNjE1",
                Uuid::new_v4()
            ),
        ),
    ] {
        let reply = api.get(&path).await;
        assert_eq!(reply.status, 400, "{what}: {}", reply.body);
        assert_eq!(reply.code(), "invalid_cursor", "{what}");
    }
    let reply = api
        .get(&format!(
            "/aggregates/radar/{}/events?from_version=5&to_version=2",
            Uuid::new_v4()
        ))
        .await;
    assert_eq!(reply.status, 400, "from > to: {}", reply.body);
}

fn main() {
    Suite::new()
        .add(
            "a_client_reads_what_it_just_wrote",
            a_client_reads_what_it_just_wrote,
        )
        .add("cursors_are_tamper_evident", cursors_are_tamper_evident)
        .add(
            "bad_tokens_are_401_and_append_nothing",
            bad_tokens_are_401_and_append_nothing,
        )
        .add(
            "each_role_is_refused_the_routes_it_may_not_call",
            each_role_is_refused_the_routes_it_may_not_call,
        )
        .add(
            "a_bound_caller_reaches_only_its_own_subject",
            a_bound_caller_reaches_only_its_own_subject,
        )
        .add(
            "each_role_may_call_its_own_routes",
            each_role_may_call_its_own_routes,
        )
        .add(
            "erased_personal_data_is_gone_everywhere",
            erased_personal_data_is_gone_everywhere,
        )
        .run_on_local_cloud()
}
