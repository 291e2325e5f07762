//! Uniqueness guards: a set rule enforced in the same atomic write as the event.

mod common;

use common::*;
use es_core::{StreamId, UniqueClaim};
use event_store::{CommandError, Expected};

#[tokio::test]
async fn a_second_claim_of_the_same_value_is_a_duplicate_and_appends_nothing() {
    let (h, handler) = harness_with_handler().await;
    let open = open_with("same@x.io");
    execute(&handler, "first", &open).await;

    let error = handler
        .execute::<Account>("second", &open, Expected::Any, &ctx())
        .await
        .unwrap_err();
    assert!(
        matches!(&error, CommandError::Duplicate { scope, value } if scope == "account.email" && value == "same@x.io"),
        "{error:?}"
    );
    assert_eq!(error.rejection().unwrap().kind.http_status(), 409);
    assert!(events_of(&h.store, "second").await.is_empty());

    let claim = UniqueClaim {
        scope: "account.email",
        value: "same@x.io".into(),
    };
    assert_eq!(
        h.store.claimed_by(&claim).await.unwrap(),
        Some(StreamId::new("account", "first"))
    );
    let free = UniqueClaim {
        scope: "account.email",
        value: "other@x.io".into(),
    };
    assert_eq!(h.store.claimed_by(&free).await.unwrap(), None);
}

#[tokio::test]
async fn racing_claims_of_one_value_let_exactly_one_stream_exist() {
    let (h, handler) = harness_with_handler().await;
    let open = open_with("race@x.io");
    let attempts = (0..6).map(|i| {
        let (handler, open) = (handler.clone(), open.clone());
        tokio::spawn(async move {
            handler
                .execute::<Account>(&format!("racer-{i}"), &open, Expected::Any, &ctx())
                .await
                .is_ok()
        })
    });
    let won: Vec<bool> = futures::future::join_all(attempts)
        .await
        .into_iter()
        .map(Result::unwrap)
        .collect();
    assert_eq!(won.iter().filter(|w| **w).count(), 1, "{won:?}");
    let mut streams_with_events = 0;
    for i in 0..6 {
        if !events_of(&h.store, &format!("racer-{i}")).await.is_empty() {
            streams_with_events += 1;
        }
    }
    assert_eq!(streams_with_events, 1);
}

#[tokio::test]
async fn guard_items_are_not_events() {
    let (h, handler) = harness_with_handler().await;
    execute(&handler, "a1", &open_with("g@x.io")).await;
    let feed = h
        .store
        .query_events(&Default::default(), 100, None)
        .await
        .unwrap();
    assert_eq!(
        feed.items.len(),
        1,
        "only the event is in the feed: {:?}",
        feed.items
    );
    assert_eq!(feed.items[0].event_type, "AccountOpened");
}
