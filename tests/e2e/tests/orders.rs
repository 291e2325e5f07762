//! The order system end to end, on the local cloud, through its HTTP API (issue 4): carts,
//! checkout and the choreographed saga (reserve stock, take payment, commit or compensate).
//!
//! `cargo test -p e2e-tests --test orders [-- FILTER]` (scripts/test builds the functions
//! first). One local cloud serves every scenario; each makes its own products and customers.
//! The last scenario runs 50 concurrent checkouts twice: once as the system runs, once with
//! the runner delivering every SQS message twice, concurrently (`--deliver-twice`).

use e2e_tests::shop::{add_item, checkout, checkout_reply, create_product, register_customer};
use e2e_tests::{strings, Api, Cloud, Reply, Suite};
use reqwest::Method;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::time::{Duration, Instant};
use uuid::Uuid;

/// How long one saga may take to settle before a scenario fails (the latency seen is printed).
const SAGA: Duration = Duration::from_secs(60);
/// How long 50 concurrent sagas may take to settle locally.
const BURST: Duration = Duration::from_secs(600);

async fn api(cloud: &Cloud) -> Api {
    cloud.lock().await.api()
}

/// The body of `GET path` once it answers 200 with a body that satisfies `ready`.
async fn body_until(
    api: &Api,
    path: &str,
    deadline: Duration,
    ready: impl Fn(&Value) -> bool,
) -> Value {
    api.until(path, deadline, |r| r.status == 200 && ready(&r.body))
        .await
        .body
}

/// The order once its saga has ended (`CONFIRMED` or `CANCELLED`).
async fn settled(api: &Api, order: &str, deadline: Duration) -> Value {
    body_until(api, &format!("/orders/{order}"), deadline, |o| {
        o["status"] == "CONFIRMED" || o["status"] == "CANCELLED"
    })
    .await
}

async fn inventory(api: &Api, product: &str) -> Value {
    let reply = api.get(&format!("/inventory/{product}")).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply.body
}

/// Waits until the inventory view of `product` satisfies `ready`.
async fn inventory_until(api: &Api, product: &str, ready: impl Fn(&Value) -> bool) -> Value {
    body_until(api, &format!("/inventory/{product}"), SAGA, ready).await
}

async fn customer_until(api: &Api, customer: &str, ready: impl Fn(&Value) -> bool) -> Value {
    body_until(api, &format!("/customers/{customer}"), SAGA, ready).await
}

fn event_types(events: &[Value]) -> Vec<String> {
    let mut types: Vec<String> = strings(events, "event_type")
        .into_iter()
        .map(str::to_owned)
        .collect();
    types.sort();
    types
}

fn timeline_types(order: &Value) -> Vec<String> {
    event_types(order["timeline"].as_array().map_or(&[], Vec::as_slice))
}

/// The events a saga appends for an order of `lines` lines that ends with `reason` (`""` when
/// confirmed), in the order it appends them.
fn saga_steps(reason: &str, lines: usize) -> Vec<&'static str> {
    let mut steps: Vec<&str> = vec!["OrderPlaced"];
    match reason {
        "" => {
            steps.extend(std::iter::repeat_n("StockReserved", lines));
            steps.push("PaymentAccepted");
            steps.extend(std::iter::repeat_n("StockCommitted", lines));
            steps.push("SaleConfirmed");
        }
        "out_of_stock" => steps.extend(["StockUnavailable", "OrderCancelled"]),
        "payment_refused" => {
            steps.extend(std::iter::repeat_n("StockReserved", lines));
            steps.push("PaymentRefused");
            steps.extend(std::iter::repeat_n("StockReleased", lines));
            steps.push("OrderCancelled");
        }
        other => panic!("no saga ends with {other:?}"),
    }
    steps
}

/// The events appended under a checkout's correlation id: the checkout, then its saga.
fn checkout_steps(reason: &str, lines: usize) -> Vec<&'static str> {
    let mut steps = vec!["CartCheckedOut"];
    steps.extend(saga_steps(reason, lines));
    steps
}

fn sorted(types: &[&str]) -> Vec<String> {
    let mut types: Vec<String> = types.iter().map(|t| t.to_string()).collect();
    types.sort();
    types
}

async fn confirmed_checkout(cloud: Cloud) {
    let api = api(&cloud).await;
    let lamp = create_product(&api, "Lamp", 2500, 10).await;
    let bulb = create_product(&api, "Bulb", 300, 50).await;
    let customer = register_customer(&api, 10_000).await;
    assert_eq!(add_item(&api, &customer, &lamp, 2).await.status, 200);
    let cart = add_item(&api, &customer, &bulb, 4).await;
    assert_eq!(cart.status, 200, "{}", cart.body);
    assert_eq!(cart.body["total_cents"], 2 * 2500 + 4 * 300);
    assert_eq!(cart.body["lines"][1]["line_total_cents"], 1200);

    let correlation = format!("confirmed-{}", Uuid::new_v4());
    let started = Instant::now();
    let order_id = checkout(&api, &customer, &correlation).await;
    let order = settled(&api, &order_id, SAGA).await;
    println!("    checkout to CONFIRMED in {:?}", started.elapsed());
    assert_eq!(order["status"], "CONFIRMED", "{order}");
    assert_eq!(order["total_cents"], 6200);
    assert_eq!(order["customer_id"], json!(customer));
    assert_eq!(order["correlation_id"], json!(correlation));
    assert_eq!(order["cancellation_reason"], Value::Null);
    assert_eq!(order["lines"][0]["line_total_cents"], 5000);
    assert_eq!(timeline_types(&order), sorted(&saga_steps("", 2)));

    // The whole saga under the checkout's correlation id, each step once.
    let caused = api.events_of(&correlation).await;
    assert_eq!(event_types(&caused), sorted(&checkout_steps("", 2)));
    assert!(caused
        .iter()
        .all(|e| e["correlation_id"] == json!(correlation)));

    let lamp_stock = inventory_until(&api, &lamp, |p| p["stock"] == 8).await;
    assert_eq!(
        (
            lamp_stock["reserved"].clone(),
            lamp_stock["available"].clone()
        ),
        (json!(0), json!(8))
    );
    let balance = customer_until(&api, &customer, |c| c["balance_cents"] == 3800).await;
    assert_eq!(balance["email"], "grace@example.org");
    let empty = api.get(&format!("/customers/{customer}/cart")).await;
    assert_eq!(empty.status, 200);

    let mine = api
        .get(&format!("/customers/{customer}/orders?status=CONFIRMED"))
        .await;
    assert_eq!(mine.status, 200, "{}", mine.body);
    assert_eq!(mine.body["items"][0]["order_id"], json!(order_id));
    let summary = api.get(&format!("/customers/{customer}/summary")).await;
    assert_eq!(summary.status, 200, "{}", summary.body);
    assert_eq!(summary.body["total_orders"], 1);
    assert_eq!(summary.body["confirmed_orders"], 1);
    assert_eq!(summary.body["total_spent_cents"], 6200);
    assert_eq!(summary.body["avg_order_value_cents"], 6200);
    assert_eq!(
        summary.body["favorite_products"][0]["product_id"],
        json!(bulb)
    );
    assert_eq!(summary.body["order_statuses"]["CONFIRMED"], 1);

    let placed_at = order["placed_at"].as_str().unwrap();
    let stats = api
        .get(&format!("/statistics/orders?from={placed_at}"))
        .await;
    assert_eq!(stats.status, 200, "{}", stats.body);
    assert!(stats.body["confirmed"].as_u64().unwrap() >= 1);
    assert!(stats.body["revenue_cents"].as_u64().unwrap() >= 6200);

    // SPEC §5 works for the order system's aggregates too.
    let state = api.aggregate_state("order", &order_id, "").await;
    assert_eq!(state.body["state"]["status"], "CONFIRMED", "{}", state.body);
    let at_1 = api
        .aggregate_state("order", &order_id, "at_version=1")
        .await;
    assert_eq!(at_1.body["state"]["status"], "PENDING");
    let before = api
        .aggregate_state("customer", &customer, "at_time=2000-01-01T00:00:00.000Z")
        .await;
    assert_eq!(
        (before.status, before.body["state"].clone()),
        (200, Value::Null)
    );
    let product_events = api
        .get(&format!("/aggregates/product/{lamp}/events?from_version=2"))
        .await;
    assert_eq!(
        event_types(product_events.body["items"].as_array().unwrap()),
        sorted(&["StockReserved", "StockCommitted"])
    );
}

/// A new customer with `balance_cents` puts `quantity` of a new product in her cart and
/// checks out: the order must end cancelled for `reason`, with exactly the checkout's and that
/// saga's events under its correlation id.
struct Cancelled {
    product: String,
    customer: String,
    correlation: String,
}

impl Cancelled {
    async fn checkout(
        api: &Api,
        (name, price_cents, stock): (&str, u64, u32),
        (balance_cents, quantity): (u64, u32),
        reason: &str,
    ) -> Self {
        let product = create_product(api, name, price_cents, stock).await;
        let customer = register_customer(api, balance_cents).await;
        assert_eq!(
            add_item(api, &customer, &product, quantity).await.status,
            200
        );
        let correlation = format!("{reason}-{}", Uuid::new_v4());
        let order_id = checkout(api, &customer, &correlation).await;
        let order = settled(api, &order_id, SAGA).await;
        assert_eq!(order["status"], "CANCELLED");
        assert_eq!(order["cancellation_reason"], reason);
        assert_eq!(
            event_types(&api.events_of(&correlation).await),
            sorted(&checkout_steps(reason, 1))
        );
        Self {
            product,
            customer,
            correlation,
        }
    }
}

async fn cancelled_for_lack_of_stock(cloud: Cloud) {
    let api = api(&cloud).await;
    let rare = Cancelled::checkout(&api, ("Rare", 1000, 1), (100_000, 2), "out_of_stock").await;
    let stock = inventory(&api, &rare.product).await;
    assert_eq!(
        (stock["stock"].clone(), stock["reserved"].clone()),
        (json!(1), json!(0))
    );
    let customer = customer_until(&api, &rare.customer, |c| c["version"] == 1).await;
    assert_eq!(customer["balance_cents"], 100_000, "nothing debited");
}

async fn cancelled_for_lack_of_balance(cloud: Cloud) {
    let api = api(&cloud).await;
    let Cancelled {
        product: chair,
        customer,
        correlation,
    } = Cancelled::checkout(&api, ("Chair", 4000, 5), (3000, 1), "payment_refused").await;
    // Compensated: the stock is back, nothing was debited.
    let stock = inventory_until(&api, &chair, |p| p["version"] == 3).await;
    assert_eq!(
        (
            stock["stock"].clone(),
            stock["reserved"].clone(),
            stock["available"].clone()
        ),
        (json!(5), json!(0), json!(5))
    );
    let customer_view = customer_until(&api, &customer, |c| c["version"] == 2).await;
    assert_eq!(customer_view["balance_cents"], 3000);

    // A deposit, and the same cart again, goes through.
    let deposit = api
        .post(
            &format!("/customers/{customer}/deposits"),
            json!({"amount_cents": 1000}),
        )
        .await;
    assert_eq!(
        (deposit.status, deposit.body["balance_cents"].clone()),
        (200, json!(4000))
    );
    assert_eq!(add_item(&api, &customer, &chair, 1).await.status, 200);
    let started = Instant::now();
    let again = checkout(&api, &customer, &format!("{correlation}-again")).await;
    assert_eq!(settled(&api, &again, SAGA).await["status"], "CONFIRMED");
    println!("    warm: checkout to CONFIRMED in {:?}", started.elapsed());
}

/// SPEC §8: two identical deposits sent at once under one `Idempotency-Key` are made once;
/// the one that did not run gets `409 request_in_progress` or the first answer, and a retry
/// after that gets the first answer.
async fn concurrent_retries_of_a_deposit_are_made_once(cloud: Cloud) {
    let api = api(&cloud).await;
    let customer = register_customer(&api, 1000).await;
    let key = format!("deposit-{}", Uuid::new_v4());
    let correlation = format!("deposit-{}", Uuid::new_v4());
    let path = format!("/customers/{customer}/deposits");
    let deposit = || {
        let (api, path, key, correlation) =
            (api.clone(), path.clone(), key.clone(), correlation.clone());
        async move {
            api.call(
                Method::POST,
                &path,
                Some(json!({"amount_cents": 500})),
                &[
                    ("idempotency-key", &key),
                    ("x-correlation-id", &correlation),
                ],
            )
            .await
        }
    };
    let (a, b) = tokio::join!(deposit(), deposit());
    let ran = |r: &Reply| r.status == 200 && r.header("idempotent-replayed").is_none();
    assert!(
        ran(&a) ^ ran(&b),
        "exactly one ran: {} {} / {} {}",
        a.status,
        a.body,
        b.status,
        b.body
    );
    let (first, other) = if ran(&a) { (&a, &b) } else { (&b, &a) };
    assert_eq!(first.body["balance_cents"], 1500, "{}", first.body);
    match other.status {
        409 => assert_eq!(other.code(), "request_in_progress"),
        200 => assert_eq!(other.body, first.body),
        status => panic!("the duplicate answered {status}: {}", other.body),
    }
    let retried = deposit().await;
    assert_eq!(retried.status, 200, "{}", retried.body);
    assert_eq!(retried.body, first.body);
    assert_eq!(retried.header("idempotent-replayed"), Some("true"));

    let events = api.events_of(&correlation).await;
    assert_eq!(events.len(), 1, "one deposit appended: {events:?}");
    let view = customer_until(&api, &customer, |c| c["version"] == 2).await;
    assert_eq!(view["balance_cents"], 1500, "the balance was raised once");
}

async fn one_short_product_reserves_nothing(cloud: Cloud) {
    let api = api(&cloud).await;
    let plenty = create_product(&api, "Plenty", 100, 100).await;
    let also = create_product(&api, "Also plenty", 200, 100).await;
    let short = create_product(&api, "Short", 300, 2).await;
    let customer = register_customer(&api, 1_000_000).await;
    for (product, quantity) in [(&plenty, 5), (&short, 3), (&also, 1)] {
        assert_eq!(
            add_item(&api, &customer, product, quantity).await.status,
            200
        );
    }
    let correlation = format!("short-{}", Uuid::new_v4());
    let order_id = checkout(&api, &customer, &correlation).await;
    let order = settled(&api, &order_id, SAGA).await;
    assert_eq!(
        (
            order["status"].clone(),
            order["cancellation_reason"].clone()
        ),
        (json!("CANCELLED"), json!("out_of_stock"))
    );
    let caused = api.events_of(&correlation).await;
    assert!(
        !event_types(&caused).contains(&"StockReserved".to_owned()),
        "nothing reserved: {caused:?}"
    );
    let unavailable = caused
        .iter()
        .find(|e| e["event_type"] == "StockUnavailable")
        .expect("StockUnavailable");
    assert_eq!(unavailable["aggregate_id"], json!(short));
    assert_eq!(unavailable["data"]["requested"], 3);
    assert_eq!(unavailable["data"]["available"], 2);
    for product in [&plenty, &also, &short] {
        let history = api
            .get(&format!("/aggregates/product/{product}/events"))
            .await;
        let kinds = event_types(history.body["items"].as_array().unwrap());
        assert!(
            !kinds.contains(&"StockReserved".to_owned()),
            "{product}: {kinds:?}"
        );
        let stock = inventory(&api, product).await;
        assert_eq!(stock["reserved"], 0);
    }
}

/// Refusals of the order routes: each is a 4xx naming its problems, and appends nothing.
async fn order_refusals_append_nothing(cloud: Cloud) {
    let api = api(&cloud).await;
    let product = create_product(&api, "Thing", 100, 10).await;
    let customer = register_customer(&api, 1000).await;
    let unknown = Uuid::new_v4().to_string();
    let cases: Vec<(u16, &str, Method, String, Option<Value>)> = vec![
        (
            400,
            "invalid_input",
            Method::POST,
            "/products".into(),
            Some(json!({"name": "", "price_cents": 0, "initial_stock": -1, "colour": "red"})),
        ),
        (
            400,
            "invalid_input",
            Method::POST,
            "/customers".into(),
            Some(json!({"name": "G", "email": "nope", "balance_cents": -5})),
        ),
        (
            400,
            "invalid_input",
            Method::POST,
            format!("/customers/{customer}/cart/items"),
            Some(json!({"product_id": "x", "quantity": 0})),
        ),
        (
            400,
            "invalid_input",
            Method::POST,
            format!("/customers/{customer}/deposits"),
            Some(json!({"amount_cents": 0})),
        ),
        (
            400,
            "invalid_input",
            Method::POST,
            format!("/products/{product}/restock"),
            Some(json!({"quantity": "many"})),
        ),
        (
            404,
            "not_found",
            Method::POST,
            format!("/customers/{customer}/cart/items"),
            Some(json!({"product_id": unknown, "quantity": 1})),
        ),
        (
            404,
            "not_found",
            Method::POST,
            format!("/customers/{unknown}/cart/items"),
            Some(json!({"product_id": product, "quantity": 1})),
        ),
        (
            404,
            "not_found",
            Method::POST,
            format!("/products/{unknown}/restock"),
            Some(json!({"quantity": 1})),
        ),
        (
            404,
            "not_found",
            Method::POST,
            format!("/customers/{unknown}/cart/checkout"),
            None,
        ),
        (
            404,
            "not_found",
            Method::GET,
            format!("/orders/{unknown}"),
            None,
        ),
        (
            404,
            "not_found",
            Method::GET,
            format!("/customers/{unknown}/summary"),
            None,
        ),
        (
            400,
            "invalid_input",
            Method::GET,
            format!("/customers/{customer}/orders?status=LOST"),
            None,
        ),
        (
            400,
            "invalid_input",
            Method::GET,
            "/statistics/orders?from=yesterday".into(),
            None,
        ),
        (
            405,
            "method_not_allowed",
            Method::PUT,
            format!("/customers/{customer}/cart"),
            None,
        ),
        (
            422,
            "empty_cart",
            Method::POST,
            format!("/customers/{customer}/cart/checkout"),
            None,
        ),
    ];
    for (status, code, method, path, body) in cases {
        let body = body.map(|b| b.to_string());
        api.refused_appending_nothing(
            (status, code),
            (method, &path, body.as_deref()),
            &[],
            "order-refusal",
        )
        .await;
    }
    let invalid = api
        .post(
            "/products",
            json!({"name": "", "price_cents": 0, "initial_stock": -1, "colour": "red"}),
        )
        .await;
    assert_eq!(
        invalid.problem_fields(),
        ["colour", "initial_stock", "name", "price_cents"],
        "every problem at once"
    );
    // Removing a product from the cart, and the cart's version as If-Match.
    let cart = add_item(&api, &customer, &product, 2).await;
    let removed = api
        .call(
            Method::DELETE,
            &format!("/customers/{customer}/cart/items/{product}"),
            None,
            &[],
        )
        .await;
    assert_eq!(
        (removed.status, removed.body["lines"].clone()),
        (200, json!([])),
        "{}",
        removed.body
    );
    let stale = api
        .call(
            Method::POST,
            &format!("/customers/{customer}/cart/checkout"),
            None,
            &[("if-match", &format!("\"{}\"", cart.body["version"]))],
        )
        .await;
    assert_eq!((stale.status, stale.code()), (412, "precondition_failed"));
    let restocked = api
        .post(
            &format!("/products/{product}/restock"),
            json!({"quantity": 5}),
        )
        .await;
    assert_eq!(
        (restocked.status, restocked.body["stock"].clone()),
        (200, json!(15))
    );
    let low = api.all_items("/inventory/low-stock").await;
    assert!(low
        .iter()
        .all(|p| p["low_stock"] == true && p["available"].as_u64() <= p["reorder_level"].as_u64()));
    assert!(!api.all_items("/inventory").await.is_empty());
}

/// The roles of the concurrency test: which customers buy what, and what must come of it
/// whatever the interleaving.
struct Workload {
    /// Product names: `scarce` (15 units, 30 one-unit orders), `a` and `b` (plenty),
    /// `none` (no stock).
    products: BTreeMap<&'static str, String>,
    /// 10 customers; `rich` have plenty, `tight` can pay exactly two of their orders.
    customers: Vec<(&'static str, String)>,
}

const RICH: u64 = 1_000_000;
const TIGHT: u64 = 2_000;

impl Workload {
    async fn create(api: &Api) -> Self {
        let mut products = BTreeMap::new();
        for (name, price, stock) in [
            ("scarce", 500, 15),
            ("a", 1000, 1000),
            ("b", 200, 1000),
            ("none", 100, 0),
        ] {
            products.insert(name, create_product(api, name, price, stock).await);
        }
        let mut customers = Vec::new();
        for role in ["scarce"; 6]
            .into_iter()
            .chain(["tight"; 2])
            .chain(["multi", "short"])
        {
            let balance = if role == "tight" { TIGHT } else { RICH };
            customers.push((role, register_customer(api, balance).await));
        }
        Self {
            products,
            customers,
        }
    }

    /// Each customer's cart, by role.
    fn cart(&self, role: &str) -> Vec<(&str, u32)> {
        let p = |name: &str| self.products[name].as_str();
        match role {
            "scarce" => vec![(p("scarce"), 1)],
            "tight" => vec![(p("a"), 1)],
            "multi" => vec![(p("a"), 1), (p("b"), 2)],
            _ => vec![(p("b"), 1), (p("none"), 1)],
        }
    }
}

/// What the final state must be, whatever the interleaving, with or without redeliveries.
#[derive(Debug, PartialEq, Eq)]
struct Outcome {
    /// (status, cancellation reason) → orders.
    statuses: BTreeMap<(String, String), usize>,
    /// product name → (stock, reserved, sold).
    stock: BTreeMap<&'static str, (u64, u64, u64)>,
    /// role → the sum of the balances.
    balances: BTreeMap<&'static str, u64>,
}

fn expected_outcome() -> Outcome {
    let statuses = [
        (("CONFIRMED", ""), 15 + 2 * 2 + 5),
        (("CANCELLED", "out_of_stock"), 15 + 5),
        (("CANCELLED", "payment_refused"), 2 * 3),
    ]
    .into_iter()
    .map(|((s, r), n)| ((s.to_owned(), r.to_owned()), n))
    .collect();
    let stock = [
        ("scarce", (0, 0, 15)),
        ("a", (1000 - 4 - 5, 0, 9)),
        ("b", (1000 - 10, 0, 10)),
        ("none", (0, 0, 0)),
    ]
    .into_iter()
    .collect();
    let balances = [
        ("scarce", 6 * RICH - 15 * 500),
        ("tight", 0),
        ("multi", RICH - 5 * 1400),
        ("short", RICH),
    ]
    .into_iter()
    .collect();
    Outcome {
        statuses,
        stock,
        balances,
    }
}

/// 50 checkouts by 10 customers at once; returns what the system settled on, after checking
/// every invariant of SPEC §6 and that the read models agree with the event store.
async fn fifty_checkouts(api: &Api, run: &str) -> Outcome {
    let workload = Workload::create(api).await;
    let started = Instant::now();
    let shoppers = workload.customers.iter().map(|(role, customer)| {
        let (api, cart) = (api.clone(), workload.cart(role));
        let customer = customer.clone();
        let run = run.to_owned();
        async move {
            let mut orders = Vec::new();
            for n in 0..5 {
                for (product, quantity) in &cart {
                    let added = add_item(&api, &customer, product, *quantity).await;
                    assert_eq!(added.status, 200, "{}", added.body);
                }
                orders.push(checkout(&api, &customer, &format!("{run}-{customer}-{n}")).await);
            }
            (customer, orders)
        }
    });
    let placed: Vec<(String, Vec<String>)> = futures::future::join_all(shoppers).await;
    println!(
        "    {run}: 50 checkouts accepted in {:?}",
        started.elapsed()
    );

    let mut orders: BTreeMap<String, Value> = BTreeMap::new();
    for (_, ids) in &placed {
        for id in ids {
            orders.insert(id.clone(), settled(api, id, BURST).await);
        }
    }
    println!(
        "    {run}: every saga settled {:?} after the first checkout",
        started.elapsed()
    );

    // Every order ended, each saga step exactly once (the timeline joins events by id, so a
    // step appended twice would show twice).
    let mut statuses = BTreeMap::new();
    for (id, order) in &orders {
        let status = order["status"].as_str().unwrap().to_owned();
        let reason = order["cancellation_reason"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        let lines = order["lines"].as_array().unwrap().len();
        assert_eq!(
            timeline_types(order),
            sorted(&saga_steps(&reason, lines)),
            "order {id}: {order}"
        );
        let state = api.get(&format!("/aggregates/order/{id}/state")).await;
        assert_eq!(
            state.body["state"]["status"], order["status"],
            "order {id}: view and store"
        );
        *statuses.entry((status, reason)).or_default() += 1;
    }

    // Products: nothing left reserved, stock + sold = initial + restocked, the view = the store.
    let mut stock = BTreeMap::new();
    for (name, product) in &workload.products {
        let view = inventory_until(api, product, |p| p["reserved"] == 0).await;
        let state = api
            .get(&format!("/aggregates/product/{product}/state"))
            .await;
        let state = &state.body["state"];
        assert_eq!(state["reservations"], json!({}), "{name}: nothing reserved");
        assert_eq!(view["stock"], state["stock"], "{name}: view and store");
        let (on_hand, sold) = (
            view["stock"].as_u64().unwrap(),
            view["sold"].as_u64().unwrap(),
        );
        assert_eq!(
            on_hand + sold,
            view["initial_stock"].as_u64().unwrap() + view["restocked"].as_u64().unwrap(),
            "{name}: stock + sold = initial + restocked"
        );
        assert_eq!(view["available"], view["stock"]);
        stock.insert(*name, (on_hand, 0, sold));
    }

    // Customers: balance = deposits - confirmed totals, never negative, the view = the store.
    let mut balances: BTreeMap<&'static str, u64> = BTreeMap::new();
    for ((role, customer), (_, ids)) in workload.customers.iter().zip(&placed) {
        let confirmed: u64 = ids
            .iter()
            .map(|id| &orders[id])
            .filter(|o| o["status"] == "CONFIRMED")
            .map(|o| o["total_cents"].as_u64().unwrap())
            .sum();
        let state = api
            .get(&format!("/aggregates/customer/{customer}/state"))
            .await;
        let balance = state.body["state"]["balance_cents"].as_u64().unwrap();
        let deposits = if *role == "tight" { TIGHT } else { RICH };
        assert_eq!(
            balance,
            deposits - confirmed,
            "{customer}: deposits - confirmed totals"
        );
        customer_until(api, customer, |c| c["balance_cents"] == balance).await;
        *balances.entry(role).or_default() += balance;
    }
    Outcome {
        statuses,
        stock,
        balances,
    }
}

async fn concurrent_checkouts_keep_every_invariant(cloud: Cloud) {
    let api = api(&cloud).await;
    let once = fifty_checkouts(&api, &format!("once-{}", Uuid::new_v4())).await;
    assert_eq!(once, expected_outcome());

    cloud
        .lock()
        .await
        .restart_runner_with(&["--deliver-twice"])
        .await;
    let twice = fifty_checkouts(&api, &format!("twice-{}", Uuid::new_v4())).await;
    cloud.lock().await.restart_runner_with(&[]).await;
    assert_eq!(
        twice, once,
        "every message delivered twice: the same final state"
    );
}

/// A customer (50.00) with a cart of three teas (4.00, 20 in stock), and cups (9.00, 20 in
/// stock) not in it yet.
struct TeaCart {
    tea: String,
    cup: String,
    customer: String,
}

impl TeaCart {
    async fn fill(api: &Api) -> Self {
        let tea = create_product(api, "Tea", 400, 20).await;
        let cup = create_product(api, "Cup", 900, 20).await;
        let customer = register_customer(api, 5_000).await;
        assert_eq!(add_item(api, &customer, &tea, 3).await.status, 200);
        Self { tea, cup, customer }
    }

    /// The API as another customer, who may not touch this cart.
    async fn stranger(&self, cloud: &Cloud, api: &Api) -> Api {
        let stranger = register_customer(api, 0).await;
        cloud.lock().await.api_as("customer", Some(&stranger))
    }

    /// The cart's view once it satisfies `ready`.
    async fn view_until(&self, api: &Api, ready: impl Fn(&Value) -> bool) -> Value {
        body_until(
            api,
            &format!("/customers/{}/cart", self.customer),
            SAGA,
            ready,
        )
        .await
    }
}

/// `DELETE /customers/{id}/cart`: every line out, once; an empty cart stays as it is; a
/// customer empties only its own cart.
async fn a_cart_is_emptied(cloud: Cloud) {
    let api = api(&cloud).await;
    let cart = TeaCart::fill(&api).await;
    let customer = &cart.customer;
    assert_eq!(add_item(&api, customer, &cart.cup, 1).await.status, 200);

    let other = cart.stranger(&cloud, &api).await;
    let refused = other.delete(&format!("/customers/{customer}/cart")).await;
    assert_eq!(refused.status, 403, "{}", refused.body);

    let cleared = api.delete(&format!("/customers/{customer}/cart")).await;
    assert_eq!(cleared.status, 200, "{}", cleared.body);
    assert_eq!(cleared.body["lines"], json!([]));
    assert_eq!(cleared.body["total_cents"], 0);
    assert_eq!(
        cleared.header("etag"),
        Some("\"4\""),
        "two lines, two removals"
    );
    let again = api.delete(&format!("/customers/{customer}/cart")).await;
    assert_eq!(again.status, 200);
    assert_eq!(again.header("etag"), Some("\"4\""), "nothing appended");
    let view = cart.view_until(&api, |c| c["lines"] == json!([])).await;
    assert_eq!(view["total_cents"], 0);
    let empty = checkout_reply(&api, customer, &[]).await;
    assert_eq!(empty.status, 422, "{}", empty.body);
}

async fn a_line_s_quantity_is_set(cloud: Cloud) {
    let api = api(&cloud).await;
    let cart = TeaCart::fill(&api).await;
    let (tea, cup, customer) = (&cart.tea, &cart.cup, &cart.customer);
    let line = |product: &str| format!("/customers/{customer}/cart/items/{product}");
    let quantity = |n: i64| json!({ "quantity": n });

    // A line set, answered 200 with the cart's new version.
    let set_to = |reply: &Reply, version: &str, why: &str| {
        assert_eq!(reply.status, 200, "{}", reply.body);
        assert_eq!(reply.header("etag"), Some(version), "{why}");
    };
    let added = api.put(&line(cup), quantity(2)).await;
    set_to(&added, "\"2\"", "a product not in the cart is added");
    let set = api.put(&line(tea), quantity(5)).await;
    set_to(&set, "\"4\"", "the line out and back in");
    let lines: Vec<(String, i64)> = set.body["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["product_id"].as_str().unwrap().to_owned(),
                l["quantity"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(lines, [(cup.clone(), 2), (tea.clone(), 5)]);
    assert_eq!(set.body["total_cents"], 2 * 900 + 5 * 400);
    let same = api.put(&line(tea), quantity(5)).await;
    assert_eq!(same.header("etag"), Some("\"4\""), "nothing appended");
    let out = api.put(&line(cup), quantity(0)).await;
    assert_eq!(out.header("etag"), Some("\"5\""));
    assert_eq!(out.body["total_cents"], 5 * 400);

    let unknown = api
        .put(&line(&Uuid::new_v4().to_string()), quantity(1))
        .await;
    assert_eq!(unknown.status, 404, "{}", unknown.body);
    let too_many = api.put(&line(tea), quantity(1001)).await;
    assert_eq!(too_many.status, 400, "{}", too_many.body);
    let other = cart.stranger(&cloud, &api).await;
    assert_eq!(other.put(&line(tea), quantity(1)).await.status, 403);

    let view = cart.view_until(&api, |c| c["version"] == 5).await;
    assert_eq!(view["total_cents"], 5 * 400);
}

fn main() {
    Suite::new()
        .add("confirmed_checkout", confirmed_checkout)
        .add("a_cart_is_emptied", a_cart_is_emptied)
        .add("a_line_s_quantity_is_set", a_line_s_quantity_is_set)
        .add("cancelled_for_lack_of_stock", cancelled_for_lack_of_stock)
        .add(
            "cancelled_for_lack_of_balance",
            cancelled_for_lack_of_balance,
        )
        .add(
            "one_short_product_reserves_nothing",
            one_short_product_reserves_nothing,
        )
        .add(
            "order_refusals_append_nothing",
            order_refusals_append_nothing,
        )
        .add(
            "concurrent_retries_of_a_deposit_are_made_once",
            concurrent_retries_of_a_deposit_are_made_once,
        )
        .add(
            "concurrent_checkouts_keep_every_invariant",
            concurrent_checkouts_keep_every_invariant,
        )
        .run_on_local_cloud()
}
