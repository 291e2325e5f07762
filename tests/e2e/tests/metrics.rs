//! The functions' metrics on the local cloud (SPEC §9): the EMF lines the functions print, as
//! on Lambda, served as Prometheus text at `GET /_local/metrics` on the API port.
//!
//! `cargo test -p e2e-tests --test metrics [-- FILTER]` (scripts/test builds the functions
//! first).

use e2e_tests::shop::Purchase;
use e2e_tests::{eventually, Api, Cloud, Suite};
use reqwest::Method;
use std::collections::BTreeMap;
use std::time::Duration;
use uuid::Uuid;

/// How long a saga, and the publisher's metrics behind it, may take.
const SAGA: Duration = Duration::from_secs(60);

const CHECKOUT_ROUTE: &str = "POST /customers/{customer_id}/cart/checkout";

/// Series (`name{labels}`) → value, from `GET /_local/metrics`, which takes no token.
async fn scrape(api: &Api) -> BTreeMap<String, f64> {
    let url = format!("{}/_local/metrics", api.base);
    let response = reqwest::get(&url).await.expect("GET /_local/metrics");
    assert_eq!(
        response.status(),
        200,
        "GET /_local/metrics without a token"
    );
    let content_type = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        content_type.starts_with("text/plain; version=0.0.4"),
        "{content_type}"
    );
    let text = response.text().await.expect("a body");
    parse(&text)
}

fn parse(text: &str) -> BTreeMap<String, f64> {
    text.lines()
        .filter(|line| !line.starts_with('#') && !line.is_empty())
        .map(|line| {
            let (series, value) = line.rsplit_once(' ').expect("`series value`");
            let value = value.parse().unwrap_or_else(|_| panic!("a number: {line}"));
            (series.to_owned(), value)
        })
        .collect()
}

fn value(metrics: &BTreeMap<String, f64>, series: &str) -> f64 {
    metrics.get(series).copied().unwrap_or(0.0)
}

fn events_appended(event_type: &str) -> String {
    format!("es_events_appended_total{{event_type=\"{event_type}\"}}")
}

fn saga_outcome(outcome: &str) -> String {
    format!("es_saga_outcomes_total{{outcome=\"{outcome}\"}}")
}

fn commands(route: &str, outcome: &str) -> String {
    format!("es_commands_total{{route=\"{route}\",outcome=\"{outcome}\"}}")
}

fn consumer_lag(consumer: &str) -> String {
    format!("es_consumer_lag_milliseconds{{consumer=\"{consumer}\"}}")
}

/// A customer with one product in her cart, checked out; the order id once `CONFIRMED`.
async fn confirmed_order(api: &Api) -> (String, String) {
    let Purchase {
        customer, order, ..
    } = Purchase::place(api, 5, 1, 10_000).await;
    api.until(&format!("/orders/{order}"), SAGA, |r| {
        r.status == 200 && r.body["status"] == "CONFIRMED"
    })
    .await;
    (customer, order)
}

async fn a_confirmed_checkout_moves_the_metrics(cloud: Cloud) {
    let api = cloud.lock().await.api();
    let before = scrape(&api).await;
    let (customer, order) = confirmed_order(&api).await;

    // The HTTP functions count as they answer; the publisher counts events and outcomes as
    // its stream batches come, a moment after the order reads CONFIRMED.
    let moved =
        |after: &BTreeMap<String, f64>, series: &str| value(after, series) > value(&before, series);
    let after = eventually("the metrics of the checkout", SAGA, || async {
        let after = scrape(&api).await;
        let all_moved = [
            events_appended("OrderPlaced"),
            events_appended("SaleConfirmed"),
            saga_outcome("confirmed"),
            commands(CHECKOUT_ROUTE, "2xx"),
        ]
        .iter()
        .all(|series| moved(&after, series));
        all_moved.then_some(after)
    })
    .await;
    assert!(
        value(&after, &commands(CHECKOUT_ROUTE, "2xx"))
            >= value(&before, &commands(CHECKOUT_ROUTE, "2xx")) + 1.0
    );
    // Every stage of the saga, counted by type.
    for event_type in [
        "CartCheckedOut",
        "StockReserved",
        "PaymentAccepted",
        "StockCommitted",
    ] {
        assert!(
            moved(&after, &events_appended(event_type)),
            "{event_type}: {after:#?}"
        );
    }
    // The four figures of SPEC §9, consumer lag from the stream and from a queue among them.
    for consumer in ["publish-events", "reserve-stock", "confirm-order"] {
        let series = consumer_lag(consumer);
        assert!(after.contains_key(&series), "{series} missing: {after:#?}");
        assert!(value(&after, &series) >= 0.0);
        let max = format!("es_consumer_lag_max_milliseconds{{consumer=\"{consumer}\"}}");
        assert!(value(&after, &max) >= value(&after, &series), "{max}");
    }
    // Ids never become dimensions: route keys, not paths.
    let text = after.keys().cloned().collect::<Vec<_>>().join("\n");
    assert!(
        !text.contains(&customer) && !text.contains(&order),
        "{text}"
    );
}

async fn refusals_count_by_route_and_class(cloud: Cloud) {
    let api = cloud.lock().await.api();
    let route = "GET /orders/{order_id}";
    let before = value(&scrape(&api).await, &commands(route, "4xx"));
    let missing = api.get(&format!("/orders/{}", Uuid::new_v4())).await;
    assert_eq!(missing.status, 404, "{}", missing.body);
    eventually("a 404 counted as 4xx", SAGA, || async {
        let after = value(&scrape(&api).await, &commands(route, "4xx"));
        (after == before + 1.0).then_some(())
    })
    .await;
}

async fn the_metrics_path_is_the_local_cloud_s_own(cloud: Cloud) {
    let api = cloud.lock().await.api();
    // No token needed, and not the route table's `$default` refusal.
    let anonymous = api.anonymous();
    let reply = anonymous
        .call(Method::POST, "/_local/metrics", None, &[])
        .await;
    assert_eq!(reply.status, 405, "{:?}", reply.body);
    assert_eq!(reply.header("allow"), Some("GET, HEAD"));
    let reply = reqwest::get(format!("{}/_local/metrics", api.base))
        .await
        .unwrap();
    assert_eq!(reply.status(), 200);
    // Other paths under /_local are still the API's: refused without a token.
    let reply = anonymous.get("/_local/other").await;
    assert_eq!(reply.status, 401, "{:?}", reply.body);
}

fn main() {
    Suite::new()
        .add(
            "a_confirmed_checkout_moves_the_metrics",
            a_confirmed_checkout_moves_the_metrics,
        )
        .add(
            "refusals_count_by_route_and_class",
            refusals_count_by_route_and_class,
        )
        .add(
            "the_metrics_path_is_the_local_cloud_s_own",
            the_metrics_path_is_the_local_cloud_s_own,
        )
        .run_on_local_cloud()
}
