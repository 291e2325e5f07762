//! Shared set-up of the projection tests: a moto server with an event store and a view
//! table, and a small "tally" view whose fold is sensitive to order, duplicates and gaps.
#![allow(dead_code)]

use aws_sdk_dynamodb::types::AttributeValue;
use chrono::{DateTime, Duration, TimeZone, Utc};
use es_core::{EventEnvelope, EventMeta};
use event_store::AppendBatch;
use projection::{create_view_table, Index, Projector, View, ViewTable};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::BTreeMap;
use test_support::{scan_table, unique_name, EventStoreFixture, Item};
use uuid::Uuid;

pub const BY_OWNER: Index = Index {
    name: "by_owner",
    partition_key: "owner",
    sort_key: Some("opened_at"),
    newest_first: true,
};

/// A view whose every field depends on which events were applied and in which order.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Tally {
    pub tally_id: String,
    /// Indexed by `by_owner`; `None` must leave the item out of the index.
    pub owner: Option<String>,
    pub opened_at: String,
    pub total: i64,
    pub note: Option<String>,
    /// Every version applied, in the order applied.
    pub applied: Vec<u64>,
    /// An order-dependent digest of everything applied.
    pub digest: u64,
    pub version: u64,
    pub updated_at: String,
}

/// The tally's events.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "event_type", content = "data")]
pub enum TallyEvent {
    TallyOpened {
        owner: Option<String>,
        opened_at: String,
    },
    Added {
        amount: i64,
        note: Option<String>,
    },
    OwnerChanged {
        owner: Option<String>,
    },
    /// An event the view has no use for.
    SomethingNew {
        x: i64,
    },
}

impl es_core::DomainEvent for TallyEvent {}

impl View for Tally {
    const AGGREGATE_TYPE: &'static str = "tally";
    const KEY: &'static str = "tally_id";
    type Event = TallyEvent;

    fn apply(&mut self, event: &TallyEvent, meta: &EventMeta) {
        let mut amount = 0;
        match event {
            TallyEvent::TallyOpened { owner, opened_at } => {
                self.tally_id = meta.aggregate_id.clone();
                self.owner = owner.clone();
                self.opened_at = opened_at.clone();
            }
            TallyEvent::Added {
                amount: added,
                note,
            } => {
                amount = *added;
                self.total += amount;
                self.note = note.clone();
            }
            TallyEvent::OwnerChanged { owner } => self.owner = owner.clone(),
            TallyEvent::SomethingNew { .. } => {}
        }
        self.applied.push(meta.version);
        self.digest = self
            .digest
            .wrapping_mul(1_000_003)
            .wrapping_add(meta.version * 7919)
            .wrapping_add(amount as u64);
        self.version = meta.version;
        self.updated_at = es_core::time::format(&meta.occurred_at);
    }
}

/// Moto with an event table and the store on it (test-support's fixture), and the tally
/// views made over it.
pub struct Harness(EventStoreFixture);

impl std::ops::Deref for Harness {
    type Target = EventStoreFixture;

    fn deref(&self) -> &EventStoreFixture {
        &self.0
    }
}

impl Harness {
    pub async fn start() -> Self {
        Self(EventStoreFixture::start().await)
    }

    /// A started harness, a projector onto a fresh table, and a tally stream `t-1` of `count`
    /// events drawn from `seed`.
    pub async fn with_stream(
        seed: u64,
        count: u64,
    ) -> (Self, Projector<Tally>, Vec<EventEnvelope>) {
        let h = Self::start().await;
        let projector = h.projector().await;
        let events = stream("t-1", count, &mut fastrand::Rng::with_seed(seed));
        (h, projector, events)
    }

    /// A fresh tally table with its `by_owner` index, and a projector onto it.
    pub async fn projector(&self) -> Projector<Tally> {
        let name = unique_name("tallies");
        create_view_table(&self.client, &name, Tally::KEY, &[BY_OWNER])
            .await
            .expect("view table");
        Projector::new(
            ViewTable::new(self.client.clone(), name),
            self.store.clone(),
        )
    }

    /// Stores the events, one `PutItem` each (moto makes transactions slow).
    pub async fn append(&self, events: &[EventEnvelope]) {
        for event in events {
            self.store
                .append(&AppendBatch::new(vec![event.clone()]))
                .await
                .expect("append");
        }
    }

    /// Every item of a table, by key: the read model exactly as stored.
    pub async fn scan(&self, table: &str) -> BTreeMap<String, Item> {
        scan_table(&self.client, table)
            .await
            .into_iter()
            .map(|item| match &item[Tally::KEY] {
                AttributeValue::S(key) => (key.clone(), item),
                other => panic!("bad key {other:?}"),
            })
            .collect()
    }
}

pub fn at(minutes: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap() + Duration::minutes(minutes)
}

pub fn envelope(
    id: &str,
    version: u64,
    event_type: &str,
    data: serde_json::Value,
) -> EventEnvelope {
    EventEnvelope {
        event_id: Uuid::new_v4(),
        aggregate_type: Tally::AGGREGATE_TYPE.into(),
        aggregate_id: id.into(),
        version,
        event_type: event_type.into(),
        schema_version: 1,
        occurred_at: at(version as i64),
        correlation_id: "c-1".into(),
        causation_id: "test".into(),
        source: "test".into(),
        data,
        metadata: json!({}),
    }
}

pub fn opened(id: &str, owner: Option<&str>, opened_at: &str) -> EventEnvelope {
    envelope(
        id,
        1,
        "TallyOpened",
        json!({"owner": owner, "opened_at": opened_at}),
    )
}

/// A stream of `count` events: opened, then additions (with or without a note), owner changes
/// (sometimes to nobody) and an event the view has no use for now and then.
pub fn stream(id: &str, count: u64, rng: &mut fastrand::Rng) -> Vec<EventEnvelope> {
    let mut events = vec![opened(id, Some("alice"), &es_core::time::format(&at(0)))];
    for version in 2..=count {
        let event = match rng.u8(0..10) {
            0 => envelope(id, version, "OwnerChanged", json!({"owner": null})),
            1 => {
                let owner = ["alice", "bob", "carol"][rng.usize(0..3)];
                envelope(id, version, "OwnerChanged", json!({ "owner": owner }))
            }
            2 => envelope(id, version, "SomethingNew", json!({"x": 1})),
            n => envelope(
                id,
                version,
                "Added",
                json!({
                    "amount": rng.i64(-50..100),
                    "note": (n % 2 == 0).then(|| format!("note {version}")),
                }),
            ),
        };
        events.push(event);
    }
    events
}
