//! The SQS event source mappings: each queue polled by its own task, batches of real SQS events
//! handed to the queue's consumer, as Lambda does.
//!
//! - `ReceiveMessage` never long-polls (`WaitTimeSeconds` 0: moto serves one request at a time)
//!   and asks for `min(BatchSize, 10)` messages. A poller polls until its queue answers empty,
//!   then waits for a wake ([`crate::wake`]: a function that may send messages returned), the
//!   time its failed messages come back, or its slow safety poll.
//! - Received messages stay hidden for the consumer's timeout plus a margin (the receive's
//!   `VisibilityTimeout`), not the queue's 180 s: a runner killed mid-batch gets them back soon.
//! - On success every message not listed in `batchItemFailures` is deleted. Failed messages
//!   (all of them on a function error or timeout) are made visible again after
//!   [`RETRY_DELAY`] (`ChangeMessageVisibility`) instead of the queue's long visibility timeout,
//!   so local retries are quick, and the poller polls again when they are visible, woken or
//!   not; the queue's redrive policy moves a message to its DLQ after `maxReceiveCount`
//!   receives (moto does it on the receive after the last one, which then wakes the pollers:
//!   the DLQ may have a consumer).
//! - With [`QueuePoller::deliver_twice`] (`--deliver-twice`, for idempotency tests) every batch
//!   is handed to the function twice, concurrently, as if SQS had delivered each message twice
//!   to two consumers at once: a message is retried if either invocation failed it
//!   ([`merge_failures`]) and deleted only if both succeeded.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::{Duration, Instant};

use aws_sdk_sqs::types::{
    ChangeMessageVisibilityBatchRequestEntry, DeleteMessageBatchRequestEntry, Message,
    MessageSystemAttributeName,
};
use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use serde_json::{json, Map, Value};
use tokio::sync::watch;

use crate::aws::Clients;
use crate::invoke::{batch_item_failures, client_timeout, Invocation, Invoker};
use crate::wake::{spread, Wakes};
use crate::{context, Result};

/// How long a failed message stays hidden before it is retried.
pub const RETRY_DELAY: Duration = Duration::from_secs(1);

/// When to poll for failed messages made visible again: after [`RETRY_DELAY`], counted from
/// the answer to `ChangeMessageVisibility` (moto counts from the request), plus a margin.
const RETRY_POLL: Duration = Duration::from_millis(RETRY_DELAY.as_millis() as u64 + 100);

/// Which messages of a batch (by index) failed.
pub fn failed_messages(
    message_ids: &[String],
    invocation: &Invocation,
    reports: bool,
) -> Vec<bool> {
    let all = |failed: bool| vec![failed; message_ids.len()];
    let Invocation::Ok(response) = invocation else {
        return all(true);
    };
    if !reports {
        return all(false);
    }
    let Some(failures) = batch_item_failures(response) else {
        return all(false);
    };
    let mut failed = BTreeSet::new();
    for failure in failures {
        match failure.and_then(|id| message_ids.iter().position(|m| *m == id)) {
            Some(index) => {
                failed.insert(index);
            }
            // An identifier that is no message of the batch fails the whole batch (Lambda).
            None => return all(true),
        }
    }
    (0..message_ids.len())
        .map(|i| failed.contains(&i))
        .collect()
}

/// The failures of a batch delivered more than once: a message failed if any delivery failed it.
pub fn merge_failures(first: &[bool], second: &[bool]) -> Vec<bool> {
    debug_assert_eq!(first.len(), second.len());
    first.iter().zip(second).map(|(a, b)| *a || *b).collect()
}

/// A message as Lambda's SQS event carries it.
pub fn record_json(message: &Message, queue_arn: &str, region: &str) -> Value {
    let attributes: Map<String, Value> = message
        .attributes
        .iter()
        .flatten()
        .map(|(k, v)| (k.as_str().to_string(), Value::String(v.clone())))
        .collect();
    let message_attributes: Map<String, Value> = message
        .message_attributes
        .iter()
        .flatten()
        .map(|(name, value)| {
            (
                name.clone(),
                json!({
                    "stringValue": value.string_value,
                    "binaryValue": value.binary_value.as_ref().map(|b| BASE64.encode(b.as_ref())),
                    "stringListValues": value.string_list_values.clone().unwrap_or_default(),
                    "binaryListValues": value
                        .binary_list_values
                        .iter()
                        .flatten()
                        .map(|b| BASE64.encode(b.as_ref()))
                        .collect::<Vec<_>>(),
                    "dataType": value.data_type,
                }),
            )
        })
        .collect();
    let mut record = json!({
        "messageId": message.message_id,
        "receiptHandle": message.receipt_handle,
        "body": message.body,
        "attributes": attributes,
        "messageAttributes": message_attributes,
        "md5OfBody": message.md5_of_body,
        "eventSource": "aws:sqs",
        "eventSourceARN": queue_arn,
        "awsRegion": region,
    });
    if let Some(md5) = &message.md5_of_message_attributes {
        record["md5OfMessageAttributes"] = json!(md5);
    }
    record
}

/// One queue → function mapping, running.
pub struct QueuePoller {
    pub clients: Clients,
    pub invoker: Arc<dyn Invoker>,
    pub function: String,
    pub function_timeout: Duration,
    pub queue_name: String,
    pub queue_url: String,
    pub queue_arn: String,
    pub region: String,
    pub batch_size: u32,
    pub reports_item_failures: bool,
    /// The queue's redrive `maxReceiveCount`: a message failed on its last receive is moved to
    /// the DLQ on the next receive.
    pub max_receive_count: Option<u32>,
    /// Rung when messages may have arrived (and rung by this poller after a redrive).
    pub wakes: Wakes,
    /// Pause of an empty queue without a wake (spread per queue: [`spread`]).
    pub safety_poll: Duration,
    /// Hand every batch to the function twice, concurrently (`--deliver-twice`: idempotency
    /// tests).
    pub deliver_twice: bool,
}

impl QueuePoller {
    /// Polls until `shutdown` turns true.
    pub async fn run(self, mut shutdown: watch::Receiver<bool>) -> Result<()> {
        tracing::info!(
            function = %self.function,
            "queue poller on {}{}",
            self.queue_name,
            if self.deliver_twice {
                " (every batch delivered twice)"
            } else {
                ""
            }
        );
        let mut wake = self.wakes.messages();
        let safety_poll = spread(self.safety_poll, &self.queue_name);
        // When failed messages come back, and whether one of them may go to the DLQ then.
        let mut retry: Option<(Instant, bool)> = None;
        // While the function cannot be invoked at all, every receive still counts towards the
        // redrive: back off (1 s doubling to 30 s) rather than move messages to the DLQ in
        // seconds.
        let mut unreachable = 0u32;
        loop {
            if *shutdown.borrow() {
                return Ok(());
            }
            let retrying = retry.filter(|(at, _)| *at <= Instant::now());
            if retrying.is_some() {
                retry = None;
            }
            wake.heard();
            let polled = self.poll().await;
            if retrying.is_some_and(|(_, redrive)| redrive) {
                // That receive may have moved messages to a DLQ, which may have a consumer.
                self.wakes.sent();
            }
            let pause = match polled {
                Ok(Polled::Batch(retried)) => {
                    unreachable = 0;
                    if let Some(retried) = retried {
                        let at = retried.visible_after + RETRY_POLL;
                        let redrive = retried.last_receive;
                        retry = Some(match retry {
                            Some((earlier, r)) => (earlier.min(at), r || redrive),
                            None => (at, redrive),
                        });
                    }
                    Duration::ZERO
                }
                Ok(Polled::Empty) => Duration::MAX,
                Ok(Polled::Unreachable) => {
                    unreachable += 1;
                    (Duration::from_secs(1) * 2u32.pow(unreachable.min(5) - 1))
                        .min(Duration::from_secs(30))
                }
                Err(e) => {
                    tracing::warn!(function = %self.function, queue = %self.queue_name, "{e}");
                    Duration::from_secs(1)
                }
            };
            if pause.is_zero() {
                continue;
            }
            if pause == Duration::MAX {
                // Idle: a wake, the retry time or the safety poll, whichever comes first.
                let mut deadline = tokio::time::Instant::now() + safety_poll;
                if let Some((at, _)) = retry {
                    deadline = deadline.min(tokio::time::Instant::from_std(at));
                }
                tokio::select! {
                    _ = wake.until(deadline) => {}
                    _ = shutdown.changed() => {}
                }
            } else {
                tokio::select! {
                    _ = tokio::time::sleep(pause) => {}
                    _ = shutdown.changed() => {}
                }
            }
        }
    }

    /// Deletes the messages of a batch that were handled.
    async fn delete(&self, done: &[(&Message, &bool)]) -> Result<()> {
        let sqs = &self.clients.sqs;
        let mut request = sqs.delete_message_batch().queue_url(&self.queue_url);
        for (id, handle) in batch_handles(done) {
            request = request.entries(
                DeleteMessageBatchRequestEntry::builder()
                    .id(id)
                    .receipt_handle(handle)
                    .build()
                    .map_err(context("DeleteMessageBatch entry"))?,
            );
        }
        let output = request
            .send()
            .await
            .map_err(context(format!("DeleteMessageBatch {}", self.queue_name)))?;
        if !output.failed.is_empty() {
            tracing::warn!(queue = %self.queue_name, "not deleted: {:?}", output.failed);
        }
        Ok(())
    }

    /// Makes the failed messages of a batch visible again after [`RETRY_DELAY`].
    async fn hide_until_retry(&self, retry: &[(&Message, &bool)]) -> Result<()> {
        let sqs = &self.clients.sqs;
        let mut request = sqs
            .change_message_visibility_batch()
            .queue_url(&self.queue_url);
        for (id, handle) in batch_handles(retry) {
            request = request.entries(
                ChangeMessageVisibilityBatchRequestEntry::builder()
                    .id(id)
                    .receipt_handle(handle)
                    .visibility_timeout(RETRY_DELAY.as_secs() as i32)
                    .build()
                    .map_err(context("ChangeMessageVisibilityBatch entry"))?,
            );
        }
        request.send().await.map_err(context(format!(
            "ChangeMessageVisibilityBatch {}",
            self.queue_name
        )))?;
        Ok(())
    }

    /// One receive and its batch.
    pub async fn poll(&self) -> Result<Polled> {
        let timeout = client_timeout(self.function_timeout);
        let received = self
            .clients
            .sqs
            .receive_message()
            .queue_url(&self.queue_url)
            .max_number_of_messages(self.batch_size.clamp(1, 10) as i32)
            .wait_time_seconds(0)
            .visibility_timeout(timeout.as_secs() as i32 + 5)
            .message_system_attribute_names(MessageSystemAttributeName::All)
            .message_attribute_names("All")
            .send()
            .await
            .map_err(context(format!("ReceiveMessage {}", self.queue_name)))?;
        let messages = received.messages.unwrap_or_default();
        if messages.is_empty() {
            return Ok(Polled::Empty);
        }
        let ids: Vec<String> = messages
            .iter()
            .map(|m| m.message_id.clone().unwrap_or_default())
            .collect();
        let event = json!({
            "Records": messages
                .iter()
                .map(|m| record_json(m, &self.queue_arn, &self.region))
                .collect::<Vec<_>>()
        });
        let payload = event.to_string().into_bytes();
        let started = Instant::now();
        let invocations = if self.deliver_twice {
            // Two consumers receiving the same messages at the same time.
            let (first, second) = tokio::join!(
                self.invoker
                    .invoke(&self.function, payload.clone(), timeout),
                self.invoker.invoke(&self.function, payload, timeout),
            );
            vec![first, second]
        } else {
            vec![self.invoker.invoke(&self.function, payload, timeout).await]
        };
        let elapsed = started.elapsed().as_millis();
        let per_delivery: Vec<Vec<bool>> = invocations
            .iter()
            .map(|invocation| failed_messages(&ids, invocation, self.reports_item_failures))
            .collect();
        let failed = per_delivery
            .iter()
            .fold(vec![false; ids.len()], |all, one| merge_failures(&all, one));
        let (retry, done): (Vec<_>, Vec<_>) = messages
            .iter()
            .zip(&failed)
            .partition(|(_, failed)| **failed);
        let line = if let [first, second] = invocations.as_slice() {
            let count = |failed: &[bool]| failed.iter().filter(|f| **f).count();
            let counts = if retry.is_empty() {
                String::new()
            } else {
                format!(
                    " (first delivery {}, second {})",
                    count(&per_delivery[0]),
                    count(&per_delivery[1])
                )
            };
            let mut outcome = String::new();
            for (ordinal, invocation) in [("first", first), ("second", second)] {
                if let Some(what) = outcome_of(invocation) {
                    outcome.push_str(&format!(", {ordinal} delivery: {what}"));
                }
            }
            format!(
                "SQS {} -> {}: {} messages delivered twice, {} failed{counts}{outcome} ({elapsed} ms)",
                self.queue_name,
                self.function,
                messages.len(),
                retry.len()
            )
        } else {
            let outcome = outcome_of(&invocations[0])
                .map(|what| format!(", {what}"))
                .unwrap_or_default();
            format!(
                "SQS {} -> {}: {} messages, {} failed{outcome} ({elapsed} ms)",
                self.queue_name,
                self.function,
                messages.len(),
                retry.len()
            )
        };
        if retry.is_empty() {
            tracing::info!("{line}");
        } else {
            tracing::warn!("{line}");
        }
        if !done.is_empty() {
            self.delete(&done).await?;
        }
        let mut retried = None;
        if !retry.is_empty() {
            self.hide_until_retry(&retry).await?;
            let last_receive = self.max_receive_count.is_some_and(|max| {
                retry
                    .iter()
                    .any(|(message, _)| receive_count(message) >= max)
            });
            retried = Some(Retried {
                visible_after: Instant::now() + RETRY_DELAY,
                last_receive,
            });
        }
        // Either delivery unreachable: back off (every receive counts towards the redrive).
        let unreachable = invocations
            .iter()
            .any(|invocation| matches!(invocation, Invocation::Unreachable(_)));
        Ok(if unreachable {
            Polled::Unreachable
        } else {
            Polled::Batch(retried)
        })
    }
}

/// What went wrong with an invocation, for the log line (`None`: the function returned).
fn outcome_of(invocation: &Invocation) -> Option<String> {
    match invocation {
        Invocation::Ok(_) => None,
        Invocation::FunctionError(e) => Some(format!("function error: {}", one_line(e))),
        Invocation::Timeout => Some("timed out".into()),
        Invocation::Unreachable(e) => Some(format!("cannot invoke: {}", one_line(e))),
    }
}

/// The entry id (the message's index) and receipt handle of each message of a batch, as the
/// batch calls take them.
fn batch_handles<'a>(
    messages: &'a [(&Message, &bool)],
) -> impl Iterator<Item = (String, String)> + 'a {
    messages.iter().enumerate().map(|(i, (message, _))| {
        (
            i.to_string(),
            message.receipt_handle.clone().unwrap_or_default(),
        )
    })
}

/// `ApproximateReceiveCount` of a received message (0 when absent).
fn receive_count(message: &Message) -> u32 {
    message
        .attributes
        .as_ref()
        .and_then(|a| a.get(&MessageSystemAttributeName::ApproximateReceiveCount))
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

/// Messages of a batch that failed and were made visible again.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Retried {
    /// When they are visible again, at the latest.
    pub visible_after: Instant,
    /// One of them failed on its last receive before the redrive.
    pub last_receive: bool,
}

/// What one poll of a queue found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Polled {
    Empty,
    /// A batch was handled; some of it may be retried.
    Batch(Option<Retried>),
    /// There was a batch, and the function could not be invoked at all.
    Unreachable,
}

fn one_line(text: &str) -> String {
    text.chars().filter(|c| *c != '\n').take(300).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::invoke::reporting_failures as reported;
    use aws_sdk_sqs::types::MessageAttributeValue;

    fn ids() -> Vec<String> {
        ["m1", "m2", "m3"].map(String::from).to_vec()
    }

    #[test]
    fn only_the_reported_messages_are_retried() {
        assert_eq!(
            failed_messages(&ids(), &reported(&["m3", "m1"]), true),
            [true, false, true]
        );
        assert_eq!(
            failed_messages(&ids(), &Invocation::Ok(b"{}".to_vec()), true),
            [false; 3]
        );
        assert_eq!(
            failed_messages(&ids(), &reported(&["m2"]), false),
            [false; 3]
        );
    }

    #[test]
    fn errors_and_unknown_identifiers_fail_the_whole_batch() {
        assert_eq!(failed_messages(&ids(), &reported(&["zz"]), true), [true; 3]);
        assert_eq!(failed_messages(&ids(), &reported(&[""]), true), [true; 3]);
        assert_eq!(
            failed_messages(&ids(), &Invocation::FunctionError("x".into()), true),
            [true; 3]
        );
        assert_eq!(
            failed_messages(&ids(), &Invocation::Timeout, false),
            [true; 3]
        );
    }

    #[test]
    fn a_message_delivered_twice_fails_if_either_delivery_failed_it() {
        assert_eq!(
            merge_failures(&[false, true, false, true], &[false, false, true, true]),
            [false, true, true, true]
        );
        assert_eq!(merge_failures(&[], &[]), Vec::<bool>::new());
        // One delivery reports m2, the other succeeds: only m2 is retried.
        let first = failed_messages(&ids(), &reported(&["m2"]), true);
        let second = failed_messages(&ids(), &Invocation::Ok(b"{}".to_vec()), true);
        assert_eq!(merge_failures(&first, &second), [false, true, false]);
        assert_eq!(merge_failures(&second, &first), [false, true, false]);
        // A function error or timeout of either delivery fails (retries) the whole batch.
        for broken in [Invocation::FunctionError("x".into()), Invocation::Timeout] {
            let broken = failed_messages(&ids(), &broken, true);
            assert_eq!(merge_failures(&broken, &second), [true; 3]);
            assert_eq!(merge_failures(&first, &broken), [true; 3]);
        }
        // Both succeed: every message is deleted.
        assert_eq!(merge_failures(&second, &second), [false; 3]);
    }

    #[test]
    fn messages_read_as_lambda_sqs_events() {
        let message = Message::builder()
            .message_id("m1")
            .receipt_handle("rh")
            .body(r#"{"detail-type":"RadarInstalled"}"#)
            .md5_of_body("abc")
            .attributes(MessageSystemAttributeName::ApproximateReceiveCount, "2")
            .attributes(MessageSystemAttributeName::SentTimestamp, "1795342500123")
            .message_attributes(
                "trace",
                MessageAttributeValue::builder()
                    .data_type("String")
                    .string_value("t-1")
                    .build()
                    .unwrap(),
            )
            .build();
        let record = record_json(
            &message,
            "arn:aws:sqs:us-east-1:123456789012:Q",
            "us-east-1",
        );
        assert_eq!(record["attributes"]["ApproximateReceiveCount"], "2");
        let event: aws_lambda_events::sqs::SqsEvent =
            serde_json::from_value(json!({ "Records": [record] })).expect("a Lambda SQS event");
        let record = &event.records[0];
        assert_eq!(record.message_id.as_deref(), Some("m1"));
        assert_eq!(record.receipt_handle.as_deref(), Some("rh"));
        assert_eq!(record.event_source.as_deref(), Some("aws:sqs"));
        assert_eq!(
            record.event_source_arn.as_deref(),
            Some("arn:aws:sqs:us-east-1:123456789012:Q")
        );
        assert_eq!(record.attributes["ApproximateReceiveCount"], "2");
        assert_eq!(
            record.message_attributes["trace"].string_value.as_deref(),
            Some("t-1")
        );
    }
}
