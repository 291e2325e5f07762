//! Decisions across several streams (`CommandHandler::transact`): one atomic write, decided
//! again on fresh loads when another writer got in between.

mod common;

use common::*;
use es_core::UniqueClaim;
use event_store::{CommandError, CommandHandler};
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use tokio::sync::Barrier;

/// Deposits `amount` on both accounts `from` and `to`, or on neither. With `loaded_together`,
/// its first decision waits, once both accounts are loaded, until another transfer has loaded
/// too: both then decide on the same versions.
async fn transfer(
    commands: &CommandHandler,
    from: &str,
    to: &str,
    amount: u64,
    decisions: &AtomicU32,
    loaded_together: Option<&Barrier>,
) -> Result<u64, CommandError<AccountError>> {
    let first = &AtomicBool::new(true);
    commands
        .transact(|| async move {
            decisions.fetch_add(1, Ordering::SeqCst);
            let source = commands.store().load::<Account>(from).await?;
            let target = commands.store().load::<Account>(to).await?;
            if let Some(barrier) = loaded_together.filter(|_| first.swap(false, Ordering::SeqCst)) {
                barrier.wait().await;
            }
            let mut transaction = commands.transaction();
            transaction.record(from, &source, &[deposited(amount)], &ctx())?;
            let after = transaction.record(to, &target, &[deposited(amount)], &ctx())?;
            Ok((transaction, after.balance))
        })
        .await
}

/// Opens each account of `ids`, one after the other.
async fn open(commands: &CommandHandler, ids: &[&str]) {
    for id in ids {
        execute(commands, id, &open_with(&format!("{id}@x.io"))).await;
    }
}

/// A fresh store with the accounts `ids` open, and a command handler on it.
async fn opened(ids: &[&str]) -> (Harness, CommandHandler) {
    let h = harness().await;
    let commands = h.commands();
    open(&commands, ids).await;
    (h, commands)
}

#[tokio::test]
async fn a_transaction_writes_every_stream_at_its_next_version() {
    let (h, commands) = opened(&["t1", "t2"]).await;
    let decisions = AtomicU32::new(0);
    let balance = transfer(&commands, "t1", "t2", 5, &decisions, None)
        .await
        .unwrap();
    assert_eq!(balance, 5, "the decision's own result comes back");
    for id in ["t1", "t2"] {
        let stream = events_of(&h.store, id).await;
        assert_eq!(versions_of(&stream), [1, 2]);
    }
}

#[tokio::test]
async fn racing_transactions_both_land_one_after_the_other() {
    let (h, commands) = opened(&["r1", "r2", "r3"]).await;
    let decisions = AtomicU32::new(0);
    let barrier = Barrier::new(2);
    // Both decide on r2 at version 1: one of them must decide again on what the other wrote.
    let (a, b) = tokio::join!(
        transfer(&commands, "r1", "r2", 1, &decisions, Some(&barrier)),
        transfer(&commands, "r3", "r2", 1, &decisions, Some(&barrier))
    );
    let mut balances = [a.unwrap(), b.unwrap()];
    balances.sort();
    assert_eq!(balances, [1, 2], "the second saw the first");
    assert_eq!(
        decisions.load(Ordering::SeqCst),
        3,
        "the loser decided again, once"
    );
    let r2 = h.store.load::<Account>("r2").await.unwrap();
    assert_eq!((r2.version, r2.state.balance), (3, 2));
}

#[tokio::test]
async fn a_taken_guard_writes_nothing_of_the_transaction() {
    let (h, commands) = opened(&["g1", "g2"]).await;
    let guard = UniqueClaim {
        scope: "transfer.once",
        value: "transfer-1".into(),
    };
    let once = || {
        let guard = guard.clone();
        let commands = &commands;
        async move {
            commands
                .transact::<_, AccountError, _, _>(move || {
                    let guard = guard.clone();
                    async move {
                        let g1 = commands.store().load::<Account>("g1").await?;
                        let g2 = commands.store().load::<Account>("g2").await?;
                        let mut transaction = commands.transaction();
                        transaction.record("g1", &g1, &[deposited(1)], &ctx())?;
                        transaction.record("g2", &g2, &[deposited(1)], &ctx())?;
                        transaction.claim(guard, account("g1"));
                        Ok((transaction, ()))
                    }
                })
                .await
        }
    };
    once().await.unwrap();
    let again = once().await.unwrap_err();
    assert!(
        matches!(&again, CommandError::Duplicate { scope, .. } if scope == "transfer.once"),
        "{again:?}"
    );
    for id in ["g1", "g2"] {
        let loaded = h.store.load::<Account>(id).await.unwrap();
        assert_eq!((loaded.version, loaded.state.balance), (2, 1), "{id}: once");
    }
}

#[tokio::test]
async fn a_transaction_snapshots_a_stream_that_crosses_the_interval() {
    let h = harness().await;
    let commands = h.commands().with_snapshot_every(2);
    open(&commands, &["s1", "s2"]).await;
    let decisions = AtomicU32::new(0);
    transfer(&commands, "s1", "s2", 3, &decisions, None)
        .await
        .unwrap();
    h.counter.reset();
    let loaded = h.store.load::<Account>("s1").await.unwrap();
    assert_eq!((loaded.snapshot_version, loaded.replayed), (2, 0));
    assert_eq!(loaded.state.balance, 3);
}

#[tokio::test]
async fn recording_one_stream_twice_is_refused() {
    let (h, commands) = opened(&["d1"]).await;
    let loaded = h.store.load::<Account>("d1").await.unwrap();
    let mut transaction = commands.transaction();
    transaction
        .record("d1", &loaded, &[deposited(1)], &ctx())
        .unwrap();
    assert!(transaction
        .record("d1", &loaded, &[deposited(1)], &ctx())
        .is_err());
    assert_eq!(transaction.events().len(), 1);
}
