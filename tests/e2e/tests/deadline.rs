//! The order deadline end to end (SPEC §9), on a local cloud of its own: a 4-second
//! `OrderDeadlineSeconds`, the deadline schedule run every second, and `take-payment` broken
//! (`--function-env take-payment:EVENTS_TABLE=...`: every invocation fails), so that the order's
//! `StockReserved` ends in `TakePaymentQueueDLQ`.
//!
//! The order must end `CANCELLED` `timeout` with its reservation released; then, with
//! take-payment mended and the dead letter redriven (`es-admin dlq redrive`), the late payment
//! must change nothing: balance, stock and order as they were (SPEC §6's invariants hold).
//!
//! `cargo test -p e2e-tests --test deadline` (scripts/test builds the functions first).

use e2e_tests::shop::{add_item, checkout, create_product, register_customer};
use e2e_tests::{eventually, strings, Api, Cloud, Suite};
use serde_json::{json, Value};
use std::time::Duration;
use uuid::Uuid;

const DEADLINE_SECONDS: &str = "4";
const BROKEN_PAYMENT: &str = "take-payment:EVENTS_TABLE=no-such-table";
/// Time for a saga step, a deadline run, five failed receives.
const WAIT: Duration = Duration::from_secs(90);

/// Messages in a queue of the local cloud: (visible, in flight).
async fn depth(cloud: &Cloud, queue: &str) -> (u64, u64) {
    let sqs = cloud.lock().await.sqs();
    let url = sqs
        .get_queue_url()
        .queue_name(queue)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{queue}: {e}"))
        .queue_url
        .unwrap();
    let attributes = sqs
        .get_queue_attributes()
        .queue_url(url)
        .attribute_names(aws_sdk_sqs::types::QueueAttributeName::All)
        .send()
        .await
        .unwrap()
        .attributes
        .unwrap_or_default();
    let count = |name: aws_sdk_sqs::types::QueueAttributeName| {
        attributes
            .get(&name)
            .and_then(|n| n.parse().ok())
            .unwrap_or(0)
    };
    (
        count(aws_sdk_sqs::types::QueueAttributeName::ApproximateNumberOfMessages),
        count(aws_sdk_sqs::types::QueueAttributeName::ApproximateNumberOfMessagesNotVisible),
    )
}

async fn body(api: &Api, path: &str) -> Value {
    let reply = api.get(path).await;
    assert_eq!(reply.status, 200, "{path}: {}", reply.body);
    reply.body
}

async fn a_stuck_order_times_out_and_a_late_payment_changes_nothing(cloud: Cloud) {
    let api = cloud.lock().await.api();
    let product = create_product(&api, "Kettle", 1500, 10).await;
    let customer = register_customer(&api, 10_000).await;
    assert_eq!(add_item(&api, &customer, &product, 2).await.status, 200);
    let correlation = format!("deadline-{}", Uuid::new_v4());
    let order_id = checkout(&api, &customer, &correlation).await;

    // Reserved, then stuck: the payment step fails until its message is dead-lettered.
    eventually("StockReserved in TakePaymentQueueDLQ", WAIT, || async {
        (depth(&cloud, "TakePaymentQueueDLQ").await.0 == 1).then_some(())
    })
    .await;
    let order = api
        .until(&format!("/orders/{order_id}"), WAIT, |r| {
            r.status == 200 && r.body["status"] == "CANCELLED"
        })
        .await
        .body;
    assert_eq!(order["cancellation_reason"], "timeout", "{order}");
    let inventory = api
        .until(&format!("/inventory/{product}"), WAIT, |r| {
            r.status == 200 && r.body["reserved"] == 0
        })
        .await
        .body;
    assert_eq!(
        (&inventory["stock"], &inventory["available"]),
        (&json!(10), &json!(10))
    );

    // The cause is gone, the dead letter comes back: the payment step finds the order's
    // payment decided (by the deadline) and takes nothing.
    cloud.lock().await.restart_functions_with(&[]);
    let redriven = cloud
        .lock()
        .await
        .es_admin(&["dlq", "redrive", "TakePaymentQueueDLQ"]);
    assert!(
        redriven.status.success(),
        "{}",
        String::from_utf8_lossy(&redriven.stderr)
    );
    eventually("the redriven message consumed", WAIT, || async {
        let queue = depth(&cloud, "TakePaymentQueue").await;
        let dead = depth(&cloud, "TakePaymentQueueDLQ").await;
        (queue == (0, 0) && dead == (0, 0)).then_some(())
    })
    .await;

    let customer_now = body(&api, &format!("/customers/{customer}")).await;
    assert_eq!(customer_now["balance_cents"], 10_000, "nothing debited");
    let order = body(&api, &format!("/orders/{order_id}")).await;
    assert_eq!(
        (&order["status"], &order["cancellation_reason"]),
        (&json!("CANCELLED"), &json!("timeout"))
    );
    let inventory = body(&api, &format!("/inventory/{product}")).await;
    assert_eq!(
        (&inventory["stock"], &inventory["reserved"]),
        (&json!(10), &json!(0))
    );
    let events = api.events_of(&correlation).await;
    let mut types = strings(&events, "event_type");
    types.sort_unstable();
    assert_eq!(
        types,
        [
            "CartCheckedOut",
            "OrderCancelled",
            "OrderPlaced",
            "StockReleased",
            "StockReserved"
        ],
        "no payment, one cancellation, one release"
    );
}

fn main() {
    Suite::new()
        .add(
            "a_stuck_order_times_out_and_a_late_payment_changes_nothing",
            a_stuck_order_times_out_and_a_late_payment_changes_nothing,
        )
        .run_on_local_cloud_with(&[
            "--parameter",
            &format!("OrderDeadlineSeconds={DEADLINE_SECONDS}"),
            "--schedule-every",
            "1",
            "--function-env",
            BROKEN_PAYMENT,
        ]);
}
