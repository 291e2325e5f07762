//! Prints what loading an aggregate costs, in DynamoDB requests and time, for a stream of 10
//! events and for one of 10,000 events with and without a snapshot, against a local moto.
//!
//! `scripts/bench` runs it (moto installed); the README quotes its output.

#[path = "../tests/common/mod.rs"]
mod common;

use common::{harness, seed, Account};
use event_store::EventStore;
use std::time::{Duration, Instant};
use test_support::RequestCounter;

const ROUNDS: usize = 20;

struct Figures {
    requests: usize,
    median: Duration,
    p90: Duration,
    replayed: u64,
}

async fn measure(store: &EventStore, counter: &RequestCounter, id: &str) -> Figures {
    let mut times = Vec::with_capacity(ROUNDS);
    let mut requests = 0;
    let mut replayed = 0;
    for _ in 0..ROUNDS {
        counter.reset();
        let started = Instant::now();
        let loaded = store.load::<Account>(id).await.expect("load");
        times.push(started.elapsed());
        requests = counter.count();
        replayed = loaded.replayed;
    }
    times.sort();
    Figures {
        requests,
        median: times[ROUNDS / 2],
        p90: times[ROUNDS * 9 / 10],
        replayed,
    }
}

fn row(name: &str, f: &Figures) {
    println!(
        "{name:<38} {:>8} {:>9} {:>12.2?} {:>12.2?}",
        f.requests, f.replayed, f.median, f.p90
    );
}

#[tokio::main]
async fn main() {
    let h = harness().await;
    eprintln!("seeding streams of 10 and 10,000 events into moto…");
    seed(&h.store, "short", 10).await;
    seed(&h.store, "long", 10_000).await;

    let short = measure(&h.store, &h.counter, "short").await;
    let unsnapshotted = measure(&h.store, &h.counter, "long").await;
    let full = h.store.load::<Account>("long").await.expect("load");
    h.store
        .save_snapshot("long", &full.state, full.version)
        .await
        .expect("snapshot");
    let long = measure(&h.store, &h.counter, "long").await;

    println!("load of one aggregate, {ROUNDS} rounds each, moto on loopback");
    println!(
        "{:<38} {:>8} {:>9} {:>12} {:>12}",
        "stream", "requests", "replayed", "median", "p90"
    );
    row("10 events", &short);
    row("10,000 events, snapshot at 10,000", &long);
    row("10,000 events, no snapshot", &unsnapshotted);
    println!(
        "snapshotted 10,000 vs 10: {:.2}x requests, {:.2}x median time",
        long.requests as f64 / short.requests as f64,
        long.median.as_secs_f64() / short.median.as_secs_f64()
    );
}
