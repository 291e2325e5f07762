//! The report counters on DynamoDB (moto): orders of three customers, in every status, joined
//! by `JoinProjector::<OrderView>` with the `ReportsTable` companion, in order and then
//! shuffled with every envelope delivered twice. The customer summaries and the order
//! statistics (open periods, and periods cutting through days, minutes, seconds and single
//! milliseconds of the orders' `placed_at`) must equal the reference folds over the order
//! views read back from the orders table, the two deliveries must leave the same views and
//! the same counters, and each report must cost the same bounded number of requests with no
//! order as with all of them.

use aws_sdk_dynamodb::types::AttributeValue;
use aws_sdk_dynamodb::Client;
use chrono::{DateTime, Utc};
use es_core::{CommandContext, DomainEvent, EventEnvelope, StreamId};
use order_domain::{CancellationReason, CustomerEvent, OrderEvent, OrderLine, ProductEvent};
use order_views::reports::buckets::cover;
use order_views::reports::{
    create_order_tables, customer_summary, order_statistics, ReportsTable, Tally,
};
use order_views::tables::{REPORTS_BUCKET, REPORTS_KEY};
use order_views::{OrderView, OrderViewStatus};
use projection::{JoinProjector, Joined, ViewTable};
use std::collections::{BTreeMap, HashMap};
use test_support::{scan_table, unique_name, Item, Moto, RequestCounter};
use uuid::Uuid;

fn at(text: &str) -> DateTime<Utc> {
    es_core::time::parse(text).expect("a time")
}

fn customer(n: u128) -> Uuid {
    Uuid::from_u128(0xC0_0000 + n)
}

fn product(n: u128) -> Uuid {
    Uuid::from_u128(0xB0_0000 + n)
}

/// How far an order's saga got.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Pending,
    Reserved,
    Paid,
    Confirmed,
    OutOfStock,
    PaymentRefused,
    /// Saga events only: its `OrderPlaced` never arrives, so it counts nowhere.
    NeverPlaced,
}

impl Outcome {
    fn status(self) -> OrderViewStatus {
        match self {
            Self::Pending => OrderViewStatus::Pending,
            Self::Reserved | Self::NeverPlaced => OrderViewStatus::StockReserved,
            Self::Paid => OrderViewStatus::Paid,
            Self::Confirmed => OrderViewStatus::Confirmed,
            Self::OutOfStock | Self::PaymentRefused => OrderViewStatus::Cancelled,
        }
    }
}

/// (product, quantity, price in cents)
type Lines = &'static [(u128, u32, u64)];

struct Spec {
    order_id: Uuid,
    customer_id: Uuid,
    placed_at: &'static str,
    outcome: Outcome,
    lines: Lines,
}

impl Spec {
    fn placed(&self) -> bool {
        self.outcome != Outcome::NeverPlaced
    }

    fn total_cents(&self) -> u64 {
        self.lines.iter().map(|(_, q, p)| u64::from(*q) * p).sum()
    }
}

/// Orders of three customers, placed over three days, on and around the boundaries of days,
/// minutes, seconds and milliseconds; two pairs share one millisecond. Customer 1's most
/// bought products are 2, 3 and 5 only if its cancelled and unconfirmed lines are left out
/// (counting them would put product 4 or 1 among them); customer 3 bought four products one
/// unit each, a tie the product ids settle.
///
/// (order, customer, placed at, outcome, lines: (product, quantity, price in cents))
#[rustfmt::skip]
const ORDERS: [(u128, u128, &str, Outcome, Lines); 14] = {
    use Outcome::*;
    [
        (1, 1, "2026-11-20T09:00:00.000Z", Confirmed, &[(1, 2, 300), (2, 1, 50)]),
        (2, 1, "2026-11-20T23:59:59.999Z", Confirmed, &[(3, 5, 120)]),
        (3, 1, "2026-11-21T00:00:00.000Z", Paid, &[(1, 1, 300)]),
        (4, 1, "2026-11-21T10:15:07.123Z", PaymentRefused, &[(4, 3, 999)]),
        (5, 1, "2026-11-21T10:15:07.124Z", Confirmed, &[(4, 1, 999), (5, 4, 25)]),
        (6, 1, "2026-11-22T08:30:00.001Z", Confirmed, &[(2, 6, 50)]),
        (7, 2, "2026-11-20T09:00:00.000Z", Pending, &[(1, 1, 300)]),
        (8, 2, "2026-11-21T10:15:07.123Z", Confirmed, &[(1, 3, 300), (3, 1, 120)]),
        (9, 2, "2026-11-21T10:15:59.999Z", OutOfStock, &[(5, 100, 25), (1, 1, 300)]),
        (10, 2, "2026-11-21T10:16:00.000Z", Reserved, &[(2, 2, 50)]),
        (11, 2, "2026-11-22T23:59:59.999Z", Confirmed, &[(5, 2, 25)]),
        (12, 3, "2026-11-21T12:00:00.500Z", Confirmed, &[(3, 1, 120), (4, 1, 999), (1, 1, 300), (2, 1, 50)]),
        (13, 3, "2026-11-22T00:00:00.000Z", PaymentRefused, &[(1, 1, 300)]),
        (14, 3, "2026-11-21T11:00:00.000Z", NeverPlaced, &[(2, 1, 50)]),
    ]
};

fn specs() -> Vec<Spec> {
    ORDERS
        .iter()
        .map(|(n, c, placed_at, outcome, lines)| Spec {
            // Ids whose last byte spreads the orders over the buckets' shards.
            order_id: Uuid::from_u128(0x0D_0000_0000 + n * 37),
            customer_id: customer(*c),
            placed_at,
            outcome: *outcome,
            lines,
        })
        .collect()
}

/// Builds envelopes with each stream's versions in sequence, as the store would number them.
#[derive(Default)]
struct Streams {
    versions: HashMap<(String, Uuid), u64>,
    envelopes: Vec<EventEnvelope>,
}

impl Streams {
    fn push<E: DomainEvent>(&mut self, kind: &str, id: Uuid, event: &E, at: DateTime<Utc>) {
        let version = self.versions.entry((kind.to_owned(), id)).or_default();
        *version += 1;
        let ctx = CommandContext::for_request("test", Some("checkout"), "r").at(at);
        let envelope =
            EventEnvelope::new(&StreamId::new(kind, id.to_string()), *version, event, &ctx)
                .expect("an envelope");
        self.envelopes.push(envelope);
    }
}

type StockEvent = fn(Uuid, Uuid, u32) -> ProductEvent;

fn reserved(order_id: Uuid, product_id: Uuid, quantity: u32) -> ProductEvent {
    ProductEvent::StockReserved {
        order_id,
        product_id,
        quantity,
    }
}

fn committed(order_id: Uuid, product_id: Uuid, quantity: u32) -> ProductEvent {
    ProductEvent::StockCommitted {
        order_id,
        product_id,
        quantity,
    }
}

fn released(order_id: Uuid, product_id: Uuid, quantity: u32) -> ProductEvent {
    ProductEvent::StockReleased {
        order_id,
        product_id,
        quantity,
    }
}

/// Every event of every order's saga, in the order it happened: `OrderPlaced` at the order's
/// `placed_at`, each next step 7 ms later.
fn sagas(specs: &[Spec]) -> Vec<EventEnvelope> {
    let mut streams = Streams::default();
    for spec in specs {
        let (order_id, customer_id) = (spec.order_id, spec.customer_id);
        let amount_cents = spec.total_cents();
        let lines: Vec<OrderLine> = spec
            .lines
            .iter()
            .map(|(p, quantity, price_cents)| OrderLine {
                product_id: product(*p),
                quantity: *quantity,
                price_cents: *price_cents,
            })
            .collect();
        let mut step = 0;
        let mut next = || {
            step += 1;
            at(spec.placed_at) + chrono::Duration::milliseconds(7 * step)
        };
        let per_line = |streams: &mut Streams, at, event: StockEvent| {
            for line in &lines {
                let event = event(order_id, line.product_id, line.quantity);
                streams.push("product", line.product_id, &event, at);
            }
        };
        if spec.placed() {
            let placed = OrderEvent::OrderPlaced {
                order_id,
                customer_id,
                lines: lines.clone(),
                total_cents: amount_cents,
            };
            streams.push("order", order_id, &placed, at(spec.placed_at));
        }
        match spec.outcome {
            Outcome::Pending => {}
            Outcome::Reserved | Outcome::NeverPlaced => per_line(&mut streams, next(), reserved),
            Outcome::Paid | Outcome::Confirmed => {
                per_line(&mut streams, next(), reserved);
                let paid = CustomerEvent::PaymentAccepted {
                    order_id,
                    amount_cents,
                };
                streams.push("customer", customer_id, &paid, next());
                if spec.outcome == Outcome::Confirmed {
                    per_line(&mut streams, next(), committed);
                    streams.push("order", order_id, &OrderEvent::SaleConfirmed, next());
                }
            }
            Outcome::OutOfStock => {
                let unavailable = ProductEvent::StockUnavailable {
                    order_id,
                    product_id: lines[0].product_id,
                    requested: lines[0].quantity,
                    available: 3,
                };
                streams.push("product", lines[0].product_id, &unavailable, next());
                let cancelled = OrderEvent::OrderCancelled {
                    reason: CancellationReason::OutOfStock,
                };
                streams.push("order", order_id, &cancelled, next());
            }
            Outcome::PaymentRefused => {
                per_line(&mut streams, next(), reserved);
                let refused = CustomerEvent::PaymentRefused {
                    order_id,
                    amount_cents,
                    balance_cents: 1,
                };
                streams.push("customer", customer_id, &refused, next());
                per_line(&mut streams, next(), released);
                let cancelled = OrderEvent::OrderCancelled {
                    reason: CancellationReason::PaymentRefused,
                };
                streams.push("order", order_id, &cancelled, next());
            }
        }
    }
    streams.envelopes
}

/// A fixed-seed shuffle (xorshift64*): the same permutation on every run.
fn shuffle<T>(items: &mut [T], mut seed: u64) {
    for i in (1..items.len()).rev() {
        seed ^= seed >> 12;
        seed ^= seed << 25;
        seed ^= seed >> 27;
        let r = seed.wrapping_mul(0x2545_F491_4F6C_DD1D);
        items.swap(i, (r % (i as u64 + 1)) as usize);
    }
}

/// A fresh orders table and report table on `client`'s server, and the projector of
/// `project-orders` onto them.
async fn tables(client: &Client) -> JoinProjector<OrderView, ReportsTable> {
    let (orders, reports) = (unique_name("orders"), unique_name("order-reports"));
    create_order_tables(client, &orders, &reports)
        .await
        .expect("orders and reports tables");
    JoinProjector::new(ViewTable::<OrderView>::new(client.clone(), orders))
        .with_companion(ReportsTable::new(client.clone(), reports))
}

/// Every order view, as the orders table holds it.
async fn views(projector: &JoinProjector<OrderView, ReportsTable>) -> BTreeMap<Uuid, OrderView> {
    let mut views = BTreeMap::new();
    let mut cursor = None;
    loop {
        let page = projector
            .table()
            .list(&[], 100, cursor.as_deref())
            .await
            .expect("a page of orders");
        views.extend(page.items.into_iter().map(|view| (view.order_id, view)));
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => return views,
        }
    }
}

/// Every counter item of the report table, by key, zeros left out.
async fn counters(client: &Client, table: &str) -> BTreeMap<(String, String), Tally> {
    let text = |item: &Item, name: &str| match &item[name] {
        AttributeValue::S(text) => text.clone(),
        other => panic!("{name}: {other:?}"),
    };
    scan_table(client, table)
        .await
        .iter()
        .map(|item| {
            (
                (text(item, REPORTS_KEY), text(item, REPORTS_BUCKET)),
                Tally::from_item(item),
            )
        })
        .collect()
}

type Period = (Option<DateTime<Utc>>, Option<DateTime<Utc>>);

/// The open period, periods open at one side, and every bounded period between times that
/// cut through the orders: on a `placed_at` (inclusive at `from`, exclusive at `to`), one
/// millisecond after one, between two orders of one millisecond, minute or day, and at
/// midnights.
fn periods() -> Vec<Period> {
    let cuts: Vec<DateTime<Utc>> = [
        "2026-11-19T00:00:00.000Z",
        "2026-11-20T09:00:00.000Z",
        "2026-11-20T09:00:00.001Z",
        "2026-11-20T23:59:59.999Z",
        "2026-11-21T00:00:00.000Z",
        "2026-11-21T10:15:07.124Z",
        "2026-11-21T10:15:30.000Z",
        "2026-11-21T10:16:00.000Z",
        "2026-11-21T12:00:00.500Z",
        "2026-11-22T00:00:00.000Z",
        "2026-11-22T23:59:59.999Z",
        "2026-11-23T00:00:00.000Z",
    ]
    .into_iter()
    .map(at)
    .collect();
    let mut periods = vec![(None, None)];
    for (i, from) in cuts.iter().enumerate() {
        periods.push((Some(*from), None));
        periods.push((None, Some(*from)));
        for to in &cuts[i..] {
            periods.push((Some(*from), Some(*to)));
        }
    }
    periods
}

fn placed_in(view: &OrderView, (from, to): Period) -> bool {
    let Some(placed_at) = view.placed_at.as_deref().map(at) else {
        return false;
    };
    from.is_none_or(|from| from <= placed_at) && to.is_none_or(|to| placed_at < to)
}

/// Every report the counters answer, checked against the reference fold over `views`, with
/// the requests each cost. Returns the reports, to compare deliveries.
async fn check_reports(
    reports: &ReportsTable,
    counter: &RequestCounter,
    views: &[OrderView],
    label: &str,
) -> Vec<serde_json::Value> {
    let mut answers = Vec::new();
    for c in 1..=4 {
        let customer_id = customer(c);
        counter.reset();
        let summary = reports
            .customer_summary(customer_id)
            .await
            .expect("summary");
        assert_eq!(counter.count(), 1, "{label}: one GetItem per summary");
        let mine: Vec<OrderView> = views
            .iter()
            .filter(|v| v.customer_id == Some(customer_id))
            .cloned()
            .collect();
        assert_eq!(
            summary,
            customer_summary(customer_id, &mine),
            "{label}: summary of customer {c}"
        );
        answers.push(serde_json::to_value(&summary).unwrap());
    }
    for (from, to) in periods() {
        let text = |t: Option<DateTime<Utc>>| t.as_ref().map(es_core::time::format);
        counter.reset();
        let statistics = reports.statistics(from, to).await.expect("statistics");
        let runs = cover(from, to).len();
        assert!(runs <= 7, "{label}: {runs} runs for {from:?}..{to:?}");
        assert_eq!(
            counter.count(),
            runs,
            "{label}: one Query per run of buckets, {from:?}..{to:?}"
        );
        let inside: Vec<OrderView> = views
            .iter()
            .filter(|v| placed_in(v, (from, to)))
            .cloned()
            .collect();
        assert_eq!(
            statistics,
            order_statistics(text(from), text(to), &inside),
            "{label}: statistics of {from:?}..{to:?}"
        );
        answers.push(serde_json::to_value(&statistics).unwrap());
    }
    answers
}

#[tokio::test]
async fn counters_are_exact_and_idempotent_whatever_the_delivery() {
    let moto = Moto::start();
    let counter = RequestCounter::default();
    let client = moto.counted_dynamodb(&counter);
    let specs = specs();
    let events = sagas(&specs);

    // (a) In order, once; then everything again, which must change nothing.
    let ordered = tables(&client).await;
    let reports_a = ordered.companion().clone();

    // With no order yet: zeros, each report costing the requests it costs with every order.
    let empty = check_reports(&reports_a, &counter, &[], "no order").await;

    for envelope in &events {
        let outcome = ordered.project(envelope).await.expect("project");
        assert!(matches!(outcome, Joined::Applied { .. }), "{outcome:?}");
    }
    let views_a = views(&ordered).await;
    let counters_a = counters(&client, reports_a.name()).await;
    for envelope in &events {
        let outcome = ordered.project(envelope).await.expect("project again");
        assert!(matches!(outcome, Joined::Unchanged { .. }), "{outcome:?}");
    }
    assert_eq!(
        views(&ordered).await,
        views_a,
        "a redelivery changes no view"
    );
    assert_eq!(
        counters(&client, reports_a.name()).await,
        counters_a,
        "a redelivery moves no counter"
    );

    // The views are the orders as specified, so that the folds below are about them.
    assert_eq!(views_a.len(), specs.len());
    for spec in &specs {
        let view = &views_a[&spec.order_id];
        assert_eq!(
            view.status,
            spec.outcome.status(),
            "order {}",
            spec.order_id
        );
        assert_eq!(view.is_placed(), spec.placed());
        if spec.placed() {
            assert_eq!(view.placed_at.as_deref(), Some(spec.placed_at));
            assert_eq!(view.total_cents, spec.total_cents());
        }
    }
    let views_a: Vec<OrderView> = views_a.into_values().collect();
    let answers_a = check_reports(&reports_a, &counter, &views_a, "in order").await;

    // The open orders, for the deadline: the placed ones whose saga has not ended, by spec.
    let mut still_open: Vec<Uuid> = reports_a
        .open_orders_placed_before(at("2100-01-01T00:00:00.000Z"))
        .await
        .unwrap()
        .into_iter()
        .map(|open| open.order_id)
        .collect();
    still_open.sort();
    let mut expected_open: Vec<Uuid> = specs
        .iter()
        .filter(|s| {
            s.placed()
                && matches!(
                    s.outcome,
                    Outcome::Pending | Outcome::Reserved | Outcome::Paid
                )
        })
        .map(|s| s.order_id)
        .collect();
    expected_open.sort();
    assert!(!expected_open.is_empty());
    assert_eq!(still_open, expected_open, "open orders");
    let earliest = specs.iter().map(|s| at(s.placed_at)).min().unwrap();
    assert!(reports_a
        .open_orders_placed_before(earliest)
        .await
        .unwrap()
        .is_empty());

    // Figures written out from the specs, not from a fold: the reports are about something.
    let open = reports_a.statistics(None, None).await.unwrap();
    let placed: Vec<&Spec> = specs.iter().filter(|s| s.placed()).collect();
    let confirmed = || placed.iter().filter(|s| s.outcome == Outcome::Confirmed);
    assert_eq!(open.total_orders, placed.len() as u64);
    assert_eq!(open.confirmed, confirmed().count() as u64);
    assert_eq!(
        open.cancelled,
        placed
            .iter()
            .filter(|s| s.outcome.status() == OrderViewStatus::Cancelled)
            .count() as u64
    );
    assert_eq!(
        open.revenue_cents,
        confirmed().map(|s| s.total_cents()).sum::<u64>()
    );
    for &status in OrderViewStatus::ALL {
        let expected = placed
            .iter()
            .filter(|s| s.outcome.status() == status)
            .count();
        assert_eq!(
            open.status_counts[status.as_str()],
            expected as u64,
            "{status:?}"
        );
    }
    let first = reports_a.customer_summary(customer(1)).await.unwrap();
    assert_eq!((first.total_orders, first.confirmed_orders), (6, 4));
    assert_eq!(first.total_spent_cents, 650 + 600 + 1099 + 300);
    let favorites: Vec<(Uuid, u64)> = first
        .favorite_products
        .iter()
        .map(|f| (f.product_id, f.quantity))
        .collect();
    assert_eq!(
        favorites,
        [(product(2), 7), (product(3), 5), (product(5), 4)]
    );
    let third = reports_a.customer_summary(customer(3)).await.unwrap();
    let favorites: Vec<Uuid> = third
        .favorite_products
        .iter()
        .map(|f| f.product_id)
        .collect();
    assert_eq!(favorites, [product(1), product(2), product(3)]);
    assert_eq!(third.order_statuses["CANCELLED"], 1);
    let cut = reports_a
        .statistics(
            Some(at("2026-11-21T10:15:07.123Z")),
            Some(at("2026-11-21T10:15:07.124Z")),
        )
        .await
        .unwrap();
    assert_eq!(
        (
            cut.total_orders,
            cut.confirmed,
            cut.cancelled,
            cut.revenue_cents
        ),
        (2, 1, 1, 1020),
        "the millisecond of orders 4 and 8"
    );

    // With no order the reports were zeros; `check_reports` found each costing the same
    // requests then as with every order.
    assert!(empty.iter().all(|answer| answer["total_orders"] == 0));

    // (b) Fresh tables; shuffled, every envelope twice.
    let shuffled = tables(&client).await;
    let reports_b = shuffled.companion().clone();
    let mut twice: Vec<EventEnvelope> = events.iter().chain(&events).cloned().collect();
    shuffle(&mut twice, 0x5eed_2026_1122);
    let ids = |events: &[EventEnvelope]| events.iter().map(|e| e.event_id).collect::<Vec<_>>();
    assert_ne!(ids(&twice[..events.len()]), ids(&events), "shuffled");
    let mut applied = 0;
    for envelope in &twice {
        match shuffled.project(envelope).await.expect("project") {
            Joined::Applied { .. } => applied += 1,
            Joined::Unchanged { .. } => {}
            Joined::Ignored => panic!("an order event ignored"),
        }
    }
    assert_eq!(applied, events.len(), "each event applied once");
    let views_b: Vec<OrderView> = views(&shuffled).await.into_values().collect();
    assert_eq!(views_b, views_a, "the same views");
    assert_eq!(
        counters(&client, reports_b.name()).await,
        counters_a,
        "the same counters, item for item"
    );
    let answers_b = check_reports(&reports_b, &counter, &views_b, "shuffled, twice").await;
    assert_eq!(answers_b, answers_a, "the same reports");
}
