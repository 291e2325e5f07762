//! Snapshots: loading reads the snapshot and the tail only, and survives a bad snapshot.

mod common;

use common::*;
use event_store::{AppendBatch, CommandHandler, PointInTime};

/// Moto with account `a1` opened and given deposits of 1, 2… `deposits`, through a handler
/// that snapshots every `snapshot_every` events.
async fn account_with_deposits(snapshot_every: u64, deposits: u64) -> Harness {
    let h = harness().await;
    let handler = CommandHandler::new(h.store.clone()).with_snapshot_every(snapshot_every);
    execute(&handler, "a1", &open_with("a1@x.io")).await;
    for amount in 1..=deposits {
        execute(&handler, "a1", &AccountCommand::Deposit { amount }).await;
    }
    h
}

#[tokio::test]
async fn the_handler_snapshots_and_a_load_replays_only_the_tail() {
    let h = account_with_deposits(10, 25).await;

    let loaded = h.store.load::<Account>("a1").await.unwrap();
    assert_eq!(loaded.version, 26);
    assert_eq!(
        loaded.snapshot_version, 20,
        "the last multiple of 10 crossed"
    );
    assert_eq!(loaded.replayed, 6);
    let full = account_at(&h.store, "a1", PointInTime::Version(26)).await;
    assert_eq!(
        loaded.state, full.state,
        "snapshot + tail equals a full replay"
    );
    assert_eq!(loaded.state.balance, (1..=25).sum::<u64>());
}

#[tokio::test]
async fn an_unreadable_snapshot_falls_back_to_a_full_replay() {
    let h = account_with_deposits(5, 7).await;

    for (schema, state) in [
        ("1", "{not json"),
        ("999", r#"{"open":true,"balance":0,"deposits":0}"#),
    ] {
        put_snapshot(&h, "a1", schema, "8", state).await;
        let loaded = h.store.load::<Account>("a1").await.unwrap();
        assert_eq!(
            loaded.snapshot_version, 0,
            "schema {schema}: snapshot ignored"
        );
        assert_eq!(loaded.replayed, 8);
        assert_eq!(loaded.state.balance, (1..=7).sum::<u64>());
    }
}

#[tokio::test]
async fn a_snapshot_never_moves_backwards() {
    let h = account_with_deposits(1000, 4).await;
    let at_5 = h.store.load::<Account>("a1").await.unwrap();
    h.store.save_snapshot("a1", &at_5.state, 5).await.unwrap();
    let at_3 = account_at(&h.store, "a1", PointInTime::Version(3)).await;
    h.store.save_snapshot("a1", &at_3.state, 3).await.unwrap();

    let loaded = h.store.load::<Account>("a1").await.unwrap();
    assert_eq!((loaded.snapshot_version, loaded.replayed), (5, 0));
}

#[tokio::test]
async fn state_at_a_version_and_at_an_instant() {
    let h = harness().await;
    let stream = account("a1");
    let t = |s: &str| es_core::time::parse(s).unwrap();
    let at = |time: &str| ctx().at(t(time));
    let mut events = envelopes(
        &stream,
        1,
        &[opened("a@x.io")],
        &at("2026-01-01T00:00:00.000Z"),
    );
    events.extend(envelopes(
        &stream,
        2,
        &[deposited(10)],
        &at("2026-01-02T00:00:00.000Z"),
    ));
    events.extend(envelopes(
        &stream,
        3,
        &[deposited(20)],
        &at("2026-01-03T00:00:00.000Z"),
    ));
    h.store.append(&AppendBatch::new(events)).await.unwrap();

    let v2 = account_at(&h.store, "a1", PointInTime::Version(2)).await;
    assert_eq!((v2.version, v2.state.balance), (2, 10));
    let jan2 = account_at(&h.store, "a1", PointInTime::Time(t("2026-01-02T12:00:00Z"))).await;
    assert_eq!((jan2.version, jan2.state.balance), (2, 10));
    let before = account_at(&h.store, "a1", PointInTime::Time(t("2025-12-31T00:00:00Z"))).await;
    assert_eq!((before.version, before.state), (0, Account::default()));
}

const LONG: u64 = 10_000;

#[tokio::test]
async fn loading_a_snapshotted_stream_of_10_000_events_costs_what_10_events_cost() {
    let h = harness().await;
    seed(&h.store, "short", 10).await;
    seed(&h.store, "long", LONG).await;
    let full = h.store.load::<Account>("long").await.unwrap();
    assert_eq!(full.replayed, LONG);
    h.store
        .save_snapshot("long", &full.state, full.version)
        .await
        .unwrap();

    h.counter.reset();
    let short = h.store.load::<Account>("short").await.unwrap();
    let short_requests = h.counter.count();
    h.counter.reset();
    let long = h.store.load::<Account>("long").await.unwrap();
    let long_requests = h.counter.count();

    assert_eq!(short.replayed, 10);
    assert_eq!((long.version, long.replayed), (LONG, 0));
    assert_eq!(long.state.balance, LONG - 1);
    assert_eq!(short_requests, 1, "one query: snapshot and tail together");
    assert!(
        long_requests <= 2 * short_requests,
        "10,000 events with a snapshot: {long_requests} requests, 10 events: {short_requests}"
    );
}
