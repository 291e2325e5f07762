//! The local cloud against moto (through moto_serial.py): provisioning of the real template,
//! EventBridge routing, the stream and queue pollers with a recording invoker.

mod common;

use std::sync::Arc;
use std::time::Duration;

use aws_sdk_dynamodb::types::AttributeValue;
use aws_sdk_sqs::types::QueueAttributeName;
use common::{eventually, provisioned, temp_dir, MotoSerial, RecordingInvoker};
use local_cloud::checkpoint::CheckpointFile;
use local_cloud::invoke::{Invocation, Invoker};
use local_cloud::provision::provision;
use local_cloud::services::{stream_mapping_id, Services};
use local_cloud::stream::StreamPoller;
use serde_json::{json, Value};
use tokio::sync::watch;

/// Long: every poll in these tests must come from a wake, a retry or the first poll.
const SAFETY_POLL: Duration = Duration::from_secs(3600);

fn services(
    stack: local_cloud::template::Stack,
    provisioned: local_cloud::provision::Provisioned,
    clients: local_cloud::aws::Clients,
    invoker: Arc<dyn Invoker>,
    state_dir: &std::path::Path,
) -> Services {
    Services {
        stack,
        provisioned,
        clients,
        invoker,
        state_dir: state_dir.to_path_buf(),
        safety_poll: SAFETY_POLL,
        wakes: local_cloud::wake::Wakes::new(),
        deliver_twice: false,
    }
}

/// The publish-events mapping of the real template, invoking `invoker`.
fn publish_events_poller(services: &Services) -> StreamPoller {
    let mut pollers = services.stream_pollers().expect("stream mappings");
    assert_eq!(pollers.len(), 1, "one stream mapping in the template");
    let poller = pollers.remove(0);
    assert_eq!(poller.function, "publish-events");
    poller
}

async fn put_events(
    clients: &local_cloud::aws::Clients,
    stream: &str,
    versions: std::ops::RangeInclusive<u64>,
) {
    for version in versions {
        clients
            .dynamodb
            .put_item()
            .table_name("EventsTable")
            .item("stream_id", AttributeValue::S(stream.into()))
            .item("version", AttributeValue::N(version.to_string()))
            .item("event_type", AttributeValue::S("RadarInstalled".into()))
            .send()
            .await
            .expect("put an event");
    }
}

fn versions(records: &[Value]) -> Vec<u64> {
    records
        .iter()
        .map(|r| {
            r["dynamodb"]["NewImage"]["version"]["N"]
                .as_str()
                .unwrap()
                .parse()
                .unwrap()
        })
        .collect()
}

fn sequence_number(record: &Value) -> String {
    record["dynamodb"]["SequenceNumber"]
        .as_str()
        .unwrap()
        .to_string()
}

async fn queue_messages(clients: &local_cloud::aws::Clients, url: &str) -> Vec<String> {
    clients
        .sqs
        .receive_message()
        .queue_url(url)
        .max_number_of_messages(10)
        .wait_time_seconds(0)
        .visibility_timeout(0)
        .send()
        .await
        .unwrap()
        .messages
        .unwrap_or_default()
        .into_iter()
        .filter_map(|m| m.body)
        .collect()
}

#[tokio::test]
async fn provisioning_creates_the_template_resources_idempotently() {
    let moto = MotoSerial::start();
    let (stack, first, clients) = provisioned(&moto).await;
    // Again: nothing fails, nothing changes.
    let again = provision(&stack, &clients)
        .await
        .expect("provisioning twice");
    assert_eq!(first.stream_arns, again.stream_arns);
    assert_eq!(first.queue_urls, again.queue_urls);

    let tables = clients
        .dynamodb
        .list_tables()
        .send()
        .await
        .unwrap()
        .table_names
        .unwrap();
    for table in [
        "EventsTable",
        "RadarsTable",
        "OwnersTable",
        "VehiclesTable",
        "InfractionsTable",
        "PlateOwnersTable",
        "InventoryTable",
        "CustomersTable",
        "CartsTable",
        "OrdersTable",
        "OrderReportsTable",
    ] {
        assert!(tables.iter().any(|t| t == table), "{table} in {tables:?}");
    }
    let events = clients
        .dynamodb
        .describe_table()
        .table_name("EventsTable")
        .send()
        .await
        .unwrap()
        .table
        .unwrap();
    let indexes: Vec<String> = events
        .global_secondary_indexes
        .unwrap()
        .into_iter()
        .filter_map(|index| index.index_name)
        .collect();
    assert_eq!(indexes, ["by_correlation", "global_feed"]);
    assert_eq!(
        events.latest_stream_arn.as_ref(),
        first.stream_arns.get("EventsTable")
    );

    let url = &first.queue_urls["RadarProjectionQueue"];
    assert_eq!(
        url,
        &format!("{}/123456789012/RadarProjectionQueue", moto.endpoint)
    );
    let attributes = clients
        .sqs
        .get_queue_attributes()
        .queue_url(url)
        .attribute_names(QueueAttributeName::All)
        .send()
        .await
        .unwrap()
        .attributes
        .unwrap();
    assert_eq!(attributes[&QueueAttributeName::VisibilityTimeout], "180");
    let redrive: Value =
        serde_json::from_str(&attributes[&QueueAttributeName::RedrivePolicy]).unwrap();
    assert_eq!(
        redrive["deadLetterTargetArn"],
        "arn:aws:sqs:us-east-1:123456789012:RadarProjectionQueueDLQ"
    );
    assert_eq!(
        redrive["maxReceiveCount"].to_string().trim_matches('"'),
        "5"
    );
    assert_eq!(first.queue_urls.len(), 32);

    clients
        .events
        .describe_event_bus()
        .name("es-serverless-traffic")
        .send()
        .await
        .expect("the bus exists");
    let rules = clients
        .events
        .list_rules()
        .event_bus_name("es-serverless-traffic")
        .send()
        .await
        .unwrap()
        .rules
        .unwrap();
    let mut names: Vec<_> = rules.iter().filter_map(|r| r.name.clone()).collect();
    names.sort();
    assert_eq!(
        names,
        [
            "CancelOrderRule",
            "CartProjectionRule",
            "CommitStockRule",
            "ConfirmOrderRule",
            "CustomerProjectionRule",
            "InfractionPolicyRule",
            "InfractionProjectionRule",
            "InventoryProjectionRule",
            "OrderProjectionRule",
            "OwnerProjectionRule",
            "RadarProjectionRule",
            "ReleaseStockRule",
            "ReserveStockRule",
            "TakePaymentRule",
            "VehicleProjectionRule"
        ]
    );
    let targets = clients
        .events
        .list_targets_by_rule()
        .rule("OwnerProjectionRule")
        .event_bus_name("es-serverless-traffic")
        .send()
        .await
        .unwrap()
        .targets
        .unwrap();
    assert_eq!(
        targets[0].arn,
        "arn:aws:sqs:us-east-1:123456789012:OwnerProjectionQueue"
    );
    // The target's dead-letter queue and retry policy, as the template says.
    assert_eq!(
        targets[0]
            .dead_letter_config
            .as_ref()
            .and_then(|d| d.arn.as_deref()),
        Some("arn:aws:sqs:us-east-1:123456789012:RuleTargetsDLQ")
    );
    let retry = targets[0].retry_policy.as_ref().expect("a retry policy");
    assert_eq!(
        (
            retry.maximum_retry_attempts,
            retry.maximum_event_age_in_seconds
        ),
        (Some(185), Some(86400))
    );
}

#[tokio::test]
async fn refused_payments_and_cancelled_orders_reach_release_stock() {
    let moto = MotoSerial::start();
    let (_, provisioned, clients) = provisioned(&moto).await;
    let put = |source: &str, detail_type: &str| {
        aws_sdk_eventbridge::types::PutEventsRequestEntry::builder()
            .event_bus_name("es-serverless-traffic")
            .source(source)
            .detail_type(detail_type)
            .detail(json!({"aggregate_type": "order"}).to_string())
            .build()
    };
    let output = clients
        .events
        .put_events()
        .entries(put("customer-service", "PaymentRefused"))
        .entries(put("order-service", "OrderCancelled"))
        // Another source's event of that name is not the order's cancellation.
        .entries(put("elsewhere", "OrderCancelled"))
        .send()
        .await
        .unwrap();
    assert_eq!(output.failed_entry_count, 0);
    let release = queue_messages(&clients, &provisioned.queue_urls["ReleaseStockQueue"]).await;
    let mut routed: Vec<(String, String)> = release
        .iter()
        .map(|body| {
            let event: Value = serde_json::from_str(body).unwrap();
            (
                event["source"].as_str().unwrap().to_string(),
                event["detail-type"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    routed.sort();
    assert_eq!(
        routed,
        [
            ("customer-service".to_string(), "PaymentRefused".to_string()),
            ("order-service".to_string(), "OrderCancelled".to_string()),
        ]
    );
}

#[tokio::test]
async fn put_events_reaches_the_queues_whose_rules_match() {
    let moto = MotoSerial::start();
    let (_, provisioned, clients) = provisioned(&moto).await;
    let entry = aws_sdk_eventbridge::types::PutEventsRequestEntry::builder()
        .event_bus_name("es-serverless-traffic")
        .source("registration-service")
        .detail_type("VehicleRegistered")
        .detail(json!({"aggregate_type": "vehicle", "aggregate_id": "AB123CD"}).to_string())
        .build();
    let output = clients
        .events
        .put_events()
        .entries(entry)
        .send()
        .await
        .unwrap();
    assert_eq!(output.failed_entry_count, 0);

    let url = |name: &str| provisioned.queue_urls[name].clone();
    let vehicles = queue_messages(&clients, &url("VehicleProjectionQueue")).await;
    assert_eq!(vehicles.len(), 1);
    let event: Value = serde_json::from_str(&vehicles[0]).unwrap();
    assert_eq!(event["detail-type"], "VehicleRegistered");
    assert_eq!(event["detail"]["aggregate_id"], "AB123CD");
    assert_eq!(
        queue_messages(&clients, &url("InfractionPolicyQueue"))
            .await
            .len(),
        1
    );
    assert!(queue_messages(&clients, &url("OwnerProjectionQueue"))
        .await
        .is_empty());
    assert!(queue_messages(&clients, &url("RadarProjectionQueue"))
        .await
        .is_empty());
}

#[tokio::test]
async fn the_stream_poller_delivers_inserts_in_order_and_resumes_from_its_checkpoint() {
    let moto = MotoSerial::start();
    let (stack, provisioned, clients) = provisioned(&moto).await;
    let state_dir = temp_dir("stream-resume");
    put_events(&clients, "radar#1", 1..=13).await;

    let invoker = RecordingInvoker::succeeding();
    let running = services(
        stack.clone(),
        provisioned.clone(),
        clients.clone(),
        invoker.clone(),
        &state_dir,
    );
    let (stop, shutdown) = watch::channel(false);
    let task = tokio::spawn(publish_events_poller(&running).run(shutdown));
    eventually(Duration::from_secs(30), "13 records", || {
        invoker.records().len() >= 13
    })
    .await;
    stop.send(true).unwrap();
    task.await.unwrap().unwrap();

    let calls = invoker.calls();
    assert!(calls
        .iter()
        .all(|(function, _)| function == "publish-events"));
    assert!(calls
        .iter()
        .all(|(_, p)| p["Records"].as_array().unwrap().len() <= 10));
    let records = invoker.records();
    assert_eq!(versions(&records), (1..=13).collect::<Vec<_>>());
    let stream_arn = &provisioned.stream_arns["EventsTable"];
    for record in &records {
        assert_eq!(record["eventName"], "INSERT");
        assert_eq!(record["eventSourceARN"], stream_arn.as_str());
    }
    // The payload reads as the functions read it.
    let _: aws_lambda_events::dynamodb::Event = serde_json::from_value(calls[0].1.clone()).unwrap();

    // The checkpoint is on disk: a new poller (a restarted runner) goes on from it.
    let checkpoint = CheckpointFile::new(
        &state_dir,
        &stream_mapping_id("publish-events", "EventsTable"),
    )
    .load()
    .unwrap()
    .expect("a checkpoint file");
    assert_eq!(&checkpoint.stream_arn, stream_arn);
    assert_eq!(
        checkpoint.shards.values().next(),
        Some(&sequence_number(records.last().unwrap()))
    );
    put_events(&clients, "radar#1", 14..=16).await;
    let restarted = RecordingInvoker::succeeding();
    let running = services(stack, provisioned, clients, restarted.clone(), &state_dir);
    let (stop, shutdown) = watch::channel(false);
    let task = tokio::spawn(publish_events_poller(&running).run(shutdown));
    eventually(Duration::from_secs(30), "3 more records", || {
        restarted.records().len() >= 3
    })
    .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    stop.send(true).unwrap();
    task.await.unwrap().unwrap();
    assert_eq!(versions(&restarted.records()), vec![14, 15, 16]);
}

#[tokio::test]
async fn a_reported_stream_failure_is_retried_from_that_record() {
    let moto = MotoSerial::start();
    let (stack, provisioned, clients) = provisioned(&moto).await;
    let state_dir = temp_dir("stream-partial");
    put_events(&clients, "radar#2", 1..=5).await;
    // The first batch reports version 3 (and 4) as failed; later ones succeed.
    let invoker = RecordingInvoker::new(|_, payload, earlier| {
        if earlier > 0 {
            return Invocation::Ok(b"{}".to_vec());
        }
        let records = payload["Records"].as_array().unwrap();
        Invocation::Ok(
            json!({"batchItemFailures": [
                {"itemIdentifier": records[3]["dynamodb"]["SequenceNumber"]},
                {"itemIdentifier": records[2]["dynamodb"]["SequenceNumber"]},
            ]})
            .to_string()
            .into_bytes(),
        )
    });
    let running = services(stack, provisioned, clients, invoker.clone(), &state_dir);
    let (stop, shutdown) = watch::channel(false);
    let task = tokio::spawn(publish_events_poller(&running).run(shutdown));
    eventually(Duration::from_secs(30), "the retried batch", || {
        invoker.calls().len() >= 2
    })
    .await;
    stop.send(true).unwrap();
    task.await.unwrap().unwrap();
    let calls = invoker.calls();
    let batch = |i: usize| versions(calls[i].1["Records"].as_array().unwrap());
    assert_eq!(batch(0), vec![1, 2, 3, 4, 5]);
    assert_eq!(batch(1), vec![3, 4, 5]);
}

#[tokio::test]
async fn exhausted_stream_retries_go_to_the_on_failure_queue() {
    let moto = MotoSerial::start();
    let (stack, provisioned, clients) = provisioned(&moto).await;
    let state_dir = temp_dir("stream-exhausted");
    put_events(&clients, "radar#3", 1..=2).await;
    let invoker = RecordingInvoker::new(|_, _, _| Invocation::FunctionError("boom".into()));
    let running = services(
        stack,
        provisioned.clone(),
        clients.clone(),
        invoker.clone(),
        &state_dir,
    );
    let mut poller = publish_events_poller(&running);
    poller.maximum_retry_attempts = Some(1);
    let (stop, shutdown) = watch::channel(false);
    let task = tokio::spawn(poller.run(shutdown));
    let dlq = provisioned.queue_urls["PublishEventsDLQ"].clone();
    let mut failures = vec![];
    for _ in 0..100 {
        failures = queue_messages(&clients, &dlq).await;
        if !failures.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    stop.send(true).unwrap();
    task.await.unwrap().unwrap();
    // One invocation and one retry, then the batch is described on the on-failure queue.
    assert_eq!(invoker.calls().len(), 2);
    assert_eq!(failures.len(), 1);
    let failure: Value = serde_json::from_str(&failures[0]).unwrap();
    assert_eq!(
        failure["requestContext"]["condition"],
        "RetryAttemptsExhausted"
    );
    assert_eq!(failure["requestContext"]["approximateInvokeCount"], 2);
    let info = &failure["DDBStreamBatchInfo"];
    assert_eq!(info["batchSize"], 2);
    assert_eq!(
        info["streamArn"],
        provisioned.stream_arns["EventsTable"].as_str()
    );
    let records = invoker.records();
    assert_eq!(info["startSequenceNumber"], sequence_number(&records[0]));
    assert_eq!(info["endSequenceNumber"], sequence_number(&records[1]));
}

#[tokio::test]
async fn sqs_consumers_delete_successes_and_redrive_failures_to_the_dlq() {
    let moto = MotoSerial::start();
    let (stack, provisioned, clients) = provisioned(&moto).await;
    let state_dir = temp_dir("sqs");
    let url = provisioned.queue_urls["RadarProjectionQueue"].clone();
    for body in ["good", "bad"] {
        clients
            .sqs
            .send_message()
            .queue_url(&url)
            .message_body(body)
            .send()
            .await
            .unwrap();
    }
    // "bad" is always reported as failed.
    let invoker = RecordingInvoker::new(|_, payload, _| {
        let failures: Vec<Value> = payload["Records"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["body"] == "bad")
            .map(|r| json!({"itemIdentifier": r["messageId"]}))
            .collect();
        Invocation::Ok(
            json!({ "batchItemFailures": failures })
                .to_string()
                .into_bytes(),
        )
    });
    let running = services(
        stack,
        provisioned.clone(),
        clients.clone(),
        invoker.clone(),
        &state_dir,
    );
    let poller = running
        .queue_pollers()
        .unwrap()
        .into_iter()
        .find(|p| p.queue_name == "RadarProjectionQueue")
        .expect("the radar projection mapping");
    assert_eq!(poller.function, "project-radars");
    let (stop, shutdown) = watch::channel(false);
    let task = tokio::spawn(poller.run(shutdown));
    let dlq = provisioned.queue_urls["RadarProjectionQueueDLQ"].clone();
    let mut dead = vec![];
    for _ in 0..200 {
        dead = queue_messages(&clients, &dlq).await;
        if !dead.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    stop.send(true).unwrap();
    task.await.unwrap().unwrap();
    assert_eq!(dead, vec!["bad".to_string()]);

    let records = invoker.records();
    let received = |body: &str| -> Vec<String> {
        records
            .iter()
            .filter(|r| r["body"] == body)
            .map(|r| {
                r["attributes"]["ApproximateReceiveCount"]
                    .as_str()
                    .unwrap()
                    .to_string()
            })
            .collect()
    };
    assert_eq!(received("good"), ["1"]);
    assert_eq!(received("bad"), ["1", "2", "3", "4", "5"]);
    let record = &records[0];
    assert_eq!(record["eventSource"], "aws:sqs");
    assert_eq!(
        record["eventSourceARN"],
        "arn:aws:sqs:us-east-1:123456789012:RadarProjectionQueue"
    );
    let _: aws_lambda_events::sqs::SqsEvent =
        serde_json::from_value(invoker.calls()[0].1.clone()).unwrap();
    // Nothing left in the queue.
    let attributes = clients
        .sqs
        .get_queue_attributes()
        .queue_url(&url)
        .attribute_names(QueueAttributeName::ApproximateNumberOfMessages)
        .attribute_names(QueueAttributeName::ApproximateNumberOfMessagesNotVisible)
        .send()
        .await
        .unwrap()
        .attributes
        .unwrap_or_default();
    let count = |name: QueueAttributeName| attributes.get(&name).cloned().unwrap_or_default();
    assert_eq!(count(QueueAttributeName::ApproximateNumberOfMessages), "0");
    assert_eq!(
        count(QueueAttributeName::ApproximateNumberOfMessagesNotVisible),
        "0"
    );
}

/// Idle pollers send nothing until woken: a message or a record that appears behind the
/// runner's back (no invocation of its own rang) waits for the next wake (here: never, the
/// safety poll is an hour), and the wake after an invocation delivers it.
#[tokio::test]
async fn idle_pollers_poll_again_when_woken() {
    let moto = MotoSerial::start();
    let (stack, provisioned, clients) = provisioned(&moto).await;
    let state_dir = temp_dir("woken");
    let invoker = RecordingInvoker::succeeding();
    let running = services(
        stack,
        provisioned.clone(),
        clients.clone(),
        invoker.clone(),
        &state_dir,
    );
    let queue = running
        .queue_pollers()
        .unwrap()
        .into_iter()
        .find(|p| p.queue_name == "RadarProjectionQueue")
        .expect("the radar projection mapping");
    let stream = publish_events_poller(&running);
    let (stop, shutdown) = watch::channel(false);
    let tasks = [
        tokio::spawn(queue.run(shutdown.clone())),
        tokio::spawn(stream.run(shutdown)),
    ];
    // Both found nothing on their first poll (the checkpoint file is written by the first
    // batch only): idle now. Then work appears behind their backs.
    tokio::time::sleep(Duration::from_millis(500)).await;
    clients
        .sqs
        .send_message()
        .queue_url(&provisioned.queue_urls["RadarProjectionQueue"])
        .message_body("behind the back")
        .send()
        .await
        .unwrap();
    put_events(&clients, "radar#9", 1..=1).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(invoker.calls().is_empty(), "nothing rang: nothing polled");

    // An invocation of a function that may send messages rings both bells.
    let waking = running.waking_invoker();
    waking
        .invoke("publish-events", b"{}".to_vec(), Duration::from_secs(5))
        .await;
    eventually(
        Duration::from_secs(10),
        "the message and the record",
        || {
            let records = invoker.records();
            records.iter().any(|r| r["body"] == "behind the back")
                && records.iter().any(|r| r["eventName"] == "INSERT")
        },
    )
    .await;
    stop.send(true).unwrap();
    for task in tasks {
        task.await.unwrap().unwrap();
    }
}

/// Answers as `inner` only once two invocations are running at the same time (a timeout after
/// 5 s alone).
struct InPairs {
    inner: Arc<RecordingInvoker>,
    barrier: tokio::sync::Barrier,
}

impl Invoker for InPairs {
    fn invoke<'a>(
        &'a self,
        function: &'a str,
        payload: Vec<u8>,
        timeout: Duration,
    ) -> futures::future::BoxFuture<'a, Invocation> {
        Box::pin(async move {
            let answer = self.inner.invoke(function, payload, timeout).await;
            match tokio::time::timeout(Duration::from_secs(5), self.barrier.wait()).await {
                Ok(_) => answer,
                Err(_) => Invocation::Timeout,
            }
        })
    }
}

#[tokio::test]
async fn deliver_twice_hands_every_batch_to_two_concurrent_invocations() {
    let moto = MotoSerial::start();
    let (stack, provisioned, clients) = provisioned(&moto).await;
    let state_dir = temp_dir("sqs-twice");
    let url = provisioned.queue_urls["ReserveStockQueue"].clone();
    clients
        .sqs
        .send_message()
        .queue_url(&url)
        .message_body("reserve")
        .send()
        .await
        .unwrap();
    // The very first invocation reports the message as failed, every later one succeeds: the
    // other delivery of the first batch succeeded, and yet the message comes back.
    let invoker = RecordingInvoker::new(|_, payload, earlier| {
        let failures: Vec<Value> = payload["Records"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|_| earlier == 0)
            .map(|r| json!({"itemIdentifier": r["messageId"]}))
            .collect();
        Invocation::Ok(
            json!({ "batchItemFailures": failures })
                .to_string()
                .into_bytes(),
        )
    });
    let in_pairs = Arc::new(InPairs {
        inner: invoker.clone(),
        barrier: tokio::sync::Barrier::new(2),
    });
    let mut running = services(
        stack,
        provisioned.clone(),
        clients.clone(),
        in_pairs,
        &state_dir,
    );
    running.deliver_twice = true;
    let poller = running
        .queue_pollers()
        .unwrap()
        .into_iter()
        .find(|p| p.queue_name == "ReserveStockQueue")
        .expect("the reserve-stock mapping");
    assert_eq!(poller.function, "reserve-stock");
    assert!(poller.deliver_twice);
    let (stop, shutdown) = watch::channel(false);
    let task = tokio::spawn(poller.run(shutdown));
    eventually(Duration::from_secs(20), "the second batch", || {
        invoker.calls().len() >= 4
    })
    .await;
    // The poller finishes its batch (deletes the message) before it stops.
    stop.send(true).unwrap();
    task.await.unwrap().unwrap();

    let calls = invoker.calls();
    assert_eq!(calls.len(), 4, "two batches, each delivered twice");
    assert_eq!(calls[0], calls[1], "the same event twice");
    assert_eq!(calls[2], calls[3], "the same event twice");
    let received: Vec<&str> = calls
        .iter()
        .map(|(_, payload)| {
            let records = payload["Records"].as_array().unwrap();
            assert_eq!(records.len(), 1);
            assert_eq!(records[0]["body"], "reserve");
            records[0]["attributes"]["ApproximateReceiveCount"]
                .as_str()
                .unwrap()
        })
        .collect();
    assert_eq!(received, ["1", "1", "2", "2"]);
    // Both deliveries of the second batch succeeded: deleted.
    let attributes = clients
        .sqs
        .get_queue_attributes()
        .queue_url(&url)
        .attribute_names(QueueAttributeName::ApproximateNumberOfMessages)
        .attribute_names(QueueAttributeName::ApproximateNumberOfMessagesNotVisible)
        .send()
        .await
        .unwrap()
        .attributes
        .unwrap_or_default();
    let count = |name: QueueAttributeName| attributes.get(&name).cloned().unwrap_or_default();
    assert_eq!(count(QueueAttributeName::ApproximateNumberOfMessages), "0");
    assert_eq!(
        count(QueueAttributeName::ApproximateNumberOfMessagesNotVisible),
        "0"
    );
    assert!(
        queue_messages(&clients, &provisioned.queue_urls["ReserveStockQueueDLQ"])
            .await
            .is_empty()
    );
}
