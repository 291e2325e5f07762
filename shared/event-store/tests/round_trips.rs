//! Round trips: a create is one request, an update two (one read, one write), a load one,
//! whatever the stream's length once it is snapshotted; snapshots live in the stream's own
//! partition and never show up as events.

mod common;

use aws_sdk_dynamodb::types::AttributeValue;
use common::*;
use es_core::{Aggregate, Decide, DomainError, DomainEvent, Rejection};
use event_store::schema::SNAPSHOT_SORT_KEY;
use event_store::{CommandError, CommandHandler, PointInTime};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// An aggregate whose creation claims no guard: a create is then a single `PutItem`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
struct Tally {
    created: bool,
    total: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event_type", content = "data")]
enum TallyEvent {
    TallyCreated,
}

impl DomainEvent for TallyEvent {}

#[derive(Debug, thiserror::Error)]
#[error("tally already exists")]
struct TallyExists;

impl DomainError for TallyExists {
    fn rejection(&self) -> Rejection {
        Rejection::conflict("tally_already_exists", self.to_string())
    }
}

impl Aggregate for Tally {
    const TYPE: &'static str = "tally";
    type Command = ();
    type Event = TallyEvent;
    type Error = TallyExists;

    fn apply(&mut self, _: &TallyEvent) {
        self.created = true;
    }
}

impl Decide<Tally> for () {
    fn decide(&self, tally: &Tally) -> Result<Vec<TallyEvent>, TallyExists> {
        if tally.created {
            return Err(TallyExists);
        }
        Ok(vec![TallyEvent::TallyCreated])
    }
}

fn open(id: &str) -> AccountCommand {
    open_with(&format!("{id}@x.io"))
}

async fn deposit(handler: &CommandHandler, id: &str, amount: u64) -> u64 {
    execute(handler, id, &AccountCommand::Deposit { amount })
        .await
        .version
}

/// Account `a1` created, then given deposits of 1, 2… `deposits`, by a handler that snapshots
/// every `snapshot_every` events (returned).
async fn created_with_deposits(h: &Harness, snapshot_every: u64, deposits: u64) -> CommandHandler {
    let handler = CommandHandler::new(h.store.clone()).with_snapshot_every(snapshot_every);
    handler
        .create::<Account>("a1", &open("a1"), &ctx())
        .await
        .unwrap();
    for amount in 1..=deposits {
        deposit(&handler, "a1", amount).await;
    }
    handler
}

#[tokio::test]
async fn a_create_is_one_request() {
    let h = harness().await;
    let handler = CommandHandler::new(h.store.clone());

    h.counter.reset();
    let created = handler.create::<Tally>("t1", &(), &ctx()).await.unwrap();
    assert_eq!(
        h.counter.count(),
        1,
        "one conditional PutItem, nothing loaded"
    );
    assert_eq!((created.version, created.events.len()), (1, 1));

    // With a uniqueness guard: the event and its guard are still one write.
    h.counter.reset();
    let opened = handler
        .create::<Account>("a1", &open("a1"), &ctx())
        .await
        .unwrap();
    assert_eq!(
        h.counter.count(),
        1,
        "one TransactWriteItems, event + guard"
    );
    assert_eq!(opened.version, 1);
    let claim = es_core::UniqueClaim {
        scope: "account.email",
        value: "a1@x.io".into(),
    };
    assert_eq!(
        h.store.claimed_by(&claim).await.unwrap(),
        Some(account("a1"))
    );
    assert!(h.store.load::<Account>("a1").await.unwrap().state.open);
}

#[tokio::test]
async fn a_create_on_an_existing_id_is_refused_by_the_aggregate() {
    let h = harness().await;
    let handler = CommandHandler::new(h.store.clone());
    handler.create::<Tally>("t1", &(), &ctx()).await.unwrap();
    handler
        .create::<Account>("a1", &open("a1"), &ctx())
        .await
        .unwrap();

    let tally = handler
        .create::<Tally>("t1", &(), &ctx())
        .await
        .unwrap_err();
    assert!(
        matches!(tally, CommandError::Rejected(TallyExists)),
        "{tally:?}"
    );
    assert_eq!(tally.rejection().unwrap().code, "tally_already_exists");
    let account_again = handler
        .create::<Account>("a1", &open("a1"), &ctx())
        .await
        .unwrap_err();
    assert!(
        matches!(
            account_again,
            CommandError::Rejected(AccountError::AlreadyOpen)
        ),
        "{account_again:?}"
    );
    assert_eq!(
        events_of(&h.store, "a1").await.len(),
        1,
        "nothing appended to the existing stream"
    );
}

#[tokio::test]
async fn a_create_claiming_a_taken_guard_is_a_duplicate() {
    let h = harness().await;
    let handler = CommandHandler::new(h.store.clone());
    handler
        .create::<Account>("a1", &open("shared"), &ctx())
        .await
        .unwrap();

    let error = handler
        .create::<Account>("a2", &open("shared"), &ctx())
        .await
        .unwrap_err();
    assert!(
        matches!(&error, CommandError::Duplicate { scope, .. } if scope == "account.email"),
        "{error:?}"
    );
    assert!(!h.store.load::<Account>("a2").await.unwrap().exists());
}

#[tokio::test]
async fn an_update_of_a_snapshotted_stream_is_one_read_and_one_write() {
    let h = harness().await;
    let handler = created_with_deposits(&h, 10, 13).await;

    h.counter.reset();
    let loaded = handler.store().load::<Account>("a1").await.unwrap();
    assert_eq!(h.counter.count(), 1, "one Query: snapshot and tail");
    assert_eq!(
        (loaded.version, loaded.snapshot_version, loaded.replayed),
        (14, 10, 4)
    );

    h.counter.reset();
    let version = deposit(&handler, "a1", 100).await;
    assert_eq!(version, 15);
    assert_eq!(h.counter.count(), 2, "one Query + one PutItem");
    assert_eq!(
        h.store.load::<Account>("a1").await.unwrap().state.balance,
        (1..=13).sum::<u64>() + 100
    );
}

/// A 250-event stream whose handler snapshots every 100 events (the default).
async fn stream_of_250(h: &Harness, id: &str) -> CommandHandler {
    let handler = CommandHandler::new(h.store.clone());
    seed(&h.store, id, 199).await;
    for _ in 200..=250 {
        deposit(&handler, id, 1).await;
    }
    handler
}

#[tokio::test]
async fn a_250_event_stream_snapshotted_every_100_loads_in_one_request() {
    let h = harness().await;
    stream_of_250(&h, "long").await;

    h.counter.reset();
    let loaded = h.store.load::<Account>("long").await.unwrap();
    assert_eq!(h.counter.count(), 1);
    assert_eq!(
        (loaded.version, loaded.snapshot_version, loaded.replayed),
        (250, 200, 50)
    );
    let full = account_at(&h.store, "long", PointInTime::Version(250)).await;
    assert_eq!(loaded.state, full.state, "snapshot + tail equals a replay");
}

#[tokio::test]
async fn an_unusable_or_stale_snapshot_falls_back_to_replay() {
    let h = harness().await;
    stream_of_250(&h, "long").await;
    let expected = account_at(&h.store, "long", PointInTime::Version(250))
        .await
        .state;
    let state_at = |version| {
        let store = h.store.clone();
        async move {
            let at = account_at(&store, "long", PointInTime::Version(version)).await;
            serde_json::to_string(&at.state).unwrap()
        }
    };

    // Another state schema, a state that no longer reads, a version past the stream's end:
    // each is ignored and the whole stream replayed.
    let current = state_at(250).await;
    for (schema, version, state) in [
        ("999", "200", current.as_str()),
        ("1", "200", "{not json"),
        ("1", "300", current.as_str()),
    ] {
        put_snapshot(&h, "long", schema, version, state).await;
        let loaded = h.store.load::<Account>("long").await.unwrap();
        assert_eq!(
            (loaded.snapshot_version, loaded.replayed, loaded.version),
            (0, 250, 250),
            "schema {schema}, version {version}"
        );
        assert_eq!(loaded.state, expected);
    }

    // A stale snapshot, further back than a first page reaches: the load reads on to it.
    put_snapshot(&h, "long", "1", "20", &state_at(20).await).await;
    h.counter.reset();
    let loaded = h.store.load::<Account>("long").await.unwrap();
    assert!(h.counter.count() >= 2, "the tail is longer than one page");
    assert_eq!(
        (loaded.snapshot_version, loaded.replayed, loaded.version),
        (20, 230, 250)
    );
    assert_eq!(loaded.state, expected);
}

#[tokio::test]
async fn a_snapshot_is_no_event_for_any_reader() {
    let h = harness().await;
    created_with_deposits(&h, 3, 4).await;
    let stream = account("a1");

    let events = h.store.read_stream(&stream, 1, None).await.unwrap();
    assert_eq!(versions_of(&events), [1, 2, 3, 4, 5]);
    let page = h
        .store
        .stream_page(&stream, 4, None, 10, None)
        .await
        .unwrap();
    assert_eq!(
        (versions_of(&page.items), page.next_cursor),
        (vec![4, 5], None)
    );
    let at_5 = account_at(&h.store, "a1", PointInTime::Version(5)).await;
    assert_eq!((at_5.version, at_5.replayed), (5, 5));

    // The snapshot item holds its own attributes only: none of an event's, none a feed
    // index is keyed on, so it is in no index.
    let tip = h
        .store
        .client()
        .get_item()
        .table_name(&h.store.tables().events)
        .key("stream_id", AttributeValue::S(stream.key()))
        .key("version", AttributeValue::N(SNAPSHOT_SORT_KEY.into()))
        .consistent_read(true)
        .send()
        .await
        .unwrap();
    let tip = tip.item().expect("the handler wrote a snapshot");
    let attributes: BTreeSet<&str> = tip.keys().map(String::as_str).collect();
    assert_eq!(
        attributes,
        BTreeSet::from([
            "snapshot_schema",
            "snapshot_version",
            "state",
            "stream_id",
            "version"
        ])
    );
    assert_eq!(tip["snapshot_version"], AttributeValue::N("3".into()));
}
