//! The traffic views in their contract tables (moto): the secondary indexes see what the
//! query functions ask them.

use es_core::{CommandContext, DomainEvent, EventEnvelope, StreamId};
use event_store::{schema, EventStore, Tables};
use projection::{create_view_table, Index, Projector, View, ViewTable};
use test_support::{unique_name, Moto};
use traffic_domain::{
    InfractionEvent, InfractionStatus, Location, Plate, VehicleEvent, VehicleType,
};
use traffic_views::tables::{
    INFRACTIONS_BY_OWNER, INFRACTIONS_BY_PLATE, INFRACTIONS_BY_RADAR, INFRACTIONS_BY_STATUS,
    INFRACTION_INDEXES, VEHICLES_BY_OWNER, VEHICLE_INDEXES,
};
use traffic_views::{InfractionView, VehicleView};
use uuid::Uuid;

/// A projector of `V` on fresh tables (the view's with `indexes`) of a moto started for the
/// test, which the test keeps alive with it.
async fn projector<V: View>(indexes: &[Index]) -> (Moto, Projector<V>) {
    let moto = Moto::start();
    let client = moto.dynamodb();
    let tables = Tables {
        events: unique_name("events"),
    };
    schema::create_event_table(&client, &tables.events)
        .await
        .unwrap();
    let name = unique_name(V::AGGREGATE_TYPE);
    create_view_table(&client, &name, V::KEY, indexes)
        .await
        .unwrap();
    let projector = Projector::new(
        ViewTable::new(client.clone(), name),
        EventStore::new(client, tables),
    );
    (moto, projector)
}

fn envelope<E: DomainEvent>(kind: &str, id: &str, version: u64, event: &E) -> EventEnvelope {
    let now = es_core::time::parse(&format!("2026-05-01T00:00:{version:02}Z")).unwrap();
    let ctx = CommandContext::for_request("test", None, "r").at(now);
    EventEnvelope::new(&StreamId::new(kind, id), version, event, &ctx).unwrap()
}

fn pending(id: Uuid, plate: &str, radar: Uuid, detected_at: &str) -> InfractionEvent {
    InfractionEvent::InfractionPendingOwner {
        infraction_id: id,
        detection_id: Uuid::new_v4(),
        radar_id: radar,
        plate: Plate::parse(plate).unwrap(),
        speed_kmh: 120,
        max_speed_kmh: 110,
        excess_kmh: 10,
        fine_amount: 150,
        detected_at: es_core::time::parse(detected_at).unwrap(),
        location: Location {
            latitude: 1.0,
            longitude: 2.0,
            road: "N7".into(),
        },
    }
}

/// Projects `event` as version `version` of stream `kind`/`id`; it must succeed.
async fn project<V: View, E: DomainEvent>(
    projector: &Projector<V>,
    (kind, id): (&str, &str),
    version: u64,
    event: &E,
) {
    projector
        .project(&envelope(kind, id, version, event))
        .await
        .unwrap();
}

/// What `field` reads of each view `index` holds under `value`, in the index's order.
async fn query<V: View, T>(
    table: &ViewTable<V>,
    index: &Index,
    value: &str,
    field: impl Fn(V) -> T,
) -> Vec<T> {
    table
        .query(index, value, &[], 100, None)
        .await
        .unwrap()
        .items
        .into_iter()
        .map(field)
        .collect()
}

async fn ids(table: &ViewTable<InfractionView>, index: &Index, value: &str) -> Vec<Uuid> {
    query(table, index, value, |v| v.infraction.infraction_id.unwrap()).await
}

#[tokio::test]
async fn infractions_enter_the_owner_index_once_they_have_an_owner() {
    let (_moto, projector) = projector::<InfractionView>(INFRACTION_INDEXES).await;
    let table = projector.table();
    let radar = Uuid::new_v4();
    let alice = Uuid::new_v4();
    let first = Uuid::new_v4();
    let second = Uuid::new_v4();

    for (id, detected_at) in [
        (first, "2026-04-01T10:00:00.000Z"),
        (second, "2026-04-02T10:00:00.000Z"),
    ] {
        let event = pending(id, "AB123CD", radar, detected_at);
        project(&projector, ("infraction", &id.to_string()), 1, &event).await;
    }
    assert_eq!(
        ids(table, &INFRACTIONS_BY_STATUS, "PENDING_OWNER").await,
        [second, first]
    );
    assert_eq!(
        ids(table, &INFRACTIONS_BY_PLATE, "AB123CD").await,
        [second, first]
    );
    assert_eq!(
        ids(table, &INFRACTIONS_BY_RADAR, &radar.to_string()).await,
        [second, first]
    );
    assert!(ids(table, &INFRACTIONS_BY_OWNER, &alice.to_string())
        .await
        .is_empty());
    let view = table.get(&first.to_string()).await.unwrap().unwrap();
    assert_eq!(view.infraction.owner_id, None);
    assert_eq!(view.infraction.status, InfractionStatus::PendingOwner);

    let assigned = InfractionEvent::InfractionOwnerAssigned { owner_id: alice };
    project(&projector, ("infraction", &first.to_string()), 2, &assigned).await;
    assert_eq!(
        ids(table, &INFRACTIONS_BY_OWNER, &alice.to_string()).await,
        [first]
    );
    assert_eq!(ids(table, &INFRACTIONS_BY_STATUS, "ISSUED").await, [first]);
    assert_eq!(
        ids(table, &INFRACTIONS_BY_STATUS, "PENDING_OWNER").await,
        [second]
    );

    let view = table.get(&first.to_string()).await.unwrap().unwrap();
    assert_eq!(view.infraction.owner_id, Some(alice));
    assert_eq!(view.version, 2);
    let timeline: Vec<&str> = view
        .timeline
        .iter()
        .map(|t| t.event_type.as_str())
        .collect();
    assert_eq!(
        timeline,
        ["InfractionPendingOwner", "InfractionOwnerAssigned"]
    );
    assert_eq!(
        serde_json::to_value(&view).unwrap()["location"],
        serde_json::json!({"latitude": 1.0, "longitude": 2.0, "road": "N7"})
    );
}

#[tokio::test]
async fn a_transferred_vehicle_moves_to_its_new_owner_in_the_index() {
    let (_moto, projector) = projector::<VehicleView>(VEHICLE_INDEXES).await;
    let table = projector.table();
    let alice = Uuid::new_v4();
    let bob = Uuid::new_v4();
    for plate in ["ZZ1", "AA1"] {
        let registered = VehicleEvent::VehicleRegistered {
            plate: Plate::parse(plate).unwrap(),
            owner_id: alice,
            vehicle_type: VehicleType::Motorcycle,
            brand: "Honda".into(),
            model: "CB".into(),
            fiscal_power: 3,
        };
        project(&projector, ("vehicle", plate), 1, &registered).await;
    }
    let plates = |owner: Uuid| async move {
        query(table, &VEHICLES_BY_OWNER, &owner.to_string(), |v| {
            v.vehicle.plate.unwrap().as_str().to_owned()
        })
        .await
    };
    assert_eq!(plates(alice).await, ["AA1", "ZZ1"], "by plate");

    let transferred = VehicleEvent::VehicleOwnershipTransferred {
        plate: Plate::parse("ZZ1").unwrap(),
        previous_owner_id: alice,
        owner_id: bob,
    };
    project(&projector, ("vehicle", "ZZ1"), 2, &transferred).await;
    assert_eq!(plates(alice).await, ["AA1"]);
    assert_eq!(plates(bob).await, ["ZZ1"]);
    let view = table.get("ZZ1").await.unwrap().unwrap();
    assert_eq!((view.vehicle.owner_id, view.version), (bob, 2));
    assert_eq!(serde_json::to_value(&view).unwrap()["type"], "MOTORCYCLE");
}
