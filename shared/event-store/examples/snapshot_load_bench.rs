//! Prints what loading an aggregate costs, in DynamoDB requests and time, for streams of 10,
//! 250 (snapshotted every 100 by the handler) and 10,000 events with and without a snapshot,
//! then what a create (fresh id) and an update (snapshotted stream) cost, against a local moto.
//!
//! A snapshot is an item of the stream's own partition, read with the tail in one newest-first
//! query. `scripts/bench` runs it (moto installed); the README quotes its output.

#[path = "../tests/common/mod.rs"]
mod common;

use common::{ctx, harness, seed, Account, AccountCommand};
use event_store::{CommandHandler, EventStore, Expected};
use std::future::Future;
use std::time::{Duration, Instant};
use test_support::RequestCounter;

const ROUNDS: usize = 20;

struct Figures {
    requests: usize,
    median: Duration,
    p90: Duration,
    replayed: Option<u64>,
}

/// Runs `round` ROUNDS times; the requests are the most any round took.
async fn measure<F, Fut>(counter: &RequestCounter, mut round: F) -> Figures
where
    F: FnMut(usize) -> Fut,
    Fut: Future<Output = Option<u64>>,
{
    let mut times = Vec::with_capacity(ROUNDS);
    let mut requests = 0;
    let mut replayed = None;
    for i in 0..ROUNDS {
        counter.reset();
        let started = Instant::now();
        replayed = round(i).await;
        times.push(started.elapsed());
        requests = requests.max(counter.count());
    }
    times.sort();
    Figures {
        requests,
        median: times[ROUNDS / 2],
        p90: times[ROUNDS * 9 / 10],
        replayed,
    }
}

async fn load(store: &EventStore, counter: &RequestCounter, id: &str) -> Figures {
    measure(counter, |_| async move {
        Some(store.load::<Account>(id).await.expect("load").replayed)
    })
    .await
}

fn row(name: &str, f: &Figures) {
    let replayed = f.replayed.map_or("-".to_owned(), |r| r.to_string());
    println!(
        "{name:<42} {:>8} {:>9} {:>12.2?} {:>12.2?}",
        f.requests, replayed, f.median, f.p90
    );
}

fn header(title: &str) {
    println!("{title}");
    println!(
        "{:<42} {:>8} {:>9} {:>12} {:>12}",
        "", "requests", "replayed", "median", "p90"
    );
}

async fn deposit(handler: &CommandHandler, id: &str) {
    handler
        .execute::<Account>(
            id,
            &AccountCommand::Deposit { amount: 1 },
            Expected::Any,
            &ctx(),
        )
        .await
        .expect("deposit");
}

#[tokio::main]
async fn main() {
    let h = harness().await;
    let handler = CommandHandler::new(h.store.clone());
    eprintln!("seeding streams of 10, 250 and 10,000 events into moto…");
    seed(&h.store, "short", 10).await;
    // The last 51 through the handler, which snapshots at 200 (every 100, the default).
    seed(&h.store, "medium", 199).await;
    for _ in 200..=250 {
        deposit(&handler, "medium").await;
    }
    seed(&h.store, "long", 10_000).await;

    let short = load(&h.store, &h.counter, "short").await;
    let medium = load(&h.store, &h.counter, "medium").await;
    let unsnapshotted = load(&h.store, &h.counter, "long").await;
    let full = h.store.load::<Account>("long").await.expect("load");
    h.store
        .save_snapshot("long", &full.state, full.version)
        .await
        .expect("snapshot");
    let long = load(&h.store, &h.counter, "long").await;

    let create = measure(&h.counter, |i| {
        let handler = handler.clone();
        async move {
            let id = format!("new-{i}");
            let open = AccountCommand::Open {
                email: format!("{id}@x.io"),
            };
            handler
                .create::<Account>(&id, &open, &ctx())
                .await
                .expect("create");
            None
        }
    })
    .await;
    // 250 → 270: no snapshot is due in between, as for most updates.
    let update = measure(&h.counter, |_| {
        let handler = handler.clone();
        async move {
            deposit(&handler, "medium").await;
            None
        }
    })
    .await;

    header(&format!(
        "load of one aggregate, {ROUNDS} rounds each, moto on loopback"
    ));
    row("10 events", &short);
    row("250 events, snapshot every 100 (at 200)", &medium);
    row("10,000 events, snapshot at 10,000", &long);
    row("10,000 events, no snapshot", &unsnapshotted);
    println!(
        "snapshotted 10,000 vs 10: {:.2}x requests, {:.2}x median time",
        long.requests as f64 / short.requests as f64,
        long.median.as_secs_f64() / short.median.as_secs_f64()
    );
    println!();
    header(&format!("one command, {ROUNDS} rounds each"));
    row("create, fresh id (event + guard)", &create);
    row("update, stream of 250 snapshotted at 200", &update);
}
