//! The publisher against EventBridge and SQS as moto serves them: stream records of a real
//! event table in, EventBridge events out on a queue that a rule of the bus targets.

use aws_sdk_dynamodb::types::AttributeValue;
use aws_sdk_eventbridge::types::Target;
use aws_sdk_sqs::types::QueueAttributeName;
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::context::BeforeTransmitInterceptorContextMut;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::body::SdkBody;
use aws_smithy_types::config_bag::ConfigBag;
use es_core::testing::PlainSealer;
use es_core::{CommandContext, EventEnvelope, StreamId, UniqueClaim};
use event_consumer::{service_for, stream_records, StreamRecord};
use event_store::{schema, AppendBatch, Claim, EventStore};
use platform_functions::publisher::{DeadLetters, Publisher};
use serde_json::{json, Value};
use std::collections::HashMap;
use test_support::{drain_queue, scan_table, unique_name, EventStoreFixture};
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

/// How long the queues may take to receive what a test expects.
const DEADLINE: std::time::Duration = std::time::Duration::from_secs(10);

struct Harness {
    _fixture: EventStoreFixture,
    store: EventStore,
    events_table: String,
    eventbridge: aws_sdk_eventbridge::Client,
    sqs: aws_sdk_sqs::Client,
    bus: String,
    queue_url: String,
    /// The publisher's dead-letter queue.
    dlq_url: String,
}

/// A queue of its own, named after `prefix`; its URL.
async fn create_queue(sqs: &aws_sdk_sqs::Client, prefix: &str) -> String {
    sqs.create_queue()
        .queue_name(unique_name(prefix))
        .send()
        .await
        .unwrap()
        .queue_url
        .unwrap()
}

async fn harness() -> Harness {
    let fixture = EventStoreFixture::start().await;
    let eventbridge = fixture.moto.eventbridge();
    let sqs = fixture.moto.sqs();

    // The bus, a queue, and a rule sending every service's events to the queue.
    let bus = unique_name("traffic");
    eventbridge
        .create_event_bus()
        .name(&bus)
        .send()
        .await
        .unwrap();
    let queue_url = create_queue(&sqs, "events-queue").await;
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

    let dlq_url = create_queue(&sqs, "publish-events-dlq").await;

    Harness {
        dlq_url,
        store: fixture.store.clone(),
        events_table: fixture.tables.events.clone(),
        _fixture: fixture,
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
    fn publisher(&self, eventbridge: aws_sdk_eventbridge::Client, bus: &str) -> Publisher {
        Publisher::new(
            eventbridge,
            bus,
            DeadLetters::new(self.sqs.clone(), &self.dlq_url),
        )
    }

    /// The dead-letter queue's messages (bodies as JSON, and their `error_code` attribute),
    /// once `expected` came and no more do (or a deadline passed).
    async fn dead_letters(&self, expected: usize) -> Vec<(Value, String)> {
        drain_queue(&self.sqs, &self.dlq_url, expected, DEADLINE)
            .await
            .iter()
            .map(|message| {
                let code = message.message_attributes().unwrap()["error_code"]
                    .string_value()
                    .unwrap()
                    .to_owned();
                (serde_json::from_str(message.body().unwrap()).unwrap(), code)
            })
            .collect()
    }

    /// Appends the [`traffic_events`] and returns them, with the records of the table's
    /// stream as the publisher reads them.
    async fn traffic_stream(&self) -> (Vec<EventEnvelope>, Vec<StreamRecord>) {
        let events = traffic_events();
        let records = self.append_and_stream(&events).await;
        (events, stream_records(&lambda_event(records)))
    }

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
        let items = scan_table(self.store.client(), &self.events_table).await;
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

    /// Every EventBridge event the queue received, once `expected` came and no more do (or a
    /// deadline passed).
    async fn received(&self, expected: usize) -> Vec<Value> {
        drain_queue(&self.sqs, &self.queue_url, expected, DEADLINE)
            .await
            .iter()
            .map(|message| serde_json::from_str(message.body().unwrap()).unwrap())
            .collect()
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

    let publisher = h.publisher(h.eventbridge.clone(), &h.bus);
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
    assert!(h.dead_letters(0).await.is_empty(), "nothing kept aside");
}

/// Makes the bus refuse the entries whose detail names `event_id`, as EventBridge refuses an
/// entry it will not take: their `DetailType` is blanked on the way, and moto answers that
/// entry, alone, with `InvalidArgument`.
#[derive(Debug)]
struct RefuseEvent {
    event_id: String,
}

impl Intercept for RefuseEvent {
    fn name(&self) -> &'static str {
        "RefuseEvent"
    }

    fn modify_before_signing(
        &self,
        context: &mut BeforeTransmitInterceptorContextMut<'_>,
        _components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let request = context.request_mut();
        let Some(bytes) = request.body().bytes() else {
            return Ok(());
        };
        let mut body: Value = serde_json::from_slice(bytes)?;
        for entry in body["Entries"].as_array_mut().into_iter().flatten() {
            if entry["Detail"]
                .as_str()
                .unwrap_or_default()
                .contains(&self.event_id)
            {
                entry["DetailType"] = json!("");
            }
        }
        let bytes = serde_json::to_vec(&body)?;
        request
            .headers_mut()
            .insert("content-length", bytes.len().to_string());
        *request.body_mut() = SdkBody::from(bytes);
        Ok(())
    }
}

#[tokio::test]
async fn an_event_the_bus_refuses_is_kept_whole_and_the_rest_of_its_batch_is_delivered() {
    let h = harness().await;
    let (events, stream) = h.traffic_stream().await;
    let poison = &events[4];
    let refusing = aws_sdk_eventbridge::Client::from_conf(
        h.eventbridge
            .config()
            .to_builder()
            .interceptor(RefuseEvent {
                event_id: poison.event_id.to_string(),
            })
            .build(),
    );
    let publisher = h.publisher(refusing, &h.bus);

    assert_eq!(publisher.publish(&stream).await, None, "the batch is done");
    let others: Vec<EventEnvelope> = events
        .iter()
        .filter(|e| e.event_id != poison.event_id)
        .cloned()
        .collect();
    assert_delivered(&h.received(others.len()).await, &others);
    let kept = h.dead_letters(1).await;
    assert_eq!(kept.len(), 1);
    let (body, code) = &kept[0];
    let envelope: EventEnvelope = serde_json::from_value(body.clone()).unwrap();
    assert_eq!(&envelope, poison, "the whole envelope is kept");
    assert_eq!(code, "InvalidArgument");
}

#[tokio::test]
async fn an_unreadable_record_is_kept_aside_and_the_others_are_published() {
    let h = harness().await;
    let events = traffic_events();
    let mut records = h.append_and_stream(&events).await;
    // Records 0..=5 are events, 6 is the guard: record 12 is the 12th event.
    records[12]["dynamodb"]["NewImage"]["data"] = json!({"S": "{not json"});
    let publisher = h.publisher(h.eventbridge.clone(), &h.bus);
    let stream = stream_records(&lambda_event(records));

    assert_eq!(publisher.publish(&stream).await, None);
    let mut published = events.clone();
    published.remove(11);
    assert_delivered(&h.received(published.len()).await, &published);
    let kept = h.dead_letters(1).await;
    assert_eq!(kept.len(), 1);
    assert_eq!(kept[0].1, "UnreadableRecord");
    assert_eq!(
        kept[0].0["unreadable_record"]["sequence_number"],
        sequence_number(12)
    );
}

#[tokio::test]
async fn failed_calls_are_retried_then_every_event_is_kept() {
    let h = harness().await;
    let (events, stream) = h.traffic_stream().await;
    let publisher = h.publisher(h.eventbridge.clone(), "no-such-bus");

    assert_eq!(publisher.publish(&stream).await, None);
    assert!(h.received(0).await.is_empty());
    let kept = h.dead_letters(events.len()).await;
    let mut ids: Vec<String> = kept
        .iter()
        .map(|(body, code)| {
            assert_eq!(code, "CallFailed");
            body["event_id"].as_str().unwrap().to_owned()
        })
        .collect();
    ids.sort();
    let mut expected: Vec<String> = events.iter().map(|e| e.event_id.to_string()).collect();
    expected.sort();
    assert_eq!(ids, expected, "each event kept once");
}

#[tokio::test]
async fn the_stream_resumes_from_the_first_event_neither_published_nor_kept() {
    let h = harness().await;
    let (_, stream) = h.traffic_stream().await;
    let publisher = Publisher::new(
        h.eventbridge.clone(),
        "no-such-bus",
        DeadLetters::new(h.sqs.clone(), format!("{}-missing", h.dlq_url)),
    );

    assert_eq!(publisher.publish(&stream).await, Some(sequence_number(0)));
}
