//! The local cloud against moto (through moto_serial.py): provisioning of the real template,
//! EventBridge routing, the stream and queue pollers with a recording invoker.

mod common;

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use aws_sdk_dynamodb::types::AttributeValue;
use aws_sdk_sqs::types::QueueAttributeName;
use common::{eventually, provisioned, temp_dir, MotoSerial, RecordingInvoker};
use local_cloud::checkpoint::CheckpointFile;
use local_cloud::invoke::{Invocation, Invoker};
use local_cloud::provision::provision;
use local_cloud::services::{stream_mapping_id, Services};
use local_cloud::sqs::QueuePoller;
use local_cloud::stream::StreamPoller;
use serde_json::{json, Value};
use tokio::sync::watch;

/// Long: every poll in these tests must come from a wake, a retry or the first poll.
const SAFETY_POLL: Duration = Duration::from_secs(3600);

/// The real template provisioned on a private moto: what every test here starts from.
struct Local {
    moto: MotoSerial,
    stack: local_cloud::template::Stack,
    provisioned: local_cloud::provision::Provisioned,
    clients: local_cloud::aws::Clients,
}

impl Local {
    async fn start() -> Self {
        let moto = MotoSerial::start();
        let (stack, provisioned, clients) = provisioned(&moto).await;
        Self {
            moto,
            stack,
            provisioned,
            clients,
        }
    }

    /// The services over this stack, invoking `invoker`, keeping checkpoints in `state_dir`.
    fn services(&self, invoker: Arc<dyn Invoker>, state_dir: &Path) -> Services {
        Services {
            stack: self.stack.clone(),
            provisioned: self.provisioned.clone(),
            clients: self.clients.clone(),
            invoker,
            state_dir: state_dir.to_path_buf(),
            safety_poll: SAFETY_POLL,
            wakes: local_cloud::wake::Wakes::new(),
            deliver_twice: false,
        }
    }

    fn queue_url(&self, queue: &str) -> String {
        self.provisioned.queue_urls[queue].clone()
    }

    async fn send_message(&self, queue: &str, body: &str) {
        self.clients
            .sqs
            .send_message()
            .queue_url(self.queue_url(queue))
            .message_body(body)
            .send()
            .await
            .unwrap();
    }

    /// The bodies of the messages visible on `queue` now (left there).
    async fn messages(&self, queue: &str) -> Vec<String> {
        self.clients
            .sqs
            .receive_message()
            .queue_url(self.queue_url(queue))
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

    /// The messages of `queue` once there are any, or none after `deadline`.
    async fn first_messages(&self, queue: &str, deadline: Duration) -> Vec<String> {
        let started = std::time::Instant::now();
        loop {
            let messages = self.messages(queue).await;
            if !messages.is_empty() || started.elapsed() > deadline {
                return messages;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Runs the `publish-events` stream poller with `invoker` (its checkpoints in `state_dir`)
    /// until `done` holds of what it recorded (30 s at most), and `linger` more (time to
    /// deliver what it should not), then stops it.
    async fn publish_events_until(
        &self,
        invoker: &Arc<RecordingInvoker>,
        state_dir: &Path,
        what: &str,
        done: impl Fn(&RecordingInvoker) -> bool,
        linger: Duration,
    ) {
        let services = self.services(invoker.clone(), state_dir);
        let running = Running::spawn(|shutdown| publish_events_poller(&services).run(shutdown));
        eventually(Duration::from_secs(30), what, || done(invoker)).await;
        tokio::time::sleep(linger).await;
        running.stop().await;
    }

    /// Nothing left on `queue`, visible or in flight.
    async fn assert_drained(&self, queue: &str) {
        let attributes = queue_attributes(
            &self.clients,
            &self.queue_url(queue),
            [
                QueueAttributeName::ApproximateNumberOfMessages,
                QueueAttributeName::ApproximateNumberOfMessagesNotVisible,
            ],
        )
        .await;
        let count = |name: QueueAttributeName| attributes.get(&name).cloned().unwrap_or_default();
        assert_eq!(count(QueueAttributeName::ApproximateNumberOfMessages), "0");
        assert_eq!(
            count(QueueAttributeName::ApproximateNumberOfMessagesNotVisible),
            "0"
        );
    }

    async fn put_events(&self, stream: &str, versions: std::ops::RangeInclusive<u64>) {
        for version in versions {
            self.clients
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
}

/// The publish-events mapping of the real template.
/// The attributes `names` of the queue at `url`, as SQS answers them.
async fn queue_attributes(
    clients: &local_cloud::aws::Clients,
    url: &str,
    names: impl IntoIterator<Item = QueueAttributeName>,
) -> HashMap<QueueAttributeName, String> {
    clients
        .sqs
        .get_queue_attributes()
        .queue_url(url)
        .set_attribute_names(Some(names.into_iter().collect()))
        .send()
        .await
        .unwrap()
        .attributes
        .unwrap_or_default()
}

fn publish_events_poller(services: &Services) -> StreamPoller {
    let mut pollers = services
        .stream_pollers(&services.waking_invoker())
        .expect("stream mappings");
    assert_eq!(pollers.len(), 1, "one stream mapping in the template");
    let poller = pollers.remove(0);
    assert_eq!(poller.function, "publish-events");
    poller
}

/// The mapping of `queue` to `function` in the real template.
fn queue_poller(services: &Services, queue: &str, function: &str) -> QueuePoller {
    let poller = services
        .queue_pollers(&services.waking_invoker())
        .unwrap()
        .into_iter()
        .find(|p| p.queue_name == queue)
        .unwrap_or_else(|| panic!("the mapping of {queue}"));
    assert_eq!(poller.function, function);
    poller
}

/// A poller (or anything run until shut down) in a task of its own.
struct Running {
    stop: watch::Sender<bool>,
    task: tokio::task::JoinHandle<local_cloud::Result<()>>,
}

impl Running {
    fn spawn<F>(run: impl FnOnce(watch::Receiver<bool>) -> F) -> Self
    where
        F: std::future::Future<Output = local_cloud::Result<()>> + Send + 'static,
    {
        let (stop, shutdown) = watch::channel(false);
        Self {
            stop,
            task: tokio::spawn(run(shutdown)),
        }
    }

    /// Stops it and waits until it has (finishing its batch), which must be without error.
    async fn stop(self) {
        self.stop.send(true).unwrap();
        self.task.await.unwrap().unwrap();
    }
}

/// A function's answer that reports the records `failed` (their ids) as failed.
fn failing(failed: impl IntoIterator<Item = Value>) -> Invocation {
    let failures: Vec<Value> = failed
        .into_iter()
        .map(|id| json!({ "itemIdentifier": id }))
        .collect();
    Invocation::Ok(
        json!({ "batchItemFailures": failures })
            .to_string()
            .into_bytes(),
    )
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

#[tokio::test]
async fn provisioning_creates_the_template_resources_idempotently() {
    let local = Local::start().await;
    let Local {
        moto,
        stack,
        provisioned: first,
        clients,
    } = &local;
    // Again: nothing fails, nothing changes.
    let again = provision(stack, clients).await.expect("provisioning twice");
    assert_eq!(first.stream_arns, again.stream_arns);
    assert_eq!(first.queue_urls, again.queue_urls);

    // The stack's tables (the template's tests name them), and nothing else.
    let mut tables = clients
        .dynamodb
        .list_tables()
        .send()
        .await
        .unwrap()
        .table_names
        .unwrap();
    tables.sort();
    let mut expected: Vec<String> = stack.tables.iter().map(|t| t.name.clone()).collect();
    expected.sort();
    assert_eq!(tables, expected);
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
    let attributes = queue_attributes(clients, url, [QueueAttributeName::All]).await;
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
    let local = Local::start().await;
    let put = |source: &str, detail_type: &str| {
        aws_sdk_eventbridge::types::PutEventsRequestEntry::builder()
            .event_bus_name("es-serverless-traffic")
            .source(source)
            .detail_type(detail_type)
            .detail(json!({"aggregate_type": "order"}).to_string())
            .build()
    };
    let output = local
        .clients
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
    let release = local.messages("ReleaseStockQueue").await;
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
    let local = Local::start().await;
    let entry = aws_sdk_eventbridge::types::PutEventsRequestEntry::builder()
        .event_bus_name("es-serverless-traffic")
        .source("registration-service")
        .detail_type("VehicleRegistered")
        .detail(json!({"aggregate_type": "vehicle", "aggregate_id": "AB123CD"}).to_string())
        .build();
    let output = local
        .clients
        .events
        .put_events()
        .entries(entry)
        .send()
        .await
        .unwrap();
    assert_eq!(output.failed_entry_count, 0);

    let vehicles = local.messages("VehicleProjectionQueue").await;
    assert_eq!(vehicles.len(), 1);
    let event: Value = serde_json::from_str(&vehicles[0]).unwrap();
    assert_eq!(event["detail-type"], "VehicleRegistered");
    assert_eq!(event["detail"]["aggregate_id"], "AB123CD");
    assert_eq!(local.messages("InfractionPolicyQueue").await.len(), 1);
    assert!(local.messages("OwnerProjectionQueue").await.is_empty());
    assert!(local.messages("RadarProjectionQueue").await.is_empty());
}

#[tokio::test]
async fn the_stream_poller_delivers_inserts_in_order_and_resumes_from_its_checkpoint() {
    let local = Local::start().await;
    let state_dir = temp_dir("stream-resume");
    local.put_events("radar#1", 1..=13).await;

    let invoker = RecordingInvoker::succeeding();
    let enough = |i: &RecordingInvoker| i.records().len() >= 13;
    local
        .publish_events_until(&invoker, &state_dir, "13 records", enough, Duration::ZERO)
        .await;

    let calls = invoker.calls();
    assert!(calls
        .iter()
        .all(|(function, _)| function == "publish-events"));
    assert!(calls
        .iter()
        .all(|(_, p)| p["Records"].as_array().unwrap().len() <= 10));
    let records = invoker.records();
    assert_eq!(versions(&records), (1..=13).collect::<Vec<_>>());
    let stream_arn = &local.provisioned.stream_arns["EventsTable"];
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
    local.put_events("radar#1", 14..=16).await;
    let restarted = RecordingInvoker::succeeding();
    let three = |i: &RecordingInvoker| i.records().len() >= 3;
    let no_more = Duration::from_millis(500);
    local
        .publish_events_until(&restarted, &state_dir, "3 more records", three, no_more)
        .await;
    assert_eq!(versions(&restarted.records()), vec![14, 15, 16]);
}

#[tokio::test]
async fn a_reported_stream_failure_is_retried_from_that_record() {
    let local = Local::start().await;
    let state_dir = temp_dir("stream-partial");
    local.put_events("radar#2", 1..=5).await;
    // The first batch reports version 3 (and 4) as failed; later ones succeed.
    let invoker = RecordingInvoker::new(|_, payload, earlier| {
        if earlier > 0 {
            return Invocation::Ok(b"{}".to_vec());
        }
        let records = payload["Records"].as_array().unwrap();
        failing([3, 2].map(|i| records[i]["dynamodb"]["SequenceNumber"].clone()))
    });
    let retried = |i: &RecordingInvoker| i.calls().len() >= 2;
    local
        .publish_events_until(
            &invoker,
            &state_dir,
            "the retried batch",
            retried,
            Duration::ZERO,
        )
        .await;
    let calls = invoker.calls();
    let batch = |i: usize| versions(calls[i].1["Records"].as_array().unwrap());
    assert_eq!(batch(0), vec![1, 2, 3, 4, 5]);
    assert_eq!(batch(1), vec![3, 4, 5]);
}

#[tokio::test]
async fn exhausted_stream_retries_go_to_the_on_failure_queue() {
    let local = Local::start().await;
    let state_dir = temp_dir("stream-exhausted");
    local.put_events("radar#3", 1..=2).await;
    let invoker = RecordingInvoker::new(|_, _, _| Invocation::FunctionError("boom".into()));
    let services = local.services(invoker.clone(), &state_dir);
    let mut poller = publish_events_poller(&services);
    poller.mapping.maximum_retry_attempts = Some(1);
    let running = Running::spawn(|shutdown| poller.run(shutdown));
    let failures = local
        .first_messages("PublishEventsDLQ", Duration::from_secs(10))
        .await;
    running.stop().await;
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
        local.provisioned.stream_arns["EventsTable"].as_str()
    );
    let records = invoker.records();
    assert_eq!(info["startSequenceNumber"], sequence_number(&records[0]));
    assert_eq!(info["endSequenceNumber"], sequence_number(&records[1]));
}

#[tokio::test]
async fn sqs_consumers_delete_successes_and_redrive_failures_to_the_dlq() {
    let local = Local::start().await;
    let state_dir = temp_dir("sqs");
    for body in ["good", "bad"] {
        local.send_message("RadarProjectionQueue", body).await;
    }
    // "bad" is always reported as failed.
    let invoker = RecordingInvoker::new(|_, payload, _| {
        let records = payload["Records"].as_array().unwrap();
        failing(
            records
                .iter()
                .filter(|r| r["body"] == "bad")
                .map(|r| r["messageId"].clone()),
        )
    });
    let services = local.services(invoker.clone(), &state_dir);
    let poller = queue_poller(&services, "RadarProjectionQueue", "project-radars");
    let running = Running::spawn(|shutdown| poller.run(shutdown));
    let dead = local
        .first_messages("RadarProjectionQueueDLQ", Duration::from_secs(20))
        .await;
    running.stop().await;
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
    local.assert_drained("RadarProjectionQueue").await;
}

/// Idle pollers send nothing until woken: a message or a record that appears behind the
/// runner's back (no invocation of its own rang) waits for the next wake (here: never, the
/// safety poll is an hour), and the wake after an invocation delivers it.
#[tokio::test]
async fn idle_pollers_poll_again_when_woken() {
    let local = Local::start().await;
    let state_dir = temp_dir("woken");
    let invoker = RecordingInvoker::succeeding();
    let services = local.services(invoker.clone(), &state_dir);
    let queue = queue_poller(&services, "RadarProjectionQueue", "project-radars");
    let stream = publish_events_poller(&services);
    let running = [
        Running::spawn(|shutdown| queue.run(shutdown)),
        Running::spawn(|shutdown| stream.run(shutdown)),
    ];
    // Both found nothing on their first poll (the checkpoint file is written by the first
    // batch only): idle now. Then work appears behind their backs.
    tokio::time::sleep(Duration::from_millis(500)).await;
    local
        .send_message("RadarProjectionQueue", "behind the back")
        .await;
    local.put_events("radar#9", 1..=1).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(invoker.calls().is_empty(), "nothing rang: nothing polled");

    // An invocation of a function that may send messages rings both bells.
    let waking = services.waking_invoker();
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
    for poller in running {
        poller.stop().await;
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
    let local = Local::start().await;
    let state_dir = temp_dir("sqs-twice");
    local.send_message("ReserveStockQueue", "reserve").await;
    // The very first invocation reports the message as failed, every later one succeeds: the
    // other delivery of the first batch succeeded, and yet the message comes back.
    let invoker = RecordingInvoker::new(|_, payload, earlier| {
        let records = payload["Records"].as_array().unwrap();
        failing(
            records
                .iter()
                .filter(|_| earlier == 0)
                .map(|r| r["messageId"].clone()),
        )
    });
    let in_pairs = Arc::new(InPairs {
        inner: invoker.clone(),
        barrier: tokio::sync::Barrier::new(2),
    });
    let mut services = local.services(in_pairs, &state_dir);
    services.deliver_twice = true;
    let poller = queue_poller(&services, "ReserveStockQueue", "reserve-stock");
    assert!(poller.deliver_twice);
    let running = Running::spawn(|shutdown| poller.run(shutdown));
    eventually(Duration::from_secs(20), "the second batch", || {
        invoker.calls().len() >= 4
    })
    .await;
    // The poller finishes its batch (deletes the message) before it stops.
    running.stop().await;

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
    local.assert_drained("ReserveStockQueue").await;
    assert!(local.messages("ReserveStockQueueDLQ").await.is_empty());
}
