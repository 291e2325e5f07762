//! The infraction policy against DynamoDB (moto): the real event store tables and a plate
//! owners table.

use chrono::{DateTime, Utc};
use es_core::{CommandContext, EventEnvelope, StreamId};
use event_consumer::Step;
use event_store::EventStore;
use infraction_functions::policy::{InfractionPolicy, PolicyOutcome};
use std::time::Duration;
use test_support::{unique_name, EventStoreFixture};
use traffic_domain::{
    infraction_id_for, Infraction, InfractionStatus, OverspeedDetection, Plate, RadarEvent,
    VehicleEvent, VehicleType,
};
use traffic_views::PlateOwners;
use uuid::Uuid;

/// The `source` the policy stamps on the events it appends: its function's name.
const SOURCE: &str = "infraction-policy";

struct Harness {
    _fixture: EventStoreFixture,
    store: EventStore,
    policy: InfractionPolicy,
}

async fn harness() -> Harness {
    let fixture = EventStoreFixture::start().await;
    let plates = unique_name("plate-owners");
    projection::create_view_table(&fixture.client, &plates, PlateOwners::PLATE, &[])
        .await
        .unwrap();
    let commands = Step::new(fixture.commands(), SOURCE);
    Harness {
        store: fixture.store.clone(),
        policy: InfractionPolicy::new(commands, fixture.client.clone(), plates),
        _fixture: fixture,
    }
}

fn at(text: &str) -> DateTime<Utc> {
    es_core::time::parse(text).unwrap()
}

fn alice() -> Uuid {
    Uuid::from_u128(0xA11CE)
}

fn bob() -> Uuid {
    Uuid::from_u128(0xB0B)
}

fn ctx(correlation: &str, now: &str) -> CommandContext {
    CommandContext::for_request("test", Some(correlation), "request").at(at(now))
}

/// `OverspeedDetected` of `plate` at `detected_at`: 135 km/h where 110 is allowed.
fn detected(plate: &str, detected_at: &str) -> EventEnvelope {
    let detection_id = Uuid::new_v4();
    let radar_id = Uuid::new_v4();
    let event = RadarEvent::OverspeedDetected(OverspeedDetection {
        detection_id,
        infraction_id: infraction_id_for(detection_id),
        radar_id,
        plate: Plate::parse(plate).unwrap(),
        speed_kmh: 135,
        max_speed_kmh: 110,
        excess_kmh: 25,
        detected_at: at(detected_at),
        latitude: 45.1,
        longitude: 4.8,
        road: "A7".into(),
    });
    let stream = StreamId::new("radar", radar_id.to_string());
    EventEnvelope::new(&stream, 2, &event, &ctx("corr-detection", detected_at)).unwrap()
}

fn registered(plate: &str, owner: Uuid, occurred_at: &str) -> EventEnvelope {
    let event = VehicleEvent::VehicleRegistered {
        plate: Plate::parse(plate).unwrap(),
        owner_id: owner,
        vehicle_type: VehicleType::Car,
        brand: "Renault".into(),
        model: "Clio".into(),
        fiscal_power: 5,
    };
    let stream = StreamId::new("vehicle", plate);
    EventEnvelope::new(&stream, 1, &event, &ctx("corr-registration", occurred_at)).unwrap()
}

fn transferred(plate: &str, from: Uuid, to: Uuid, occurred_at: &str) -> EventEnvelope {
    let event = VehicleEvent::VehicleOwnershipTransferred {
        plate: Plate::parse(plate).unwrap(),
        previous_owner_id: from,
        owner_id: to,
    };
    let stream = StreamId::new("vehicle", plate);
    EventEnvelope::new(&stream, 2, &event, &ctx("corr-transfer", occurred_at)).unwrap()
}

fn infraction_id(detection: &EventEnvelope) -> Uuid {
    match detection.decode::<RadarEvent>().unwrap() {
        RadarEvent::OverspeedDetected(d) => d.infraction_id,
        other => panic!("not a detection: {other:?}"),
    }
}

impl Harness {
    async fn infraction(&self, detection: &EventEnvelope) -> Infraction {
        self.store
            .load::<Infraction>(&infraction_id(detection).to_string())
            .await
            .unwrap()
            .state
    }

    async fn events_of(&self, detection: &EventEnvelope) -> Vec<EventEnvelope> {
        let stream = StreamId::new("infraction", infraction_id(detection).to_string());
        self.store.read_stream(&stream, 1, None).await.unwrap()
    }

    async fn event_types(&self, detection: &EventEnvelope) -> Vec<String> {
        self.events_of(detection)
            .await
            .into_iter()
            .map(|e| e.event_type)
            .collect()
    }

    async fn handle(&self, envelope: &EventEnvelope) -> PolicyOutcome {
        self.policy.handle(envelope).await.unwrap()
    }

    /// The policy's record of `plate`: its owners over time and the detections pending.
    async fn plate(&self, plate: &str) -> PlateOwners {
        self.policy.read_plate(plate).await.unwrap()
    }
}

#[tokio::test]
async fn a_known_owner_gets_an_issued_infraction_with_the_right_fine() {
    let h = harness().await;
    let registration = registered("AB123CD", alice(), "2026-01-01T00:00:00Z");
    h.handle(&registration).await;
    let detection = detected("ab-123-cd", "2026-03-01T08:00:00.250Z");

    let outcome = h.handle(&detection).await;
    assert_eq!(
        outcome,
        PolicyOutcome::Issued {
            infraction_id: infraction_id(&detection),
            owner: alice()
        }
    );
    let infraction = h.infraction(&detection).await;
    assert_eq!(infraction.status, InfractionStatus::Issued);
    assert_eq!(infraction.owner_id, Some(alice()));
    assert_eq!(infraction.excess_kmh, 25);
    assert_eq!(infraction.fine_amount, 1000, "21-50 km/h over: 1000");
    assert_eq!(infraction.detected_at, at("2026-03-01T08:00:00.250Z"));
    assert_eq!(infraction.plate.unwrap().as_str(), "AB123CD");

    let events = h.events_of(&detection).await;
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].event_type, "InfractionIssued");
    // The correlation flows on from the detection, which caused the event.
    assert_eq!(events[0].correlation_id, "corr-detection");
    assert_eq!(events[0].causation_id, detection.event_id.to_string());
    assert_eq!(events[0].source, SOURCE);
}

#[tokio::test]
async fn an_unknown_plate_is_pending_until_it_is_registered() {
    let h = harness().await;
    let detection = detected("XY999", "2026-03-01T08:00:00Z");
    let id = infraction_id(&detection);

    assert_eq!(
        h.handle(&detection).await,
        PolicyOutcome::Pending { infraction_id: id }
    );
    let infraction = h.infraction(&detection).await;
    assert_eq!(infraction.status, InfractionStatus::PendingOwner);
    assert_eq!(infraction.owner_id, None);
    assert_eq!(infraction.fine_amount, 1000);
    let plate = h.plate("XY999").await;
    assert_eq!(plate.pending.iter().copied().collect::<Vec<_>>(), vec![id]);
    assert!(plate.history.is_empty());

    // Registered later (after the detection): the first owner is charged.
    let registration = registered("XY999", alice(), "2026-05-01T00:00:00Z");
    assert_eq!(
        h.handle(&registration).await,
        PolicyOutcome::OwnerRecorded {
            plate: "XY999".into(),
            assigned: 1
        }
    );
    let infraction = h.infraction(&detection).await;
    assert_eq!(infraction.status, InfractionStatus::Issued);
    assert_eq!(infraction.owner_id, Some(alice()));
    let events = h.events_of(&detection).await;
    let types: Vec<&str> = events.iter().map(|e| e.event_type.as_str()).collect();
    assert_eq!(types, ["InfractionPendingOwner", "InfractionOwnerAssigned"]);
    assert_eq!(events[1].correlation_id, "corr-registration");
    assert_eq!(events[1].causation_id, registration.event_id.to_string());

    let plate = h.plate("XY999").await;
    assert!(plate.pending.is_empty(), "the pending set is emptied");
    assert_eq!(plate.history.current_owner(), Some(alice()));

    // Redelivering either event changes nothing.
    h.handle(&registration).await;
    h.handle(&detection).await;
    assert_eq!(h.events_of(&detection).await.len(), 2);
    assert!(h.plate("XY999").await.pending.is_empty());
}

#[tokio::test]
async fn the_same_detection_twice_opens_one_infraction() {
    let h = harness().await;
    // Plate known.
    h.handle(&registered("KNOWN1", alice(), "2026-01-01T00:00:00Z"))
        .await;
    let known = detected("KNOWN1", "2026-03-01T08:00:00Z");
    h.handle(&known).await;
    h.handle(&known).await;
    assert_eq!(h.event_types(&known).await, ["InfractionIssued"]);

    // Plate unknown: one infraction, pending once.
    let unknown = detected("UNKNOWN1", "2026-03-01T08:00:00Z");
    h.handle(&unknown).await;
    h.handle(&unknown).await;
    assert_eq!(h.event_types(&unknown).await, ["InfractionPendingOwner"]);
    assert_eq!(h.plate("UNKNOWN1").await.pending.len(), 1);

    // Concurrent redeliveries too.
    let racing = detected("KNOWN1", "2026-03-02T08:00:00Z");
    let copies = (0..4).map(|_| {
        let policy = h.policy.clone();
        let envelope = racing.clone();
        tokio::spawn(async move { policy.handle(&envelope).await.unwrap() })
    });
    for copy in futures::future::join_all(copies).await {
        copy.unwrap();
    }
    assert_eq!(h.event_types(&racing).await, ["InfractionIssued"]);
}

/// Handles `first` then `second`, or both at once, each maybe delivered twice.
async fn race(h: &Harness, envelopes: Vec<EventEnvelope>, concurrent: bool) {
    if concurrent {
        let tasks = envelopes.into_iter().enumerate().map(|(i, envelope)| {
            let policy = h.policy.clone();
            tokio::spawn(async move {
                // Stagger the starts a little, differently each time.
                tokio::time::sleep(Duration::from_millis(stagger_ms(i))).await;
                policy.handle(&envelope).await.unwrap()
            })
        });
        for task in futures::future::join_all(tasks).await {
            task.unwrap();
        }
    } else {
        for envelope in &envelopes {
            h.policy.handle(envelope).await.unwrap();
        }
    }
}

fn stagger_ms(i: usize) -> u64 {
    (Uuid::new_v4().as_bytes()[0] as u64 + i as u64) % 6
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn detection_and_registration_in_any_order_end_issued() {
    let h = harness().await;
    let mut cases = Vec::new();
    for round in 0..30 {
        let plate = format!("RACE{round:02}");
        let detection = detected(&plate, "2026-03-01T08:00:00Z");
        let registration = registered(&plate, alice(), "2026-02-01T00:00:00Z");
        let (envelopes, concurrent) = match round {
            0 => (vec![registration, detection.clone()], false),
            1 => (vec![detection.clone(), registration], false),
            // Both at once, some delivered twice.
            n => {
                let mut envelopes = vec![detection.clone(), registration.clone()];
                if n % 2 == 0 {
                    envelopes.push(registration);
                }
                if n % 3 == 0 {
                    envelopes.push(detection.clone());
                }
                (envelopes, true)
            }
        };
        race(&h, envelopes, concurrent).await;
        cases.push((round, plate, detection));
    }
    for (round, plate, detection) in cases {
        let infraction = h.infraction(&detection).await;
        assert_eq!(infraction.status, InfractionStatus::Issued, "round {round}");
        assert_eq!(infraction.owner_id, Some(alice()), "round {round}");
        let types = h.event_types(&detection).await;
        assert!(
            types == ["InfractionIssued"]
                || types == ["InfractionPendingOwner", "InfractionOwnerAssigned"],
            "round {round}: {types:?}"
        );
        let record = h.plate(&plate).await;
        assert!(
            record.pending.is_empty(),
            "round {round}: nothing left pending"
        );
    }
}

#[tokio::test]
async fn the_owner_at_the_time_of_the_detection_is_charged() {
    let h = harness().await;
    h.handle(&registered("SOLD1", alice(), "2026-01-01T00:00:00Z"))
        .await;
    let before_sale = detected("SOLD1", "2026-03-01T00:00:00Z");
    let after_sale = detected("SOLD1", "2026-07-01T00:00:00Z");
    h.handle(&after_sale).await;
    h.handle(&transferred(
        "SOLD1",
        alice(),
        bob(),
        "2026-06-01T00:00:00Z",
    ))
    .await;
    // Processed after the transfer, yet detected before it: still the old owner.
    h.handle(&before_sale).await;
    let late = detected("SOLD1", "2026-08-01T00:00:00Z");
    h.handle(&late).await;

    assert_eq!(h.infraction(&before_sale).await.owner_id, Some(alice()));
    assert_eq!(h.infraction(&late).await.owner_id, Some(bob()));
    // Detected after the sale but processed before the policy heard of it: it went to the
    // owner known then, and an issued infraction is never re-assigned.
    assert_eq!(h.infraction(&after_sale).await.owner_id, Some(alice()));

    let history = h.plate("SOLD1").await.history;
    assert_eq!(history.entries().len(), 2);
    assert_eq!(history.owner_at(at("2026-06-01T00:00:00Z")), Some(bob()));
}

/// Documents a limit of any policy that learns ownership from events in no guaranteed order:
/// pending infractions are assigned with the history known when the plate is first heard of.
#[tokio::test]
async fn pending_infractions_go_to_the_owners_known_when_the_plate_is_first_heard_of() {
    let h = harness().await;
    let early = detected("LATE1", "2026-01-15T00:00:00Z");
    let later = detected("LATE1", "2026-09-01T00:00:00Z");
    h.handle(&early).await;
    h.handle(&later).await;
    assert_eq!(h.plate("LATE1").await.pending.len(), 2);

    // The transfer is delivered before the registration.
    let registration = registered("LATE1", alice(), "2026-02-01T00:00:00Z");
    let transfer = transferred("LATE1", alice(), bob(), "2026-06-01T00:00:00Z");
    let mut both = h.plate("LATE1").await.history;
    both.record(registration.occurred_at, alice());
    both.record(transfer.occurred_at, bob());
    // The history the policy ends with, fed in either order, is the same.
    h.handle(&transfer).await;
    h.handle(&registration).await;
    assert_eq!(h.plate("LATE1").await.history, both);
    // The transfer was heard of first: both pending infractions went to its owner, bob (the
    // first owner known for a detection before any known ownership).
    assert_eq!(h.infraction(&early).await.owner_id, Some(bob()));
    assert_eq!(h.infraction(&later).await.owner_id, Some(bob()));
    assert!(h.plate("LATE1").await.pending.is_empty());
}

#[tokio::test]
async fn a_plate_registered_after_its_detections_is_charged_to_its_first_owner() {
    let h = harness().await;
    let early = detected("LATE2", "2026-01-15T00:00:00Z");
    let later = detected("LATE2", "2026-09-01T00:00:00Z");
    h.handle(&early).await;
    h.handle(&later).await;
    h.handle(&registered("LATE2", alice(), "2026-02-01T00:00:00Z"))
        .await;
    // Registered after both detections: both go to the first owner.
    assert_eq!(h.infraction(&early).await.owner_id, Some(alice()));
    assert_eq!(h.infraction(&later).await.owner_id, Some(alice()));
}

#[tokio::test]
async fn other_events_are_ignored() {
    let h = harness().await;
    let details = VehicleEvent::VehicleDetailsChanged {
        vehicle_type: None,
        brand: Some("Dacia".into()),
        model: None,
        fiscal_power: None,
    };
    let stream = StreamId::new("vehicle", "AB123CD");
    let details =
        EventEnvelope::new(&stream, 2, &details, &ctx("c", "2026-01-01T00:00:00Z")).unwrap();
    assert_eq!(h.handle(&details).await, PolicyOutcome::Ignored);
    let mut other = detected("AB123CD", "2026-01-01T00:00:00Z");
    other.event_type = "RadarStatusChanged".into();
    assert_eq!(h.handle(&other).await, PolicyOutcome::Ignored);
    assert!(h.plate("AB123CD").await.history.is_empty());
}
