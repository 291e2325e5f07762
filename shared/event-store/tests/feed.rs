//! The event feeds of SPEC §5: by correlation id, type, aggregate type, and all events.

mod common;

use common::*;
use es_core::{CommandContext, EventEnvelope};
use event_store::{AppendBatch, EventFilter, StoreError};

fn at(correlation: &str, second: u32) -> CommandContext {
    let mut ctx = CommandContext::for_request("test", Some(correlation), "r");
    ctx.now = es_core::time::parse(&format!("2026-11-22T10:00:{second:02}.000Z")).unwrap();
    ctx
}

/// Ten events over three streams and two correlations, one second apart.
async fn seeded() -> (Harness, Vec<EventEnvelope>) {
    let h = harness().await;
    let mut all = Vec::new();
    let plan = [
        ("a", 1, opened("a@x.io"), "c-1"),
        ("b", 1, opened("b@x.io"), "c-2"),
        ("a", 2, deposited(1), "c-1"),
        ("c", 1, opened("c@x.io"), "c-2"),
        ("a", 3, deposited(2), "c-1"),
        ("b", 2, deposited(3), "c-2"),
        ("c", 2, deposited(4), "c-2"),
        ("a", 4, deposited(5), "c-1"),
        ("b", 3, deposited(6), "c-2"),
        ("c", 3, deposited(7), "c-1"),
    ];
    for (second, (id, version, event, correlation)) in plan.into_iter().enumerate() {
        let written = envelopes(
            &account(id),
            version,
            &[event],
            &at(correlation, second as u32),
        );
        h.store
            .append(&AppendBatch::new(written.clone()))
            .await
            .unwrap();
        all.extend(written);
    }
    all.reverse(); // newest first
    (h, all)
}

async fn read_all(h: &Harness, filter: &EventFilter, limit: usize) -> Vec<EventEnvelope> {
    let mut items = Vec::new();
    let mut cursor = None;
    loop {
        let page = h
            .store
            .query_events(filter, limit, cursor.as_deref())
            .await
            .unwrap();
        assert!(page.items.len() <= limit);
        items.extend(page.items);
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => return items,
        }
    }
}

#[tokio::test]
async fn the_global_feed_pages_through_every_event_newest_first() {
    let (h, all) = seeded().await;
    for limit in [1, 3, 10, 100] {
        assert_eq!(
            read_all(&h, &EventFilter::default(), limit).await,
            all,
            "limit {limit}"
        );
    }
}

#[tokio::test]
async fn filters_select_by_correlation_type_and_aggregate_type() {
    let (h, all) = seeded().await;
    let matching = |pred: &dyn Fn(&EventEnvelope) -> bool| -> Vec<EventEnvelope> {
        all.iter().filter(|e| pred(e)).cloned().collect()
    };
    let filter = |correlation: Option<&str>, event_type: Option<&str>, aggregate: Option<&str>| {
        EventFilter {
            correlation_id: correlation.map(Into::into),
            event_type: event_type.map(Into::into),
            aggregate_type: aggregate.map(Into::into),
        }
    };
    // (filter, page size, the events it selects, newest first)
    let cases = [
        (
            filter(Some("c-1"), None, None),
            2,
            matching(&|e| e.correlation_id == "c-1"),
        ),
        (
            filter(None, Some("AccountOpened"), None),
            2,
            matching(&|e| e.event_type == "AccountOpened"),
        ),
        (filter(None, None, Some("account")), 4, all.clone()),
        (filter(None, None, Some("radar")), 4, Vec::new()),
        (
            filter(Some("c-2"), Some("Deposited"), None),
            1,
            matching(&|e| e.correlation_id == "c-2" && e.event_type == "Deposited"),
        ),
    ];
    for (filter, limit, expected) in cases {
        assert_eq!(read_all(&h, &filter, limit).await, expected, "{filter:?}");
    }
}

/// Every page of `filter` examining at most `budget` index items per shard.
async fn read_all_examining(
    h: &Harness,
    filter: &EventFilter,
    limit: usize,
    budget: usize,
) -> (Vec<EventEnvelope>, usize) {
    let (mut items, mut pages, mut cursor) = (Vec::new(), 0, None);
    loop {
        let page = h
            .store
            .query_events_examining(filter, limit, cursor.as_deref(), budget)
            .await
            .unwrap();
        assert!(page.items.len() <= limit);
        pages += 1;
        items.extend(page.items);
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => return (items, pages),
        }
    }
}

/// A rare type read with a tiny scan budget: pages come back short, but following the cursors
/// yields every matching event once, newest first; with no filter the same holds.
#[tokio::test]
async fn a_bounded_scan_returns_short_pages_that_lose_nothing() {
    let (h, all) = seeded().await;
    let opened = EventFilter {
        event_type: Some("AccountOpened".into()),
        ..Default::default()
    };
    let expected: Vec<EventEnvelope> = all
        .iter()
        .filter(|e| e.event_type == "AccountOpened")
        .cloned()
        .collect();
    for budget in [1, 2, 3] {
        let (items, pages) = read_all_examining(&h, &opened, 2, budget).await;
        assert_eq!(items, expected, "budget {budget}");
        assert!(pages >= 2, "budget {budget}: {pages} pages");
        let (items, _) = read_all_examining(&h, &EventFilter::default(), 3, budget).await;
        assert_eq!(items, all, "no filter, budget {budget}");
    }
}

#[tokio::test]
async fn a_cursor_that_is_not_ours_is_refused() {
    let (h, _) = seeded().await;
    let error = h
        .store
        .query_events(&EventFilter::default(), 5, Some("bogus!"))
        .await
        .unwrap_err();
    assert!(matches!(error, StoreError::BadCursor));
}
