//! Optimistic concurrency: conditional writes decide between racing writers.

mod common;

use common::*;
use es_core::{Aggregate, EventEnvelope};
use event_store::{AppendBatch, AppendError, CommandError, CommandHandler, Expected};

#[tokio::test]
async fn two_writers_on_one_stream_exactly_one_wins() {
    let h = harness().await;
    let stream = account("a1");
    append_at(&h.store, &stream, 1, &[opened("a@x.io")]).await;
    // Both read version 1 and both write version 2.
    let first = AppendBatch::new(envelopes(&stream, 2, &[deposited(10)], &ctx()));
    let second = AppendBatch::new(envelopes(&stream, 2, &[deposited(20)], &ctx()));
    let (a, b) = tokio::join!(h.store.append(&first), h.store.append(&second));

    let outcomes = [a, b];
    assert_eq!(
        outcomes.iter().filter(|r| r.is_ok()).count(),
        1,
        "{outcomes:?}"
    );
    let loser = outcomes.into_iter().find_map(Result::err).unwrap();
    assert!(
        matches!(&loser, AppendError::Conflict { stream: s } if *s == stream),
        "the conflict names the stream: {loser:?}"
    );
    assert_eq!(
        h.store.read_stream(&stream, 1, None).await.unwrap().len(),
        2
    );
}

#[tokio::test]
async fn a_multi_stream_append_fails_whole_when_one_stream_conflicts() {
    let h = harness().await;
    let (a, b) = (account("a"), account("b"));
    append_at(&h.store, &b, 1, &[opened("b@x.io")]).await;
    // Stream a is new; stream b already has version 1, which this batch also tries to write.
    let mut events = envelopes(&a, 1, &[opened("a@x.io"), deposited(5)], &ctx());
    events.extend(envelopes(&b, 1, &[opened("b@x.io")], &ctx()));
    let error = h.store.append(&AppendBatch::new(events)).await.unwrap_err();

    assert!(
        matches!(&error, AppendError::Conflict { stream } if *stream == b),
        "{error:?}"
    );
    assert!(
        h.store.read_stream(&a, 1, None).await.unwrap().is_empty(),
        "nothing of a written"
    );
    assert_eq!(h.store.read_stream(&b, 1, None).await.unwrap().len(), 1);
}

#[tokio::test]
async fn concurrent_commands_all_land_through_retries_with_no_gap() {
    let h = harness().await;
    let handler = CommandHandler::new(h.store.clone()).with_max_attempts(20);
    execute(&handler, "a1", &open_with("a@x.io")).await;

    let deposits = (1..=8u64).map(|amount| {
        let handler = handler.clone();
        tokio::spawn(async move {
            handler
                .execute::<Account>(
                    "a1",
                    &AccountCommand::Deposit { amount },
                    Expected::Any,
                    &ctx(),
                )
                .await
                .map(|o| o.version)
        })
    });
    let results = futures::future::join_all(deposits).await;
    assert!(
        results.iter().all(|r| matches!(r, Ok(Ok(_)))),
        "{results:?}"
    );

    let events: Vec<EventEnvelope> = events_of(&h.store, "a1").await;
    assert_eq!(versions_of(&events), (1..=9).collect::<Vec<_>>());
    let state = h.store.load::<Account>("a1").await.unwrap().state;
    assert_eq!(state.balance, (1..=8).sum::<u64>());
}

#[tokio::test]
async fn if_match_on_a_stale_version_fails_and_appends_nothing() {
    let (h, handler) = harness_with_handler().await;
    execute(&handler, "a1", &open_with("a@x.io")).await;
    let deposit = AccountCommand::Deposit { amount: 1 };
    let outcome = handler
        .execute::<Account>("a1", &deposit, Expected::Exactly(1), &ctx())
        .await
        .unwrap();
    assert_eq!(outcome.version, 2);

    let stale = handler
        .execute::<Account>("a1", &deposit, Expected::Exactly(1), &ctx())
        .await
        .unwrap_err();
    assert!(
        matches!(
            stale,
            CommandError::PreconditionFailed {
                expected: 1,
                actual: 2
            }
        ),
        "{stale:?}"
    );
    assert_eq!(stale.rejection().unwrap().kind.http_status(), 412);
    assert_eq!(events_of(&h.store, "a1").await.len(), 2);
}

#[tokio::test]
async fn a_refused_command_appends_nothing_and_a_no_op_is_not_written() {
    let (h, handler) = harness_with_handler().await;
    let refused = handler
        .execute::<Account>(
            "a1",
            &AccountCommand::Deposit { amount: 1 },
            Expected::Any,
            &ctx(),
        )
        .await
        .unwrap_err();
    assert!(matches!(
        refused,
        CommandError::Rejected(AccountError::NotOpen)
    ));
    assert!(events_of(&h.store, "a1").await.is_empty());
}

#[tokio::test]
async fn a_command_returns_its_events_and_the_state_after_them() {
    let (h, handler) = harness_with_handler().await;
    execute(&handler, "a1", &open_with("a@x.io")).await;
    let outcome = execute(&handler, "a1", &AccountCommand::DepositTwice { amount: 7 }).await;
    assert_eq!(outcome.version, 3);
    assert_eq!(versions_of(&outcome.events), [2, 3]);
    assert_eq!(outcome.state.balance, 14);
    let replayed = Account::replay(
        &events_of(&h.store, "a1")
            .await
            .iter()
            .map(|e| e.decode().unwrap())
            .collect::<Vec<_>>(),
    );
    assert_eq!(replayed, outcome.state);
}
