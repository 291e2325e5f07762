//! Upcasting end to end (moto): an event stored at schema version 1 is read, after its shape
//! changed, at version 2 by the event store's loads, by a command that decides on it, and by a
//! view; an event no upcaster brings to the current version fails loudly everywhere.

mod common;

use common::{at, Harness};
use es_core::{
    Aggregate, CommandContext, Decide, DomainError, DomainEvent, EventEnvelope, EventMeta,
    Rejection, StreamId, Upcaster,
};
use event_store::{CommandHandler, Expected, StoreError};
use projection::{create_view_table, Projected, ProjectionError, Projector, View, ViewTable};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use test_support::unique_name;

/// A parcel's events. `ParcelWeighed` is at schema version 2: version 1 carried
/// `{"weight_kg": 1.25}`; version 2 renamed it to whole grams and added the `scale` used.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event_type", content = "data")]
enum ParcelEvent {
    ParcelRegistered { label: String },
    ParcelWeighed { weight_grams: u64, scale: String },
}

/// What version 1 did not record.
const UNRECORDED_SCALE: &str = "unrecorded";

fn weighed_v1_to_v2(data: Value) -> Value {
    let kg = data["weight_kg"].as_f64().unwrap_or_default();
    json!({ "weight_grams": (kg * 1000.0).round() as u64, "scale": UNRECORDED_SCALE })
}

impl DomainEvent for ParcelEvent {
    fn schema_version(&self) -> u32 {
        match self {
            Self::ParcelRegistered { .. } => 1,
            Self::ParcelWeighed { .. } => 2,
        }
    }

    const UPCASTERS: &'static [Upcaster] = &[Upcaster {
        event_type: "ParcelWeighed",
        from: 1,
        upcast: weighed_v1_to_v2,
    }];
}

/// The parcel aggregate: it decides on the weights it has seen.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
struct Parcel {
    label: String,
    weights_grams: Vec<u64>,
}

#[derive(Debug)]
struct Weigh {
    weight_grams: u64,
}

#[derive(Debug, thiserror::Error)]
#[error("weighed already at that weight")]
struct SameWeight;

impl DomainError for SameWeight {
    fn rejection(&self) -> Rejection {
        Rejection::rule("same_weight", self.to_string())
    }
}

impl Aggregate for Parcel {
    const TYPE: &'static str = "parcel";
    type Command = Weigh;
    type Event = ParcelEvent;
    type Error = SameWeight;

    fn apply(&mut self, event: &ParcelEvent) {
        match event {
            ParcelEvent::ParcelRegistered { label } => self.label.clone_from(label),
            ParcelEvent::ParcelWeighed { weight_grams, .. } => {
                self.weights_grams.push(*weight_grams)
            }
        }
    }
}

impl Decide<Parcel> for Weigh {
    fn decide(&self, parcel: &Parcel) -> Result<Vec<ParcelEvent>, SameWeight> {
        if parcel.weights_grams.last() == Some(&self.weight_grams) {
            return Err(SameWeight);
        }
        Ok(vec![ParcelEvent::ParcelWeighed {
            weight_grams: self.weight_grams,
            scale: "scale-2".into(),
        }])
    }
}

/// The parcel's view: each weighing with its scale.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
struct ParcelView {
    parcel_id: String,
    label: String,
    weighings: Vec<String>,
    version: u64,
}

impl View for ParcelView {
    const AGGREGATE_TYPE: &'static str = Parcel::TYPE;
    const KEY: &'static str = "parcel_id";
    type Event = ParcelEvent;

    fn apply(&mut self, event: &ParcelEvent, meta: &EventMeta) {
        self.parcel_id.clone_from(&meta.aggregate_id);
        self.version = meta.version;
        match event {
            ParcelEvent::ParcelRegistered { label } => self.label.clone_from(label),
            ParcelEvent::ParcelWeighed {
                weight_grams,
                scale,
            } => self.weighings.push(format!("{weight_grams} g on {scale}")),
        }
    }
}

const ID: &str = "p-1";

/// Version `version` of the parcel's stream as an older build stored it: raw data at a
/// given schema version.
fn stored(version: u64, event_type: &str, schema_version: u32, data: Value) -> EventEnvelope {
    let ctx = CommandContext::for_request("old-build", Some("c-1"), "r-1").at(at(version as i64));
    let placeholder = ParcelEvent::ParcelRegistered { label: "x".into() };
    let mut envelope = EventEnvelope::new(
        &StreamId::new(Parcel::TYPE, ID),
        version,
        &placeholder,
        &ctx,
    )
    .unwrap();
    envelope.event_type = event_type.into();
    envelope.schema_version = schema_version;
    envelope.data = data;
    envelope
}

async fn parcel_projector(h: &Harness) -> Projector<ParcelView> {
    let name = unique_name("parcels");
    create_view_table(&h.client, &name, ParcelView::KEY, &[])
        .await
        .expect("view table");
    Projector::new(ViewTable::new(h.client.clone(), name), h.store.clone())
}

#[tokio::test]
async fn a_version_1_event_is_upcast_for_the_store_the_command_and_the_view() {
    let h = Harness::start().await;
    let old = [
        stored(1, "ParcelRegistered", 1, json!({"label": "books"})),
        stored(2, "ParcelWeighed", 1, json!({"weight_kg": 1.25})),
    ];
    h.append(&old).await;

    // The store's load folds the upcast event.
    let loaded = h.store.load::<Parcel>(ID).await.unwrap();
    assert_eq!(loaded.version, 2);
    assert_eq!(loaded.state.weights_grams, vec![1250]);

    // Read back as stored (version 1), decoded at version 2.
    let events = h
        .store
        .read_stream(&StreamId::new(Parcel::TYPE, ID), 1, None)
        .await
        .unwrap();
    assert_eq!(
        events[1].schema_version, 1,
        "the stored event is not rewritten"
    );
    assert_eq!(
        events[1].decode::<ParcelEvent>().unwrap(),
        ParcelEvent::ParcelWeighed {
            weight_grams: 1250,
            scale: UNRECORDED_SCALE.into()
        }
    );

    // A command decides on the upcast state (1250 g again is refused) and appends at v2.
    let commands = CommandHandler::new(h.store.clone());
    let ctx = CommandContext::for_request("test", Some("c-2"), "r-2").at(at(10));
    let refused = commands
        .execute::<Parcel>(ID, &Weigh { weight_grams: 1250 }, Expected::Any, &ctx)
        .await;
    assert!(refused.is_err(), "the upcast weight was not seen");
    let outcome = commands
        .execute::<Parcel>(ID, &Weigh { weight_grams: 1300 }, Expected::Any, &ctx)
        .await
        .unwrap();
    assert_eq!(outcome.version, 3);
    assert_eq!(outcome.events[0].schema_version, 2);

    // The view, fed the newest event only, fills the gap from the store and reads both
    // shapes through the same decoding.
    let projector = parcel_projector(&h).await;
    assert_eq!(
        projector.project(&outcome.events[0]).await.unwrap(),
        Projected::Applied { from: 1, to: 3 }
    );
    let view = projector.table().get(ID).await.unwrap().unwrap();
    assert_eq!(view.label, "books");
    assert_eq!(
        view.weighings,
        ["1250 g on unrecorded", "1300 g on scale-2"]
    );
    assert_eq!(view.version, 3);
}

#[tokio::test]
async fn an_event_no_upcaster_reaches_fails_the_load_and_the_projection() {
    let h = Harness::start().await;
    let registered = stored(1, "ParcelRegistered", 1, json!({"label": "books"}));
    // Written by a newer build, at a version this one does not know.
    let newer = stored(
        2,
        "ParcelWeighed",
        3,
        json!({"weight_grams": 5, "scale": "s", "unit": "g"}),
    );
    h.append(&[registered.clone(), newer.clone()]).await;

    let error = h.store.load::<Parcel>(ID).await.unwrap_err();
    assert!(matches!(error, StoreError::Corrupt(_)), "{error}");
    assert!(error.to_string().contains("schema version 3"), "{error}");

    let projector = parcel_projector(&h).await;
    projector.project(&registered).await.unwrap();
    let error = projector.project(&newer).await.unwrap_err();
    assert!(
        matches!(&error, ProjectionError::Undecodable { version: 2, reason, .. }
            if reason.contains("schema version 3")),
        "{error}"
    );
    let view = projector.table().get(ID).await.unwrap().unwrap();
    assert_eq!(view.version, 1, "the view did not move past it");
}
