//! The order reports on one moto: DynamoDB requests of `GET /customers/{id}/summary` and
//! `GET /statistics/orders` at 10 and at 1,000 orders, answered from the report counters, and
//! what the old way (reading the orders themselves) needs for the same data.
//!
//! The orders are written as `project-orders` writes them: `OrderPlaced` envelopes through
//! `JoinProjector::<OrderView>` with the `ReportsTable` companion, so the view items and the
//! counters are the real ones. The new way is `ReportsTable::customer_summary` (one `GetItem`)
//! and `ReportsTable::statistics` (one `Query` per run of time buckets). The old way, as the
//! functions did before the counters: every order of the customer through the orders table's
//! `by_customer` index in pages of 100 (`ViewTable::query`, the same code), and a `Scan` of the
//! whole orders table filtered on `placed_at` for the statistics (the same request); both are
//! run here and their pages counted. `ensure_customer`'s `GetItem`, the same in both ways, is
//! left out.
//!
//! Requests alone flatter the old statistics (one `Scan` page holds 1 MB of orders), so what
//! each call reads is printed too: the items the responses carry, their size (DynamoDB's item
//! size rules, as `units` prices writes) and the read units that makes (eventually consistent: half a unit per
//! started 4 KB of each response).

use aws_sdk_dynamodb::types::AttributeValue;
use aws_sdk_dynamodb::Client;
use chrono::{DateTime, Duration, Utc};
use es_core::{CommandContext, EventEnvelope, StreamId};
use order_domain::{OrderEvent, OrderLine};
use order_views::reports::buckets::cover;
use order_views::reports::{create_reports_table, ReportsTable};
use order_views::tables::{ORDERS_BY_CUSTOMER, ORDERS_KEY};
use order_views::OrderView;
use projection::{create_view_table, JoinProjector, ViewTable, MAX_PAGE_SIZE};
use std::collections::BTreeMap;
use std::time::{Duration as Elapsed, Instant};
use test_support::{unique_name, Moto};
use uuid::Uuid;

use crate::compare::client;
use crate::meter::{Meter, Read, Spent};

const SIZES: [usize; 2] = [10, 1_000];
/// The orders are placed over this many days.
const DAYS: i64 = 3;
/// The first order's `placed_at`: not on a whole second, so that a period starting there is
/// cut into all 7 runs of buckets (the most requests the statistics make).
const FIRST: &str = "2026-11-20T09:17:23.456Z";

/// What one way of answering one report sent and read, and how many orders it found.
struct Cost {
    requests: usize,
    mix: String,
    read: Read,
    orders: u64,
}

impl Cost {
    fn of(spent: &Spent, orders: u64) -> Self {
        Self {
            requests: spent.request_count(),
            mix: mix(&spent.requests),
            read: spent.read,
            orders,
        }
    }
}

fn mix(requests: &BTreeMap<String, usize>) -> String {
    requests
        .iter()
        .map(|(name, n)| format!("{name} {n}"))
        .collect::<Vec<_>>()
        .join(" + ")
}

/// The four figures of one size.
struct Figures {
    orders: usize,
    fill: Elapsed,
    period: String,
    runs: usize,
    summary: Cost,
    statistics: Cost,
    old_summary: Cost,
    old_statistics: Cost,
}

fn placed_at(i: usize, size: usize) -> DateTime<Utc> {
    let first = es_core::time::parse(FIRST).expect("a time");
    let spread = Duration::days(DAYS).num_milliseconds();
    first + Duration::milliseconds(spread * i as i64 / size as i64)
}

/// Order `i` of `size`: one or two lines, placed by `customer_id`.
fn placed(i: usize, size: usize, customer_id: Uuid) -> EventEnvelope {
    let order_id = Uuid::new_v4();
    let lines: Vec<OrderLine> = (0..1 + i % 2)
        .map(|l| OrderLine {
            product_id: Uuid::from_u128(0xB00 + (i + l) as u128 % 7),
            quantity: 1 + (i % 3) as u32,
            price_cents: 250 + 10 * l as u64,
        })
        .collect();
    let event = OrderEvent::OrderPlaced {
        order_id,
        customer_id,
        total_cents: order_domain::total_cents(&lines),
        lines,
    };
    let ctx = CommandContext::for_request("bench", None, "bench").at(placed_at(i, size));
    EventEnvelope::new(
        &StreamId::new("order", order_id.to_string()),
        1,
        &event,
        &ctx,
    )
    .expect("an envelope")
}

/// The old `GET /customers/{id}/summary`: every order of the customer, pages of 100.
async fn old_summary(orders: &ViewTable<OrderView>, customer_id: Uuid) -> u64 {
    let customer = customer_id.to_string();
    let mut found = 0;
    let mut cursor: Option<String> = None;
    loop {
        let page = orders
            .query(
                &ORDERS_BY_CUSTOMER,
                &customer,
                &[],
                MAX_PAGE_SIZE,
                cursor.as_deref(),
            )
            .await
            .expect("a page of the customer's orders");
        found += page.items.len() as u64;
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => return found,
        }
    }
}

/// The old `GET /statistics/orders`: the whole orders table scanned, filtered on
/// `placed_at` in `[from, to)`.
async fn old_statistics(
    client: &Client,
    table: &str,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> u64 {
    let text = |at: DateTime<Utc>| AttributeValue::S(es_core::time::format(&at));
    let mut pages = client
        .scan()
        .table_name(table)
        .filter_expression(
            "attribute_exists(#placed_at) AND #placed_at >= :from AND #placed_at < :to",
        )
        .expression_attribute_names("#placed_at", "placed_at")
        .expression_attribute_values(":from", text(from))
        .expression_attribute_values(":to", text(to))
        .into_paginator()
        .send();
    let mut found = 0;
    while let Some(page) = pages.next().await {
        found += page.expect("a page of the scan").items().len() as u64;
    }
    found
}

async fn measure(endpoint: &str, plain: &Client, size: usize) -> Figures {
    let orders_table = unique_name("orders");
    create_view_table(plain, &orders_table, ORDERS_KEY, &[ORDERS_BY_CUSTOMER])
        .await
        .expect("orders table");
    let reports_table = unique_name("order-reports");
    create_reports_table(plain, &reports_table)
        .await
        .expect("reports table");

    // Written as project-orders writes them.
    let customer_id = Uuid::new_v4();
    let projector = JoinProjector::new(ViewTable::<OrderView>::new(plain.clone(), &orders_table))
        .with_companion(ReportsTable::new(plain.clone(), &reports_table));
    let started = Instant::now();
    for i in 0..size {
        projector
            .project(&placed(i, size, customer_id))
            .await
            .expect("project an order");
    }
    let fill = started.elapsed();

    // Every order is in the period, which starts and ends off whole seconds.
    let from = placed_at(0, size);
    let to = placed_at(size - 1, size) + Duration::milliseconds(1);
    let runs = cover(Some(from), Some(to)).len();

    let meter = Meter::default();
    let metered = client(endpoint, Some(&meter));
    let reports = ReportsTable::new(metered.clone(), &reports_table);
    meter.take();
    let summary = reports
        .customer_summary(customer_id)
        .await
        .expect("summary");
    let summary = Cost::of(&meter.take(), summary.total_orders);
    let statistics = reports
        .statistics(Some(from), Some(to))
        .await
        .expect("statistics");
    let statistics = Cost::of(&meter.take(), statistics.total_orders);

    let orders = ViewTable::<OrderView>::new(metered.clone(), &orders_table);
    let found = old_summary(&orders, customer_id).await;
    let old_summary = Cost::of(&meter.take(), found);
    let found = old_statistics(&metered, &orders_table, from, to).await;
    let old_statistics = Cost::of(&meter.take(), found);

    Figures {
        orders: size,
        fill,
        period: format!(
            "{} .. {}",
            es_core::time::format(&from),
            es_core::time::format(&to)
        ),
        runs,
        summary,
        statistics,
        old_summary,
        old_statistics,
    }
}

fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

pub async fn run(moto: &Moto) {
    let endpoint = moto.endpoint();
    let plain = client(&endpoint, None);
    let mut all = Vec::new();
    for size in SIZES {
        eprintln!("bench: reports, {size} orders through project-orders' projector");
        all.push(measure(&endpoint, &plain, size).await);
    }

    println!();
    println!(
        "== GET /statistics/orders and GET /customers/{{id}}/summary: DynamoDB requests at 10 and at 1,000 orders (moto; one customer, placed over {DAYS} days)"
    );
    for f in &all {
        println!(
            "   {} orders written through JoinProjector<OrderView> + ReportsTable in {:.1} s; statistics period {} ({} runs of buckets)",
            thousands(f.orders),
            f.fill.as_secs_f64(),
            f.period,
            f.runs
        );
    }
    let header: Vec<String> = all
        .iter()
        .map(|f| format!("{} orders", thousands(f.orders)))
        .collect();
    println!(
        "   {:<48} {:>20} {:>20}",
        "requests per call", header[0], header[1]
    );
    type Pick = fn(&Figures) -> &Cost;
    let rows: [(&str, Pick); 4] = [
        ("summary, from the counters", |f| &f.summary),
        ("summary, old: by_customer Query, pages of 100", |f| {
            &f.old_summary
        }),
        ("statistics, from the counters", |f| &f.statistics),
        ("statistics, old: Scan of the orders table", |f| {
            &f.old_statistics
        }),
    ];
    for (name, pick) in rows {
        let cells: Vec<String> = all.iter().map(|f| pick(f).requests.to_string()).collect();
        println!("   {name:<48} {:>20} {:>20}", cells[0], cells[1]);
    }
    println!(
        "   {:<48} {:>20} {:>20}",
        "read per call: items, KB, read units", header[0], header[1]
    );
    for (name, pick) in rows {
        let cells: Vec<String> = all
            .iter()
            .map(|f| {
                let read = pick(f).read;
                format!(
                    "{}, {:.1}, {:.1}",
                    read.items,
                    read.bytes as f64 / 1024.0,
                    read.half_units as f64 / 2.0
                )
            })
            .collect();
        println!("   {name:<48} {:>20} {:>20}", cells[0], cells[1]);
    }
    println!("   request mix per call (orders the answer counted):");
    for f in &all {
        for (name, pick) in rows {
            let cost = pick(f);
            println!(
                "     {:<7} {name:<47} {} ({} orders)",
                thousands(f.orders),
                cost.mix,
                thousands(cost.orders as usize)
            );
        }
    }
    // One line per figure, for scripts and notes.
    for f in &all {
        for (name, key) in [
            ("summary counters", &f.summary),
            ("summary old query", &f.old_summary),
            ("statistics counters", &f.statistics),
            ("statistics old scan", &f.old_statistics),
        ] {
            println!(
                "FIGURE reports {name} at {} orders: requests {}",
                f.orders, key.requests
            );
            println!(
                "FIGURE reports {name} at {} orders: read units {:.1}",
                f.orders,
                key.read.half_units as f64 / 2.0
            );
        }
    }
}
