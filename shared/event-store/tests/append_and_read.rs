//! Appending and reading streams against DynamoDB as moto serves it.

mod common;

use common::*;
use event_store::AppendBatch;

#[tokio::test]
async fn an_appended_event_reads_back_identical() {
    let h = harness().await;
    let stream = account("a1");
    let written = envelopes(&stream, 1, &[opened("a@x.io")], &ctx());
    h.store
        .append(&AppendBatch::new(written.clone()))
        .await
        .unwrap();
    assert_eq!(h.counter.count(), 1, "one event is one PutItem");

    let read = h.store.read_stream(&stream, 1, None).await.unwrap();
    assert_eq!(read, written);
    assert_eq!(read[0].event_type, "AccountOpened");
    assert_eq!(read[0].data, serde_json::json!({"email": "a@x.io"}));
}

#[tokio::test]
async fn several_events_are_one_transaction_and_ranges_read_them_back() {
    let h = harness().await;
    let stream = account("a1");
    append_opened_with_deposits(&h.store, &stream, 5).await;
    assert_eq!(
        h.counter.count(),
        1,
        "several events are one TransactWriteItems"
    );

    let middle = h.store.read_stream(&stream, 2, Some(4)).await.unwrap();
    assert_eq!(versions_of(&middle), [2, 3, 4]);
    let tail = h.store.read_stream(&stream, 5, None).await.unwrap();
    assert_eq!(versions_of(&tail), [5, 6]);
    assert!(events_of(&h.store, "nobody").await.is_empty());
}

#[tokio::test]
async fn a_stream_over_one_megabyte_reads_back_whole() {
    let h = harness().await;
    let stream = account("big");
    let memo = "x".repeat(8 * 1024);
    let mut version = 1;
    append_at(&h.store, &stream, 1, &[opened("big@x.io")]).await;
    // 200 events of 8 KiB: 1.6 MB, more than one Query page can return.
    for _ in 0..2 {
        let batch: Vec<_> = (0..100)
            .map(|i| common::AccountEvent::Deposited {
                amount: i,
                memo: memo.clone(),
            })
            .collect();
        append_at(&h.store, &stream, version + 1, &batch).await;
        version += 100;
    }
    h.counter.reset();
    let read = h.store.read_stream(&stream, 1, None).await.unwrap();
    assert_eq!(read.len(), 201);
    assert!(
        read.windows(2).all(|w| w[1].version == w[0].version + 1),
        "no gap, in order"
    );
    assert!(
        h.counter.count() >= 2,
        "the read had to follow LastEvaluatedKey"
    );
}

#[tokio::test]
async fn a_batch_with_a_version_gap_is_refused_before_any_write() {
    let h = harness().await;
    let stream = account("a1");
    let mut events = envelopes(&stream, 1, &[opened("a@x.io"), deposited(1)], &ctx());
    events[1].version = 3;
    let error = h.store.append(&AppendBatch::new(events)).await.unwrap_err();
    assert!(
        matches!(error, event_store::AppendError::InvalidBatch(_)),
        "{error}"
    );
    assert_eq!(h.counter.count(), 0);
}

#[tokio::test]
async fn a_stream_pages_oldest_first_within_its_range() {
    let h = harness().await;
    let stream = account("a1");
    append_opened_with_deposits(&h.store, &stream, 6).await;

    let mut versions = Vec::new();
    let mut cursor = None;
    loop {
        let page = h
            .store
            .stream_page(&stream, 2, Some(6), 2, cursor.as_deref())
            .await
            .unwrap();
        assert!(page.items.len() <= 2);
        versions.extend(versions_of(&page.items));
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    assert_eq!(versions, [2, 3, 4, 5, 6]);
    let all = h
        .store
        .stream_page(&stream, 1, None, 100, None)
        .await
        .unwrap();
    assert_eq!((all.items.len(), all.next_cursor), (7, None));
    let bad = h
        .store
        .stream_page(&stream, 1, None, 2, Some("bogus"))
        .await;
    assert!(matches!(bad, Err(event_store::StoreError::BadCursor)));
}
