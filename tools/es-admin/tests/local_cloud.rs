//! es-admin against the local cloud (moto, the functions, the runner's pollers), run as the
//! operator runs it: the binary, with `--local` and the emulator's endpoint.
//!
//! `cargo build --workspace --bins && cargo test -p es-admin --test local_cloud [-- FILTER]`.
//! One local cloud serves every scenario; each makes its own radars, products and customers.

use aws_sdk_dynamodb::types::AttributeValue;
use e2e_tests::roads;
use e2e_tests::shop::Purchase;
use e2e_tests::{eventually, Api, Cloud, Suite};
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::process::Output;
use std::time::Duration;
use test_support::{scan_table, Item};
use uuid::Uuid;

/// How long the system may take to settle what a scenario set off.
const SETTLE: Duration = Duration::from_secs(60);

/// `es-admin --local ARGS` against the cloud's emulator ([`e2e_tests::LocalCloud::es_admin`]),
/// its output echoed under the command.
async fn admin(cloud: &Cloud, args: &[&str]) -> Output {
    let output = cloud.lock().await.es_admin(args);
    println!(
        "    $ es-admin {}\n{}{}",
        args.join(" "),
        indent(&String::from_utf8_lossy(&output.stdout)),
        indent(&String::from_utf8_lossy(&output.stderr))
    );
    output
}

/// `admin`, which must succeed; its standard output.
async fn admin_ok(cloud: &Cloud, args: &[&str]) -> String {
    let output = admin(cloud, args).await;
    assert!(output.status.success(), "es-admin {args:?} failed");
    String::from_utf8(output.stdout).expect("UTF-8")
}

fn indent(text: &str) -> String {
    text.lines().map(|l| format!("      {l}\n")).collect()
}

async fn api(cloud: &Cloud) -> Api {
    cloud.lock().await.api()
}

async fn dynamodb(cloud: &Cloud) -> aws_sdk_dynamodb::Client {
    cloud.lock().await.dynamodb()
}

async fn table(cloud: &Cloud, variable: &str) -> String {
    cloud.lock().await.table(variable)
}

/// Every item of a table, by its key attributes' values.
async fn scan(client: &aws_sdk_dynamodb::Client, table: &str) -> BTreeMap<String, Item> {
    let keys = key_attributes(client, table).await;
    scan_table(client, table)
        .await
        .into_iter()
        .map(|item| {
            let key = keys
                .iter()
                .map(|k| format!("{:?}", item[k]))
                .collect::<Vec<_>>()
                .join("/");
            (key, item)
        })
        .collect()
}

/// The names of a table's key attributes.
async fn key_attributes(client: &aws_sdk_dynamodb::Client, table: &str) -> Vec<String> {
    let description = client
        .describe_table()
        .table_name(table)
        .send()
        .await
        .unwrap();
    description
        .table()
        .unwrap()
        .key_schema()
        .iter()
        .map(|k| k.attribute_name().to_owned())
        .collect()
}

async fn delete_every_item(client: &aws_sdk_dynamodb::Client, table: &str) -> usize {
    let keys = key_attributes(client, table).await;
    let items = scan(client, table).await;
    for item in items.values() {
        let key: Item = keys.iter().map(|k| (k.clone(), item[k].clone())).collect();
        client
            .delete_item()
            .table_name(table)
            .set_key(Some(key))
            .send()
            .await
            .unwrap();
    }
    assert!(scan(client, table).await.is_empty());
    items.len()
}

/// Asserts that two scans hold the same items, naming the first difference.
fn assert_same_items(table: &str, before: &BTreeMap<String, Item>, after: &BTreeMap<String, Item>) {
    let keys = |m: &BTreeMap<String, Item>| m.keys().cloned().collect::<BTreeSet<_>>();
    assert_eq!(keys(after), keys(before), "{table}: the same keys");
    for (key, item) in before {
        assert_eq!(&after[key], item, "{table}: item {key} rebuilt as it was");
    }
}

async fn install_radar(api: &Api, correlation: &str) -> String {
    roads::install_radar_with(api, 90, &[("x-correlation-id", correlation)]).await
}

/// A radar at version 2 (installed, then its limit changed), read back from its view.
async fn radar_at_version_2(api: &Api) -> String {
    let radar = install_radar(api, &format!("admin-{}", Uuid::new_v4())).await;
    roads::change_speed_limit(api, &radar, 70, &[]).await;
    let view = api.get(&format!("/radars/{radar}?min_version=2")).await;
    assert_eq!(view.status, 200, "{}", view.body);
    radar
}

/// The stored events of a radar, oldest first.
async fn radar_events(api: &Api, radar: &str) -> Vec<Value> {
    let mut events = api.all_items(&format!("/radars/{radar}/events")).await;
    events.sort_by_key(|e| e["version"].as_u64());
    events
}

/// The SQS body EventBridge delivers for `envelope` (the consumers read `detail`).
fn bridged(envelope: &Value) -> String {
    json!({
        "version": "0",
        "id": Uuid::new_v4(),
        "detail-type": envelope["event_type"],
        "source": "radar-service",
        "account": "123456789012",
        "time": envelope["occurred_at"],
        "region": "us-east-1",
        "resources": [],
        "detail": envelope,
    })
    .to_string()
}

async fn radar_item(cloud: &Cloud, radar: &str) -> Option<Item> {
    dynamodb(cloud)
        .await
        .get_item()
        .table_name(table(cloud, "RADARS_TABLE").await)
        .key("radar_id", AttributeValue::S(radar.to_owned()))
        .consistent_read(true)
        .send()
        .await
        .unwrap()
        .item()
        .cloned()
}

async fn delete_radar_item(cloud: &Cloud, radar: &str) {
    dynamodb(cloud)
        .await
        .delete_item()
        .table_name(table(cloud, "RADARS_TABLE").await)
        .key("radar_id", AttributeValue::S(radar.to_owned()))
        .send()
        .await
        .unwrap();
    assert!(radar_item(cloud, radar).await.is_none());
}

/// Waits until the radar's view item is back at `version`.
async fn radar_item_back(cloud: &Cloud, radar: &str, version: &str) {
    eventually("the radar's view item is back", SETTLE, || async {
        radar_item(cloud, radar)
            .await
            .filter(|item| item.get("version") == Some(&AttributeValue::N(version.into())))
    })
    .await;
}

async fn sqs(cloud: &Cloud) -> aws_sdk_sqs::Client {
    cloud.lock().await.sqs()
}

async fn queue_url(sqs: &aws_sdk_sqs::Client, name: &str) -> String {
    sqs.get_queue_url()
        .queue_name(name)
        .send()
        .await
        .unwrap()
        .queue_url()
        .unwrap()
        .to_owned()
}

fn text(value: &str) -> aws_sdk_sqs::types::MessageAttributeValue {
    aws_sdk_sqs::types::MessageAttributeValue::builder()
        .data_type("String")
        .string_value(value)
        .build()
        .unwrap()
}

async fn rebuild_radars_gives_back_the_same_table(cloud: Cloud) {
    let api = api(&cloud).await;
    for _ in 0..3 {
        radar_at_version_2(&api).await;
    }
    let client = dynamodb(&cloud).await;
    let radars = table(&cloud, "RADARS_TABLE").await;
    let before = scan(&client, &radars).await;
    let deleted = delete_every_item(&client, &radars).await;
    assert!(deleted >= 3);

    let out = admin_ok(&cloud, &["rebuild", "radars"]).await;
    assert!(
        out.contains(&format!("{deleted} items written")) && out.contains("0 failed"),
        "{out}"
    );
    assert_same_items(&radars, &before, &scan(&client, &radars).await);

    // Again, on a complete table: nothing to write.
    let out = admin_ok(&cloud, &["rebuild", "radars"]).await;
    assert!(
        out.contains("0 items written") && out.contains(&format!("{deleted} already up to date")),
        "{out}"
    );
    assert_same_items(&radars, &before, &scan(&client, &radars).await);
}

/// A checkout run to its end; the customer's id.
async fn checkout_settled(api: &Api, balance_cents: u64) -> String {
    let Purchase {
        customer, order, ..
    } = Purchase::place(api, 10, 2, balance_cents).await;
    api.until(&format!("/orders/{order}"), SETTLE, |r| {
        r.status == 200 && (r.body["status"] == "CONFIRMED" || r.body["status"] == "CANCELLED")
    })
    .await;
    customer
}

/// The report counters without those at 0: a counter the live projection moved up and down
/// again (an order's `n_PENDING` once it is confirmed) reads as 0, like one never written.
fn counters(items: BTreeMap<String, Item>) -> BTreeMap<String, Item> {
    items
        .into_iter()
        .map(|(key, item)| {
            let kept = item
                .into_iter()
                .filter(|(_, value)| value != &AttributeValue::N("0".into()))
                .collect();
            (key, kept)
        })
        .collect()
}

/// What the API answers from the counters: both customers' summaries, and the statistics.
async fn reports_answers(api: &Api, customers: &[String]) -> Vec<Value> {
    let mut answers = Vec::new();
    for path in customers
        .iter()
        .map(|c| format!("/customers/{c}/summary"))
        .chain(["/statistics/orders?from=2000-01-01T00:00:00.000Z".to_owned()])
    {
        let reply = api.get(&path).await;
        assert_eq!(reply.status, 200, "{path}: {}", reply.body);
        answers.push(reply.body);
    }
    answers
}

async fn rebuild_orders_recounts_the_reports(cloud: Cloud) {
    let api = api(&cloud).await;
    let customers = [
        checkout_settled(&api, 10_000).await, // confirmed
        checkout_settled(&api, 1_000).await,  // cancelled: payment refused
    ];
    let client = dynamodb(&cloud).await;
    let orders = table(&cloud, "ORDERS_TABLE").await;
    let reports = table(&cloud, "ORDER_REPORTS_TABLE").await;
    let orders_before = scan(&client, &orders).await;
    let reports_before = counters(scan(&client, &reports).await);
    let answers_before = reports_answers(&api, &customers).await;
    assert!(orders_before.len() >= 2 && !reports_before.is_empty());
    let check = || async {
        assert_same_items(&orders, &orders_before, &scan(&client, &orders).await);
        let reports_after = counters(scan(&client, &reports).await);
        assert_same_items(&reports, &reports_before, &reports_after);
        assert_eq!(reports_answers(&api, &customers).await, answers_before);
    };

    // On the tables as they are: the counters are recounted, not counted twice.
    let out = admin_ok(&cloud, &["rebuild", "orders"]).await;
    assert!(out.contains("0 failed"), "{out}");
    check().await;

    // From nothing.
    delete_every_item(&client, &orders).await;
    delete_every_item(&client, &reports).await;
    let out = admin_ok(&cloud, &["rebuild", "orders"]).await;
    assert!(out.contains("cleared") && out.contains("0 failed"), "{out}");
    check().await;
}

async fn plate_owners_is_not_a_projection(cloud: Cloud) {
    let output = admin(&cloud, &["rebuild", "plate-owners"]).await;
    assert!(!output.status.success());
    let said = String::from_utf8_lossy(&output.stderr);
    assert!(said.contains("not a projection"), "{said}");
    let unknown = admin(&cloud, &["rebuild", "reports"]).await;
    assert!(!unknown.status.success());
}

/// Puts `body` in the dead-letter queue `dlq`, with `attributes`.
async fn dead_letter(
    sqs: &aws_sdk_sqs::Client,
    dlq: &str,
    body: String,
    attributes: &[(&str, &str)],
) {
    let mut message = sqs
        .send_message()
        .queue_url(queue_url(sqs, dlq).await)
        .message_body(body);
    for (name, value) in attributes {
        message = message.message_attributes(*name, text(value));
    }
    message.send().await.unwrap();
}

/// A radar at version 2 whose view item was lost: the message that set its version 2, put in a
/// dead-letter queue, must bring it back once redriven.
struct LostRadar {
    radar: String,
    /// The envelope of `RadarSpeedLimitChanged`, the radar's second event.
    second: Value,
}

impl LostRadar {
    async fn make(cloud: &Cloud, api: &Api) -> Self {
        let radar = radar_at_version_2(api).await;
        let mut events = radar_events(api, &radar).await;
        delete_radar_item(cloud, &radar).await;
        Self {
            radar,
            second: events.swap_remove(1),
        }
    }

    /// `es-admin dlq redrive DLQ`, which must report `moved`; then the view item is back.
    async fn redriven(&self, cloud: &Cloud, dlq: &str, moved: &str) {
        let redriven = admin_ok(cloud, &["dlq", "redrive", dlq]).await;
        assert!(redriven.contains(moved), "{redriven}");
        radar_item_back(cloud, &self.radar, "2").await;
    }
}

async fn dlq_show_and_redrive_put_messages_back(cloud: Cloud) {
    let api = api(&cloud).await;
    let sqs = sqs(&cloud).await;

    // A consumer's DLQ: the message as SQS moved it there, back to RadarProjectionQueue.
    let lost = LostRadar::make(&cloud, &api).await;
    dead_letter(&sqs, "RadarProjectionQueueDLQ", bridged(&lost.second), &[]).await;

    let listed = admin_ok(&cloud, &["dlq", "list"]).await;
    let line = listed
        .lines()
        .find(|l| l.starts_with("RadarProjectionQueueDLQ "))
        .unwrap_or_else(|| panic!("{listed}"));
    assert!(
        line.contains(" 1 ") && line.ends_with("RadarProjectionQueue"),
        "{line}"
    );
    assert!(
        listed.contains("PublishEventsDLQ") && listed.contains("RuleTargetsDLQ"),
        "{listed}"
    );

    let shown = admin_ok(&cloud, &["dlq", "show", "RadarProjectionQueueDLQ"]).await;
    assert!(shown.contains("receive count: 1"), "{shown}");
    assert!(
        shown.contains(&lost.radar) && shown.contains("RadarSpeedLimitChanged"),
        "{shown}"
    );
    assert!(shown.contains("1 messages shown"), "{shown}");
    // Shown, not consumed: still there for the redrive.
    let to_queue = "1 moved: 1 to RadarProjectionQueue, 0 failed";
    lost.redriven(&cloud, "RadarProjectionQueueDLQ", to_queue)
        .await;

    // PublishEventsDLQ: an envelope the publisher kept, put on the bus.
    let lost = LostRadar::make(&cloud, &api).await;
    let kept = [("error_code", "InternalFailure")];
    dead_letter(&sqs, "PublishEventsDLQ", lost.second.to_string(), &kept).await;
    lost.redriven(
        &cloud,
        "PublishEventsDLQ",
        "1 moved: 1 to the bus, 0 failed",
    )
    .await;

    // RuleTargetsDLQ: the event a rule could not deliver, back to its target queue.
    let lost = LostRadar::make(&cloud, &api).await;
    let undelivered = [
        (
            "RULE_ARN",
            "arn:aws:events:us-east-1:123456789012:rule/es-serverless-traffic/RadarProjectionRule",
        ),
        (
            "TARGET_ARN",
            "arn:aws:sqs:us-east-1:123456789012:RadarProjectionQueue",
        ),
    ];
    dead_letter(&sqs, "RuleTargetsDLQ", bridged(&lost.second), &undelivered).await;
    let shown = admin_ok(&cloud, &["dlq", "show", "RuleTargetsDLQ"]).await;
    assert!(
        shown.contains("TARGET_ARN=arn:aws:sqs:us-east-1:123456789012:RadarProjectionQueue"),
        "{shown}"
    );
    lost.redriven(&cloud, "RuleTargetsDLQ", to_queue).await;

    // A body that is nothing to redrive stays, and the run says so.
    let unreadable = "{\"unreadable_record\": {}}".to_owned();
    dead_letter(&sqs, "PublishEventsDLQ", unreadable, &[]).await;
    let output = admin(&cloud, &["dlq", "redrive", "PublishEventsDLQ"]).await;
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stdout).contains("0 moved, 1 failed"));
    sqs.purge_queue()
        .queue_url(queue_url(&sqs, "PublishEventsDLQ").await)
        .send()
        .await
        .unwrap();
}

async fn republish_puts_a_time_range_on_the_bus(cloud: Cloud) {
    let api = api(&cloud).await;
    // Millisecond precision, as the events' times.
    let from =
        chrono::DateTime::from_timestamp_millis(chrono::Utc::now().timestamp_millis()).unwrap();
    let radars = [
        radar_at_version_2(&api).await,
        radar_at_version_2(&api).await,
    ];
    let to = chrono::Utc::now() + chrono::Duration::milliseconds(1);

    // A probe on the bus, made after the events were published once.
    let (sqs, events) = {
        let cloud = cloud.lock().await;
        (cloud.sqs(), cloud.eventbridge())
    };
    let probe = sqs
        .create_queue()
        .queue_name("AdminRepublishProbe")
        .send()
        .await
        .unwrap();
    let probe = probe.queue_url().unwrap().to_owned();
    let probe_arn = "arn:aws:sqs:us-east-1:123456789012:AdminRepublishProbe";
    events
        .put_rule()
        .name("AdminRepublishProbe")
        .event_bus_name("es-serverless-traffic")
        .event_pattern(json!({"source": ["radar-service"]}).to_string())
        .send()
        .await
        .unwrap();
    events
        .put_targets()
        .rule("AdminRepublishProbe")
        .event_bus_name("es-serverless-traffic")
        .targets(
            aws_sdk_eventbridge::types::Target::builder()
                .id("probe")
                .arn(probe_arn)
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();

    let from_text = from.to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let to_text = to.to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let out = admin_ok(
        &cloud,
        &["republish", "--from", &from_text, "--to", &to_text],
    )
    .await;
    assert!(out.contains("0 failed"), "{out}");

    // Each event of the two radars arrives once, and nothing of before `from`.
    let expected: BTreeSet<(String, u64)> = radars
        .iter()
        .flat_map(|r| [(r.clone(), 1), (r.clone(), 2)])
        .collect();
    let mut received = BTreeSet::new();
    let deadline = std::time::Instant::now() + SETTLE;
    while received != expected {
        assert!(
            std::time::Instant::now() < deadline,
            "the republished events on the probe queue: {received:?} of {expected:?}"
        );
        let answer = sqs
            .receive_message()
            .queue_url(&probe)
            .max_number_of_messages(10)
            .wait_time_seconds(1)
            .send()
            .await
            .unwrap();
        for message in answer.messages() {
            let body: Value = serde_json::from_str(message.body().unwrap()).unwrap();
            let detail = &body["detail"];
            let occurred =
                chrono::DateTime::parse_from_rfc3339(detail["occurred_at"].as_str().unwrap())
                    .unwrap();
            assert!(
                occurred >= from && occurred < to,
                "{detail} is outside the range"
            );
            let id = (
                detail["aggregate_id"].as_str().unwrap().to_owned(),
                detail["version"].as_u64().unwrap(),
            );
            if radars.contains(&id.0) {
                assert!(received.insert(id), "{detail} arrived twice");
            }
        }
    }
    events
        .remove_targets()
        .rule("AdminRepublishProbe")
        .event_bus_name("es-serverless-traffic")
        .ids("probe")
        .send()
        .await
        .unwrap();
    events
        .delete_rule()
        .name("AdminRepublishProbe")
        .event_bus_name("es-serverless-traffic")
        .send()
        .await
        .unwrap();
}

async fn tail_prints_a_correlation_without_data(cloud: Cloud) {
    let api = api(&cloud).await;
    // Four events before it, so that the global feed holds more than `--last 3` below.
    radar_at_version_2(&api).await;
    radar_at_version_2(&api).await;
    let correlation = format!("tail-{}", Uuid::new_v4());
    let radar = install_radar(&api, &correlation).await;
    let out = admin_ok(
        &cloud,
        &["tail", "--once", "--correlation-id", &correlation],
    )
    .await;
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 1, "{out}");
    assert!(
        lines[0].contains(&format!(
            "RadarInstalled  radar#{radar}  v1  correlation={correlation}"
        )),
        "{out}"
    );
    assert!(!out.contains("A7 km 12"), "no data: {out}");
    // The global feed's newest events end with it.
    let out = admin_ok(&cloud, &["tail", "--once", "--last", "3"]).await;
    assert_eq!(out.lines().count(), 3, "{out}");
    assert!(out.lines().last().unwrap().contains(&radar), "{out}");
}

async fn tail_follows_new_events_until_stopped(cloud: Cloud) {
    use tokio::io::{AsyncBufReadExt, BufReader};
    let api = api(&cloud).await;
    let correlation = format!("follow-{}", Uuid::new_v4());
    let command = cloud.lock().await.es_admin_command(&[
        "tail",
        "--correlation-id",
        &correlation,
        "--last",
        "0",
        "--interval-ms",
        "200",
    ]);
    let mut tail = tokio::process::Command::from(command)
        .stdout(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("es-admin tail");
    let mut lines = BufReader::new(tail.stdout.take().unwrap()).lines();
    // Appended after the tail started: printed as they come, once each.
    let radar = install_radar(&api, &correlation).await;
    roads::change_speed_limit(&api, &radar, 70, &[("x-correlation-id", &correlation)]).await;
    let mut seen = Vec::new();
    for expected in [" v1 ", " v2 "] {
        let line = tokio::time::timeout(SETTLE, lines.next_line())
            .await
            .expect("a line within the deadline")
            .unwrap()
            .expect("tail still runs");
        println!("      {line}");
        assert!(
            line.contains(&format!("radar#{radar}")) && line.contains(expected),
            "{line}"
        );
        seen.push(line);
    }
    tail.start_kill().unwrap();
    // Nothing printed twice before it stopped.
    while let Ok(Some(line)) = lines.next_line().await {
        assert!(!seen.contains(&line), "printed twice: {line}");
    }
}

fn main() {
    Suite::new()
        .add(
            "rebuild_radars_gives_back_the_same_table",
            rebuild_radars_gives_back_the_same_table,
        )
        .add(
            "rebuild_orders_recounts_the_reports",
            rebuild_orders_recounts_the_reports,
        )
        .add(
            "plate_owners_is_not_a_projection",
            plate_owners_is_not_a_projection,
        )
        .add(
            "dlq_show_and_redrive_put_messages_back",
            dlq_show_and_redrive_put_messages_back,
        )
        .add(
            "republish_puts_a_time_range_on_the_bus",
            republish_puts_a_time_range_on_the_bus,
        )
        .add(
            "tail_prints_a_correlation_without_data",
            tail_prints_a_correlation_without_data,
        )
        .add(
            "tail_follows_new_events_until_stopped",
            tail_follows_new_events_until_stopped,
        )
        .run_on_local_cloud()
}
