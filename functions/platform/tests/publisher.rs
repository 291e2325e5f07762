//! The publisher against EventBridge and SQS as moto serves them: stream records of a real
//! event table in, EventBridge events out on a queue that a rule of the bus targets.

use aws_sdk_dynamodb::types::AttributeValue;
use aws_sdk_eventbridge::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_eventbridge::types::Target;
use aws_sdk_sqs::types::QueueAttributeName;
use es_core::testing::PlainSealer;
use es_core::{CommandContext, EventEnvelope, StreamId, UniqueClaim};
use event_consumer::{service_for, stream_records};
use event_store::{schema, AppendBatch, Claim, EventStore, Tables};
use platform_functions::publisher::Publisher;
use serde_json::{json, Value};
use std::collections::HashMap;
use test_support::{unique_name, Moto};
use traffic_domain::{
    InfractionEvent, Location, OwnerEvent, Plate, RadarEvent, RadarStatus, VehicleEvent,
    VehicleType, NATIONAL_ID_SCOPE,
};
use uuid::Uuid;

const SERVICES: [&str; 3] = [
    "radar-service",
    "registration-service",
    "infraction-service",
];

struct Harness {
    _moto: Moto,
    store: EventStore,
    events_table: String,
    eventbridge: aws_sdk_eventbridge::Client,
    sqs: aws_sdk_sqs::Client,
    bus: String,
    queue_url: String,
}

async fn harness() -> Harness {
    let moto = Moto::start();
    let dynamodb = moto.dynamodb();
    let tables = Tables {
        events: unique_name("events"),
    };
    schema::create_event_table(&dynamodb, &tables.events)
        .await
        .unwrap();
    let credentials = Credentials::new("test", "test", None, None, "moto");
    let eventbridge = aws_sdk_eventbridge::Client::from_conf(
        aws_sdk_eventbridge::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new("us-east-1"))
            .credentials_provider(credentials.clone())
            .endpoint_url(moto.endpoint())
            .build(),
    );
    let sqs = aws_sdk_sqs::Client::from_conf(
        aws_sdk_sqs::Config::builder()
            .behavior_version(aws_sdk_sqs::config::BehaviorVersion::latest())
            .region(aws_sdk_sqs::config::Region::new("us-east-1"))
            .credentials_provider(credentials)
            .endpoint_url(moto.endpoint())
            .build(),
    );

    // The bus, a queue, and a rule sending every service's events to the queue.
    let bus = unique_name("traffic");
    eventbridge
        .create_event_bus()
        .name(&bus)
        .send()
        .await
        .unwrap();
    let queue_url = sqs
        .create_queue()
        .queue_name(unique_name("events-queue"))
        .send()
        .await
        .unwrap()
        .queue_url
        .unwrap();
    let queue_arn = sqs
        .get_queue_attributes()
        .queue_url(&queue_url)
        .attribute_names(QueueAttributeName::QueueArn)
        .send()
        .await
        .unwrap()
        .attributes
        .unwrap()[&QueueAttributeName::QueueArn]
        .clone();
    eventbridge
        .put_rule()
        .name("all-services")
        .event_bus_name(&bus)
        .event_pattern(json!({ "source": SERVICES }).to_string())
        .send()
        .await
        .unwrap();
    eventbridge
        .put_targets()
        .rule("all-services")
        .event_bus_name(&bus)
        .targets(
            Target::builder()
                .id("queue")
                .arn(queue_arn)
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();

    Harness {
        store: EventStore::new(dynamodb, tables.clone()),
        events_table: tables.events,
        _moto: moto,
        eventbridge,
        sqs,
        bus,
        queue_url,
    }
}

fn ctx(second: u32) -> CommandContext {
    let now = es_core::time::parse(&format!("2026-11-22T10:15:{second:02}.123Z")).unwrap();
    CommandContext::for_request("test", Some("corr-1"), "request-1").at(now)
}

fn envelope<E: es_core::DomainEvent>(
    aggregate_type: &str,
    id: &str,
    version: u64,
    event: E,
) -> EventEnvelope {
    let stream = StreamId::new(aggregate_type, id);
    EventEnvelope::new(&stream, version, &event, &ctx(version as u32)).unwrap()
}

/// Events of every service, in the order they are appended (13 of them: two chunks).
fn traffic_events() -> Vec<EventEnvelope> {
    let radar = Uuid::new_v4();
    let owner = Uuid::new_v4();
    let infraction = Uuid::new_v4();
    let plate = Plate::parse("AB123CD").unwrap();
    let mut events = vec![envelope(
        "radar",
        &radar.to_string(),
        1,
        RadarEvent::RadarInstalled {
            radar_id: radar,
            name: "A7 km 12".into(),
            road: "A7".into(),
            latitude: 45.1,
            longitude: 4.8,
            altitude_m: Some(152.5),
            max_speed_kmh: 110,
            status: RadarStatus::Active,
        },
    )];
    for version in 2..=5 {
        let (status, previous_status) = if version % 2 == 0 {
            (RadarStatus::Off, RadarStatus::Active)
        } else {
            (RadarStatus::Active, RadarStatus::Off)
        };
        events.push(envelope(
            "radar",
            &radar.to_string(),
            version,
            RadarEvent::RadarStatusChanged {
                status,
                previous_status,
            },
        ));
    }
    events.push(envelope(
        "owner",
        &owner.to_string(),
        1,
        OwnerEvent::OwnerRegistered {
            owner_id: owner,
            name: PlainSealer::sealed("Ada"),
            birth_date: PlainSealer::sealed("1990-12-10"),
            email: PlainSealer::sealed("ada@example.com"),
            phone: None,
            address: Some(PlainSealer::sealed("1 rue de la Paix")),
            national_id: PlainSealer::sealed("NID-1"),
            national_id_fingerprint: "fp:owner.national_id:NID-1".into(),
        },
    ));
    events.push(envelope(
        "vehicle",
        plate.as_str(),
        1,
        VehicleEvent::VehicleRegistered {
            plate: plate.clone(),
            owner_id: owner,
            vehicle_type: VehicleType::Car,
            brand: "Renault".into(),
            model: "Clio".into(),
            fiscal_power: 5,
        },
    ));
    events.push(envelope(
        "vehicle",
        plate.as_str(),
        2,
        VehicleEvent::VehicleDetailsChanged {
            vehicle_type: None,
            brand: None,
            model: Some("Clio V".into()),
            fiscal_power: None,
        },
    ));
    events.push(envelope(
        "infraction",
        &infraction.to_string(),
        1,
        InfractionEvent::InfractionPendingOwner {
            infraction_id: infraction,
            detection_id: Uuid::new_v4(),
            radar_id: radar,
            plate: plate.clone(),
            speed_kmh: 135,
            max_speed_kmh: 110,
            excess_kmh: 25,
            fine_amount: 1000,
            detected_at: ctx(0).now,
            location: Location {
                latitude: 45.1,
                longitude: 4.8,
                road: "A7".into(),
            },
        },
    ));
    events.push(envelope(
        "infraction",
        &infraction.to_string(),
        2,
        InfractionEvent::InfractionOwnerAssigned { owner_id: owner },
    ));
    for version in 1..=3 {
        events.push(envelope(
            "radar",
            &format!("r2-{version}"),
            1,
            RadarEvent::RadarSpeedLimitChanged {
                max_speed_kmh: 90,
                previous_max_speed_kmh: 110,
            },
        ));
    }
    events
}

/// DynamoDB JSON of an item of the event table (strings and numbers only).
fn dynamo_json(item: &HashMap<String, AttributeValue>) -> Value {
    item.iter()
        .map(|(name, value)| {
            let value = match value {
                AttributeValue::S(s) => json!({ "S": s }),
                AttributeValue::N(n) => json!({ "N": n }),
                other => panic!("unexpected attribute {name}: {other:?}"),
            };
            (name.clone(), value)
        })
        .collect::<serde_json::Map<_, _>>()
        .into()
}

/// One stream record as Lambda delivers it.
fn stream_record(
    event_name: &str,
    item: &HashMap<String, AttributeValue>,
    sequence: usize,
) -> Value {
    let image = dynamo_json(item);
    json!({
        "eventID": format!("event-{sequence}"),
        "eventName": event_name,
        "eventVersion": "1.1",
        "eventSource": "aws:dynamodb",
        "awsRegion": "us-east-1",
        "eventSourceARN": "arn:aws:dynamodb:us-east-1:123456789012:table/events/stream/2026",
        "dynamodb": {
            "ApproximateCreationDateTime": 1_795_000_000.0,
            "Keys": {"stream_id": image["stream_id"], "version": image["version"]},
            "NewImage": image,
            "SequenceNumber": sequence_number(sequence),
            "SizeBytes": 512,
            "StreamViewType": "NEW_IMAGE"
        }
    })
}

fn sequence_number(i: usize) -> String {
    format!("{:021}", 4_000_000 + i * 100)
}

impl Harness {
    /// Appends the events (the owner's with its uniqueness guard) and returns the records
    /// the table's stream would carry: every item in append order, the guard right after its
    /// event, and a MODIFY of the first event at the end.
    async fn append_and_stream(&self, events: &[EventEnvelope]) -> Vec<Value> {
        for event in events {
            let mut batch = AppendBatch::new(vec![event.clone()]);
            if event.event_type == "OwnerRegistered" {
                batch = batch.with_claims(vec![Claim {
                    claim: UniqueClaim {
                        scope: NATIONAL_ID_SCOPE,
                        value: "fp:owner.national_id:NID-1".into(),
                    },
                    by: event.stream_id(),
                }]);
            }
            self.store.append(&batch).await.unwrap();
        }
        let items = self
            .store
            .client()
            .scan()
            .table_name(&self.events_table)
            .send()
            .await
            .unwrap()
            .items
            .unwrap();
        let key =
            |item: &HashMap<String, AttributeValue>| match (&item["stream_id"], &item["version"]) {
                (AttributeValue::S(s), AttributeValue::N(v)) => (s.clone(), v.clone()),
                other => panic!("bad key {other:?}"),
            };
        let by_key: HashMap<(String, String), HashMap<String, AttributeValue>> =
            items.iter().map(|i| (key(i), i.clone())).collect();
        let guard = items
            .iter()
            .find(|i| key(i).0.starts_with(schema::GUARD_PREFIX))
            .expect("the owner's guard item");
        let mut records = Vec::new();
        for event in events {
            let item = &by_key[&(event.stream_id().key(), event.version.to_string())];
            records.push(stream_record("INSERT", item, records.len()));
            if event.event_type == "OwnerRegistered" {
                records.push(stream_record("INSERT", guard, records.len()));
            }
        }
        let first = &by_key[&(events[0].stream_id().key(), "1".to_owned())];
        records.push(stream_record("MODIFY", first, records.len()));
        records
    }

    /// Every EventBridge event the queue received, waiting until `expected` came (or a
    /// deadline passed, then a little longer to catch extra ones).
    async fn received(&self, expected: usize) -> Vec<Value> {
        let mut bodies = Vec::new();
        let mut empty_polls = 0;
        while empty_polls < 3 && (bodies.len() < expected || empty_polls < 1) {
            let messages = self
                .sqs
                .receive_message()
                .queue_url(&self.queue_url)
                .max_number_of_messages(10)
                .wait_time_seconds(1)
                .send()
                .await
                .unwrap()
                .messages
                .unwrap_or_default();
            if messages.is_empty() {
                empty_polls += 1;
            }
            for message in messages {
                bodies.push(serde_json::from_str(message.body().unwrap()).unwrap());
                self.sqs
                    .delete_message()
                    .queue_url(&self.queue_url)
                    .receipt_handle(message.receipt_handle().unwrap())
                    .send()
                    .await
                    .unwrap();
            }
        }
        bodies
    }
}

fn lambda_event(records: Vec<Value>) -> aws_lambda_events::dynamodb::Event {
    serde_json::from_value(json!({ "Records": records })).expect("a DynamoDB stream event")
}

/// Checks that `received` holds exactly `expected`, each as EventBridge events that a
/// consumer reads back unchanged.
fn assert_delivered(received: &[Value], expected: &[EventEnvelope]) {
    let mut by_id: HashMap<String, &Value> = HashMap::new();
    for event in received {
        let id = event["detail"]["event_id"].as_str().unwrap().to_owned();
        assert!(by_id.insert(id, event).is_none(), "delivered once each");
    }
    assert_eq!(by_id.len(), expected.len());
    for envelope in expected {
        let event = by_id[&envelope.event_id.to_string()];
        assert_eq!(event["source"], service_for(&envelope.aggregate_type));
        assert_eq!(event["detail-type"], envelope.event_type.as_str());
        assert_eq!(event["detail"], serde_json::to_value(envelope).unwrap());
        // What an SQS consumer parses is the envelope that was stored.
        let parsed = event_consumer::envelope_from_sqs_body(&event.to_string()).unwrap();
        assert_eq!(&parsed, envelope);
    }
}

#[tokio::test]
async fn a_stream_batch_reaches_the_queue_as_eventbridge_events() {
    let h = harness().await;
    let events = traffic_events();
    assert_eq!(events.len(), 13);
    let records = h.append_and_stream(&events).await;
    assert_eq!(records.len(), 15, "13 events, a guard and a MODIFY");

    let publisher = Publisher::new(h.eventbridge.clone(), &h.bus);
    let stream = stream_records(&lambda_event(records));
    assert_eq!(stream.len(), 13, "the guard and the MODIFY are not events");
    assert_eq!(publisher.publish(&stream).await, None);

    let received = h.received(events.len()).await;
    assert_delivered(&received, &events);
    let sources: Vec<&str> = received
        .iter()
        .filter_map(|e| e["source"].as_str())
        .collect();
    for service in SERVICES {
        assert!(sources.contains(&service), "{service} published");
    }
}

#[tokio::test]
async fn publishing_stops_at_the_first_unreadable_record() {
    let h = harness().await;
    let events = traffic_events();
    let mut records = h.append_and_stream(&events).await;
    // Records 0..=5 are events, 6 is the guard; break the event at position 12 (the 12th
    // event): 11 events are published, in two calls, and nothing after it.
    records[12]["dynamodb"]["NewImage"]["data"] = json!({"S": "{not json"});
    let publisher = Publisher::new(h.eventbridge.clone(), &h.bus);
    let stream = stream_records(&lambda_event(records));

    assert_eq!(
        publisher.publish(&stream).await,
        Some(sequence_number(12)),
        "the stream resumes from the broken record"
    );
    let received = h.received(11).await;
    assert_delivered(&received, &events[..11]);
}

#[tokio::test]
async fn a_failed_put_events_reports_the_first_record_of_the_call() {
    let h = harness().await;
    let events = traffic_events();
    let records = h.append_and_stream(&events).await;
    let stream = stream_records(&lambda_event(records));
    let publisher = Publisher::new(h.eventbridge.clone(), "no-such-bus");

    assert_eq!(publisher.publish(&stream).await, Some(sequence_number(0)));
    assert!(h.received(0).await.is_empty());
}
