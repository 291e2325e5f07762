//! The projector against DynamoDB (moto): idempotence, order tolerance, gap filling,
//! concurrent writers.

mod common;

use common::*;
use es_core::EventEnvelope;
use projection::{Projected, ProjectionError, View};
use serde_json::json;
use std::sync::{Arc, Mutex};

/// Delivers `input` with `workers` concurrent consumers taking messages in order from a
/// shared queue, as several Lambda pollers on one SQS queue would.
async fn deliver(
    projector: &projection::Projector<Tally>,
    input: Vec<EventEnvelope>,
    workers: usize,
) {
    let queue = Arc::new(Mutex::new(input.into_iter()));
    let runs = (0..workers).map(|_| {
        let queue = queue.clone();
        let projector = projector.clone();
        tokio::spawn(async move {
            loop {
                let next = queue.lock().unwrap().next();
                let Some(envelope) = next else { return };
                projector.project(&envelope).await.unwrap_or_else(|e| {
                    panic!("{} v{}: {e}", envelope.aggregate_id, envelope.version)
                });
            }
        })
    });
    for run in futures::future::join_all(runs).await {
        run.unwrap();
    }
}

/// The Done-means test of the issue: shuffled, duplicated input gives exactly the same read
/// model as ordered input, item for item and attribute for attribute.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn shuffled_duplicated_input_gives_the_same_read_model_as_ordered_input() {
    let h = Harness::start().await;
    let mut rng = fastrand::Rng::with_seed(0x5eed_2026);
    let streams: Vec<Vec<EventEnvelope>> = (0..6)
        .map(|s| stream(&format!("tally-{s}"), 12 + 4 * s, &mut rng))
        .collect();
    let all: Vec<EventEnvelope> = streams.iter().flatten().cloned().collect();
    h.append(&all).await;

    // Ordered: stream after stream, each in version order, one consumer.
    let ordered = h.projector().await;
    for envelope in &all {
        let outcome = ordered.project(envelope).await.unwrap();
        assert_eq!(
            outcome,
            Projected::Applied {
                from: envelope.version,
                to: envelope.version
            }
        );
    }
    let expected = h.scan(ordered.table().name()).await;
    assert_eq!(expected.len(), streams.len());
    for events in &streams {
        let id = &events[0].aggregate_id;
        let view = ordered.table().get(id).await.unwrap().unwrap();
        assert_eq!(
            view,
            Tally::replay(events),
            "{id}: the table holds the pure fold"
        );
        assert_eq!(view.applied, (1..=events.len() as u64).collect::<Vec<_>>());
    }

    for shuffle in 0..10 {
        // Every event at least twice, some three times, all mixed up.
        let mut input: Vec<EventEnvelope> = all.iter().chain(all.iter()).cloned().collect();
        input.extend(all.iter().filter(|_| rng.bool()).cloned());
        rng.shuffle(&mut input);
        let projector = h.projector().await;
        let workers = 1 + shuffle % 4;
        deliver(&projector, input, workers).await;
        let got = h.scan(projector.table().name()).await;
        assert_eq!(
            got, expected,
            "shuffle {shuffle} ({workers} workers) differs from the ordered read model"
        );
    }
}

#[tokio::test]
async fn a_duplicate_or_older_event_changes_nothing_and_costs_one_read() {
    let (h, projector, events) = Harness::with_stream(7, 4).await;
    h.append(&events).await;
    for envelope in &events {
        projector.project(envelope).await.unwrap();
    }
    let before = h.scan(projector.table().name()).await;

    for envelope in [&events[3], &events[0], &events[2]] {
        h.counter.reset();
        let outcome = projector.project(envelope).await.unwrap();
        assert_eq!(outcome, Projected::Unchanged { stored: 4 });
        assert_eq!(h.counter.count(), 1, "one consistent GetItem, no write");
    }
    assert_eq!(h.scan(projector.table().name()).await, before);
}

#[tokio::test]
async fn the_next_version_costs_a_read_and_a_write() {
    let (h, projector, events) = Harness::with_stream(8, 2).await;
    // Not even stored: the next version needs nothing from the event store.
    for envelope in &events {
        h.counter.reset();
        projector.project(envelope).await.unwrap();
        assert_eq!(h.counter.count(), 2, "GetItem + conditional PutItem");
    }
}

#[tokio::test]
async fn an_event_ahead_of_a_gap_fills_it_from_the_event_store() {
    let (h, projector, events) = Harness::with_stream(9, 9).await;
    h.append(&events).await;

    assert_eq!(
        projector.project(&events[4]).await.unwrap(),
        Projected::Applied { from: 1, to: 5 }
    );
    let view = projector.table().get("t-1").await.unwrap().unwrap();
    assert_eq!(view, Tally::replay(&events[..5]));
    assert_eq!(view.applied, vec![1, 2, 3, 4, 5]);

    assert_eq!(
        projector.project(&events[8]).await.unwrap(),
        Projected::Applied { from: 6, to: 9 }
    );
    // The events in between arrive late: nothing left to do.
    for envelope in &events[..8] {
        assert_eq!(
            projector.project(envelope).await.unwrap(),
            Projected::Unchanged { stored: 9 }
        );
    }
    let view = projector.table().get("t-1").await.unwrap().unwrap();
    assert_eq!(view, Tally::replay(&events));
    assert_eq!(view.version, 9);
    assert_eq!(
        view.updated_at,
        es_core::time::format(&events[8].occurred_at)
    );
}

#[tokio::test]
async fn a_gap_the_store_cannot_fill_is_an_error_and_writes_nothing() {
    let (h, projector, events) = Harness::with_stream(10, 4).await;
    // Only versions 1 and 2 are in the store; version 4 is delivered.
    h.append(&events[..2]).await;
    projector.project(&events[0]).await.unwrap();

    let error = projector.project(&events[3]).await.unwrap_err();
    assert!(
        matches!(&error, ProjectionError::Gap { from: 2, to: 4, found, .. } if found == &vec![2]),
        "{error}"
    );
    let view = projector.table().get("t-1").await.unwrap().unwrap();
    assert_eq!(view.version, 1, "nothing written");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_writers_on_one_item_converge() {
    let h = Harness::start().await;
    let mut rng = fastrand::Rng::with_seed(11);
    let events = stream("t-hot", 16, &mut rng);
    h.append(&events).await;
    for round in 0..3 {
        let projector = h.projector().await;
        // Every version twice, all at once.
        let mut input: Vec<EventEnvelope> = events.iter().chain(events.iter()).cloned().collect();
        rng.shuffle(&mut input);
        let writers = input.into_iter().map(|envelope| {
            let projector = projector.clone();
            tokio::spawn(async move { projector.project(&envelope).await })
        });
        let outcomes: Vec<Projected> = futures::future::join_all(writers)
            .await
            .into_iter()
            .map(|joined| joined.unwrap().expect("every writer succeeds"))
            .collect();
        let applied: u64 = outcomes
            .iter()
            .map(|o| match o {
                Projected::Applied { from, to } => to - from + 1,
                _ => 0,
            })
            .sum();
        assert_eq!(
            applied, 16,
            "round {round}: each version applied exactly once"
        );
        let view = projector.table().get("t-hot").await.unwrap().unwrap();
        assert_eq!(view, Tally::replay(&events), "round {round}");
    }
}

#[tokio::test]
async fn events_of_other_aggregate_types_are_ignored() {
    let h = Harness::start().await;
    let projector = h.projector().await;
    let mut other = opened("x-1", Some("alice"), "2026-01-01T00:00:00.000Z");
    other.aggregate_type = "radar".into();
    h.counter.reset();
    assert_eq!(projector.project(&other).await.unwrap(), Projected::Ignored);
    assert_eq!(h.counter.count(), 0);
    assert!(h.scan(projector.table().name()).await.is_empty());
}

#[tokio::test]
async fn an_event_the_view_cannot_decode_fails_and_the_view_stays_where_it_was() {
    let h = Harness::start().await;
    let projector = h.projector().await;
    let first = opened("t-1", Some("alice"), "2026-01-01T00:00:00.000Z");
    let broken = envelope("t-1", 2, "Added", json!({"amount": "lots"}));
    let unknown = envelope("t-1", 2, "TallyMelted", json!({}));
    let after_gap = envelope("t-1", 3, "Added", json!({"amount": 1}));
    h.store
        .append(&event_store::AppendBatch::new(vec![
            first.clone(),
            broken.clone(),
            after_gap.clone(),
        ]))
        .await
        .unwrap();
    projector.project(&first).await.unwrap();
    let before = h.scan(projector.table().name()).await;

    for event in [&broken, &unknown] {
        let error = projector.project(event).await.unwrap_err();
        assert!(
            matches!(&error, ProjectionError::Undecodable { version: 2, .. }),
            "{error}"
        );
    }
    // Nor when the broken event is only met while filling a gap before a later one.
    assert!(matches!(
        projector.project(&after_gap).await.unwrap_err(),
        ProjectionError::Undecodable { version: 2, .. }
    ));
    assert_eq!(
        h.scan(projector.table().name()).await,
        before,
        "the view did not move"
    );
}

#[tokio::test]
async fn none_is_not_stored_and_keeps_the_item_out_of_the_index() {
    let h = Harness::start().await;
    let projector = h.projector().await;
    let events = [
        opened("t-1", None, "2026-01-01T00:00:00.000Z"),
        envelope("t-1", 2, "OwnerChanged", json!({"owner": "alice"})),
        envelope("t-1", 3, "OwnerChanged", json!({"owner": null})),
    ];
    let owner_of = |items: &std::collections::BTreeMap<String, _>| {
        let item: &std::collections::HashMap<String, aws_sdk_dynamodb::types::AttributeValue> =
            &items["t-1"];
        (item.contains_key("owner"), item.contains_key("note"))
    };
    let table = projector.table();

    // After each event: whether the owner and the note are stored, and how many items the
    // index holds for alice. Back to nobody, the attribute is removed, not set to NULL.
    let expected = [((false, false), 0), ((true, false), 1), ((false, false), 0)];
    for (event, (stored, indexed)) in events.iter().zip(expected) {
        projector.project(event).await.unwrap();
        let version = event.version;
        assert_eq!(owner_of(&h.scan(table.name()).await), stored, "{version}");
        let page = table
            .query(&BY_OWNER, "alice", &[], 10, None)
            .await
            .unwrap();
        assert_eq!(page.items.len(), indexed, "{version}");
    }
    let view = table.get("t-1").await.unwrap().unwrap();
    assert_eq!(view.owner, None);
    assert_eq!(view.version, 3);
}

#[tokio::test]
async fn get_reads_the_view_with_version_and_updated_at() {
    let h = Harness::start().await;
    let projector = h.projector().await;
    assert_eq!(projector.table().get("nobody").await.unwrap(), None);
    let first = opened("t-1", Some("bob"), "2026-01-01T00:00:00.000Z");
    projector.project(&first).await.unwrap();
    let view = projector.table().get("t-1").await.unwrap().unwrap();
    assert_eq!(view.tally_id, "t-1");
    assert_eq!(view.owner.as_deref(), Some("bob"));
    assert_eq!(view.version, 1);
    assert_eq!(view.updated_at, "2026-01-01T00:01:00.000Z");
}

/// Opens `count` tallies of `owner`, one minute apart.
async fn open_many(
    projector: &projection::Projector<Tally>,
    owner: Option<&str>,
    prefix: &str,
    count: usize,
) {
    for i in 0..count {
        let opened_at = es_core::time::format(&at(i as i64 * 60));
        let event = opened(&format!("{prefix}-{i:02}"), owner, &opened_at);
        projector.project(&event).await.unwrap();
    }
}

#[tokio::test]
async fn an_index_is_paged_newest_first() {
    let h = Harness::start().await;
    let projector = h.projector().await;
    open_many(&projector, Some("alice"), "a", 11).await;
    open_many(&projector, Some("bob"), "b", 4).await;
    open_many(&projector, None, "n", 3).await;
    let table = projector.table();

    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    let mut pages = 0;
    loop {
        let page = table
            .query(&BY_OWNER, "alice", &[], 3, cursor.as_deref())
            .await
            .unwrap();
        pages += 1;
        assert!(page.items.len() <= 3);
        seen.extend(page.items.into_iter().map(|t| t.tally_id));
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    let expected: Vec<String> = (0..11).rev().map(|i| format!("a-{i:02}")).collect();
    assert_eq!(seen, expected, "newest first, each once");
    assert_eq!(pages, 4, "3 + 3 + 3 + 2, no empty last page");

    // An exact fit has no next page either.
    let page = table.query(&BY_OWNER, "bob", &[], 4, None).await.unwrap();
    assert_eq!(page.items.len(), 4);
    assert_eq!(page.next_cursor, None);

    // Filters apply on top of the index, and pages still fill up.
    let page = table
        .query(&BY_OWNER, "alice", &[("tally_id", "a-03")], 5, None)
        .await
        .unwrap();
    assert_eq!(page.items.len(), 1);
    assert_eq!(page.items[0].tally_id, "a-03");
}

#[tokio::test]
async fn the_table_is_listed_page_by_page() {
    let h = Harness::start().await;
    let projector = h.projector().await;
    open_many(&projector, Some("alice"), "a", 7).await;
    open_many(&projector, None, "n", 5).await;
    let table = projector.table();

    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let page = table.list(&[], 5, cursor.as_deref()).await.unwrap();
        assert!(page.items.len() <= 5);
        seen.extend(page.items.into_iter().map(|t| t.tally_id));
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    seen.sort();
    let mut expected: Vec<String> = (0..7).map(|i| format!("a-{i:02}")).collect();
    expected.extend((0..5).map(|i| format!("n-{i:02}")));
    assert_eq!(seen, expected, "every item once");

    // With a filter, pages of matching items only.
    let mut owned = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let page = table
            .list(&[("owner", "alice")], 3, cursor.as_deref())
            .await
            .unwrap();
        owned.extend(page.items.into_iter().map(|t| t.tally_id));
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    owned.sort();
    assert_eq!(owned, expected[..7]);
}

#[tokio::test]
async fn a_cursor_from_elsewhere_is_refused() {
    let h = Harness::start().await;
    let projector = h.projector().await;
    open_many(&projector, Some("alice"), "a", 3).await;
    let table = projector.table();
    let list_cursor = table.list(&[], 1, None).await.unwrap().next_cursor.unwrap();
    let query_cursor = table
        .query(&BY_OWNER, "alice", &[], 1, None)
        .await
        .unwrap()
        .next_cursor
        .unwrap();
    for bad in ["garbage", "e30", list_cursor.as_str()] {
        assert!(matches!(
            table.query(&BY_OWNER, "alice", &[], 1, Some(bad)).await,
            Err(ProjectionError::BadCursor)
        ));
    }
    assert!(matches!(
        table.list(&[], 1, Some(&query_cursor)).await,
        Err(ProjectionError::BadCursor)
    ));
}
