//! `dlq list`, `dlq show QUEUE`, `dlq redrive QUEUE`: the stack's dead-letter queues.
//!
//! Where a message goes back to depends on how it got there, and is decided per message:
//! - EventBridge put it there for a rule target (`RuleTargetsDLQ`): the body is the event the
//!   rule matched and `TARGET_ARN` names the target, a queue: sent to it;
//! - SQS moved it there after the consumer's receives ran out (`…QueueDLQ`): sent to the
//!   queue whose `RedrivePolicy` names this one;
//! - the publisher kept it (`PublishEventsDLQ`): the body is an event's envelope, put on the
//!   bus with the publisher's entry.
//!
//! A message is deleted from the dead-letter queue only after it was sent on; one that could
//! not be stays where it is, visible again at the end of the run.

use aws_sdk_sqs::types::{
    ChangeMessageVisibilityBatchRequestEntry, Message, MessageAttributeValue,
    MessageSystemAttributeName, QueueAttributeName,
};
use es_core::EventEnvelope;
use std::collections::HashMap;
use std::fmt;

use crate::bus;
use crate::error::{Context, Error, Result};
use crate::progress;
use crate::stack::{Queue, Stack};

/// The message attribute EventBridge sets on what it sends to a rule target's DLQ.
pub const TARGET_ARN: &str = "TARGET_ARN";

/// One dead-letter queue, as `dlq list` shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeadLetterQueue {
    pub logical_id: String,
    pub messages: u64,
    pub in_flight: u64,
    /// Where `redrive` sends its messages.
    pub redrives_to: String,
}

pub async fn list(stack: &Stack) -> Result<Vec<DeadLetterQueue>> {
    let mut found = Vec::new();
    for queue in stack
        .queues()
        .await?
        .into_iter()
        .filter(Queue::is_dead_letter_queue)
    {
        let (messages, in_flight) = counts(stack, &queue).await?;
        let sources = sources(stack, &queue).await?;
        let redrives_to = if !sources.is_empty() {
            sources
                .iter()
                .map(|q| q.logical_id.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        } else if queue.logical_id == "PublishEventsDLQ" {
            "the bus (each body is an event's envelope)".to_owned()
        } else {
            "each message's rule target (TARGET_ARN)".to_owned()
        };
        found.push(DeadLetterQueue {
            logical_id: queue.logical_id,
            messages,
            in_flight,
            redrives_to,
        });
    }
    Ok(found)
}

/// `dlq list`'s table.
pub fn format_list(queues: &[DeadLetterQueue]) -> String {
    let width = queues
        .iter()
        .map(|q| q.logical_id.len())
        .max()
        .unwrap_or(0)
        .max(16);
    let mut out = format!(
        "{:<width$}  MESSAGES  IN FLIGHT  REDRIVES TO\n",
        "DEAD-LETTER QUEUE"
    );
    for q in queues {
        out.push_str(&format!(
            "{:<width$}  {:>8}  {:>9}  {}\n",
            q.logical_id, q.messages, q.in_flight, q.redrives_to
        ));
    }
    let total: u64 = queues.iter().map(|q| q.messages).sum();
    out.push_str(&format!(
        "{} dead-letter queues, {total} messages",
        queues.len()
    ));
    out
}

/// The approximate numbers of visible and in-flight messages.
async fn counts(stack: &Stack, queue: &Queue) -> Result<(u64, u64)> {
    let answer = stack
        .sqs
        .get_queue_attributes()
        .queue_url(&queue.url)
        .attribute_names(QueueAttributeName::ApproximateNumberOfMessages)
        .attribute_names(QueueAttributeName::ApproximateNumberOfMessagesNotVisible)
        .send()
        .await
        .context(format!("reading the attributes of {}", queue.logical_id))?;
    let number = |name: QueueAttributeName| {
        answer
            .attributes()
            .and_then(|a| a.get(&name))
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    };
    Ok((
        number(QueueAttributeName::ApproximateNumberOfMessages),
        number(QueueAttributeName::ApproximateNumberOfMessagesNotVisible),
    ))
}

/// The queues whose `RedrivePolicy` names `queue`.
async fn sources(stack: &Stack, queue: &Queue) -> Result<Vec<Queue>> {
    let answer = stack
        .sqs
        .list_dead_letter_source_queues()
        .queue_url(&queue.url)
        .send()
        .await
        .context(format!(
            "listing the queues that send to {}",
            queue.logical_id
        ))?;
    let all = stack.queues().await?;
    Ok(answer
        .queue_urls()
        .iter()
        .map(|url| {
            all.iter()
                .find(|q| &q.url == url)
                .cloned()
                .unwrap_or_else(|| Queue {
                    logical_id: url.rsplit('/').next().unwrap_or(url).to_owned(),
                    url: url.clone(),
                })
        })
        .collect())
}

/// Receives up to `max` messages, hiding each for `hide_seconds` so that the next receive
/// returns others.
async fn receive(
    stack: &Stack,
    queue: &Queue,
    max: usize,
    hide_seconds: i32,
) -> Result<Vec<Message>> {
    let mut messages: Vec<Message> = Vec::new();
    while messages.len() < max {
        let answer = stack
            .sqs
            .receive_message()
            .queue_url(&queue.url)
            .max_number_of_messages((max - messages.len()).min(10) as i32)
            .visibility_timeout(hide_seconds)
            .wait_time_seconds(1)
            .message_attribute_names("All")
            .message_system_attribute_names(MessageSystemAttributeName::All)
            .send()
            .await
            .context(format!("receiving from {}", queue.logical_id))?;
        if answer.messages().is_empty() {
            break;
        }
        messages.extend(answer.messages().iter().cloned());
    }
    Ok(messages)
}

/// Makes `messages` visible again at once.
async fn release(stack: &Stack, queue: &Queue, messages: &[&Message]) -> Result<()> {
    for chunk in messages.chunks(10) {
        let entries = chunk
            .iter()
            .enumerate()
            .filter_map(|(i, m)| {
                ChangeMessageVisibilityBatchRequestEntry::builder()
                    .id(i.to_string())
                    .set_receipt_handle(m.receipt_handle().map(str::to_owned))
                    .visibility_timeout(0)
                    .build()
                    .ok()
            })
            .collect();
        stack
            .sqs
            .change_message_visibility_batch()
            .queue_url(&queue.url)
            .set_entries(Some(entries))
            .send()
            .await
            .context(format!(
                "making messages of {} visible again",
                queue.logical_id
            ))?;
    }
    Ok(())
}

fn system_attribute(message: &Message, name: MessageSystemAttributeName) -> Option<&str> {
    message
        .attributes()
        .and_then(|a| a.get(&name))
        .map(String::as_str)
}

fn user_attribute<'a>(message: &'a Message, name: &str) -> Option<&'a str> {
    message
        .message_attributes()
        .and_then(|a| a.get(name))
        .and_then(|v| v.string_value())
}

/// `dlq show QUEUE`: prints up to `max` messages, then makes them visible again.
pub async fn show(stack: &Stack, logical_id: &str, max: usize) -> Result<String> {
    let queue = dead_letter_queue(stack, logical_id).await?;
    let messages = receive(stack, &queue, max, 30).await?;
    release(stack, &queue, &messages.iter().collect::<Vec<_>>()).await?;
    let mut out = String::new();
    for (n, message) in messages.iter().enumerate() {
        out.push_str(&format_message(n + 1, message));
    }
    let (visible, _) = counts(stack, &queue).await?;
    out.push_str(&format!(
        "{} messages shown of {logical_id} (about {visible} in the queue); none removed",
        messages.len()
    ));
    Ok(out)
}

fn format_message(n: usize, message: &Message) -> String {
    let sent = system_attribute(message, MessageSystemAttributeName::SentTimestamp)
        .and_then(|ms| ms.parse::<i64>().ok())
        .and_then(chrono::DateTime::from_timestamp_millis)
        .map(|t| es_core::time::format(&t))
        .unwrap_or_else(|| "?".into());
    let receives = system_attribute(message, MessageSystemAttributeName::ApproximateReceiveCount)
        .unwrap_or("?");
    let mut attributes: Vec<String> = message
        .message_attributes()
        .map(|a| {
            a.iter()
                .map(|(k, v)| format!("{k}={}", v.string_value().unwrap_or("(binary)")))
                .collect()
        })
        .unwrap_or_default();
    attributes.sort();
    format!(
        "#{n} message {}\n  sent: {sent}\n  receive count: {receives}\n  attributes: {}\n  body: {}\n",
        message.message_id().unwrap_or("?"),
        if attributes.is_empty() { "(none)".to_owned() } else { attributes.join(", ") },
        message.body().unwrap_or("")
    )
}

async fn dead_letter_queue(stack: &Stack, logical_id: &str) -> Result<Queue> {
    let queue = stack.queue(logical_id).await?;
    if !queue.is_dead_letter_queue() {
        return Err(Error::new(format!(
            "{logical_id} is not a dead-letter queue (their logical ids end with DLQ; see dlq list)"
        )));
    }
    Ok(queue)
}

/// What a redrive did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Redriven {
    pub queue: String,
    /// Sent on, by destination.
    pub moved: HashMap<String, u64>,
    pub failed: u64,
    /// Messages left in the queue afterwards (approximate).
    pub left: u64,
}

impl Redriven {
    pub fn moved_total(&self) -> u64 {
        self.moved.values().sum()
    }
}

impl fmt::Display for Redriven {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut to: Vec<String> = self
            .moved
            .iter()
            .map(|(d, n)| format!("{n} to {d}"))
            .collect();
        to.sort();
        write!(
            f,
            "redrove {}: {} moved{}{}, {} failed (left in the queue), about {} messages left",
            self.queue,
            self.moved_total(),
            if to.is_empty() { "" } else { ": " },
            to.join(", "),
            self.failed,
            self.left
        )
    }
}

/// Where one message goes back to.
#[derive(Debug, Clone)]
enum Destination {
    Queue { logical_id: String, url: String },
    Bus(Box<EventEnvelope>),
}

/// Messages received per round of a redrive, hidden meanwhile.
const HIDE_SECONDS: i32 = 120;

/// `dlq redrive QUEUE`.
pub async fn redrive(stack: &Stack, logical_id: &str) -> Result<Redriven> {
    let queue = dead_letter_queue(stack, logical_id).await?;
    let sources = sources(stack, &queue).await?;
    let all_queues = stack.queues().await?;
    // As many as the queue held when asked: messages that fail again and come back while this
    // runs wait for the next redrive instead of going round in circles.
    let (to_move, _) = counts(stack, &queue).await?;
    let bar = progress::bar(to_move, "messages");
    let mut done = Redriven {
        queue: logical_id.to_owned(),
        ..Redriven::default()
    };
    let mut failed_messages = Vec::new();
    let mut handled = 0u64;
    while handled < to_move {
        let batch = receive(
            stack,
            &queue,
            ((to_move - handled) as usize).min(10),
            HIDE_SECONDS,
        )
        .await?;
        if batch.is_empty() {
            break;
        }
        handled += batch.len() as u64;
        let mut destinations = Vec::with_capacity(batch.len());
        for message in &batch {
            destinations.push(destination(stack, message, &sources, &all_queues).await);
        }
        // The envelopes of the batch go to the bus together, in calls the publisher would make.
        let envelopes: Vec<EventEnvelope> = destinations
            .iter()
            .filter_map(|d| match d {
                Ok(Destination::Bus(e)) => Some((**e).clone()),
                _ => None,
            })
            .collect();
        let mut put = bus::put(&stack.eventbridge, &stack.bus(), &envelopes)
            .await
            .into_iter();
        for (message, destination) in batch.iter().zip(destinations) {
            let sent = match destination {
                Ok(Destination::Queue { logical_id, url }) => {
                    send(stack, &url, message).await.map(|()| logical_id)
                }
                Ok(Destination::Bus(_)) => put
                    .next()
                    .unwrap_or_else(|| Err("no result".into()))
                    .map(|()| "the bus".to_owned()),
                Err(why) => Err(why),
            };
            bar.inc(1);
            match sent {
                Ok(to) => {
                    stack
                        .sqs
                        .delete_message()
                        .queue_url(&queue.url)
                        .set_receipt_handle(message.receipt_handle().map(str::to_owned))
                        .send()
                        .await
                        .context(format!("deleting a redriven message from {logical_id}"))?;
                    *done.moved.entry(to).or_default() += 1;
                }
                Err(why) => {
                    done.failed += 1;
                    bar.suspend(|| {
                        eprintln!(
                            "failed: message {}: {why}",
                            message.message_id().unwrap_or("?")
                        )
                    });
                    failed_messages.push(message.clone());
                }
            }
        }
    }
    bar.finish_and_clear();
    release(stack, &queue, &failed_messages.iter().collect::<Vec<_>>()).await?;
    done.left = counts(stack, &queue).await?.0;
    Ok(done)
}

async fn destination(
    stack: &Stack,
    message: &Message,
    sources: &[Queue],
    all_queues: &[Queue],
) -> std::result::Result<Destination, String> {
    if let Some(target) = user_attribute(message, TARGET_ARN) {
        let url = stack
            .queue_url_of_arn(target)
            .await
            .map_err(|e| e.to_string())?;
        let logical_id = all_queues
            .iter()
            .find(|q| q.url == url)
            .map(|q| q.logical_id.clone())
            .unwrap_or_else(|| url.clone());
        return Ok(Destination::Queue { logical_id, url });
    }
    match sources {
        [only] => Ok(Destination::Queue {
            logical_id: only.logical_id.clone(),
            url: only.url.clone(),
        }),
        [] => serde_json::from_str::<EventEnvelope>(message.body().unwrap_or(""))
            .map(|e| Destination::Bus(Box::new(e)))
            .map_err(|e| {
                format!("no queue sends here, no TARGET_ARN, and the body is not an event envelope ({e})")
            }),
        several => Err(format!(
            "{} queues send to this one: which one this message came from is unknown",
            several.len()
        )),
    }
}

/// Sends `message`'s body and attributes to `url`.
async fn send(stack: &Stack, url: &str, message: &Message) -> std::result::Result<(), String> {
    let attributes: Option<HashMap<String, MessageAttributeValue>> = message
        .message_attributes()
        .cloned()
        .filter(|a| !a.is_empty());
    stack
        .sqs
        .send_message()
        .queue_url(url)
        .message_body(message.body().unwrap_or(""))
        .set_message_attributes(attributes)
        .send()
        .await
        .map(|_| ())
        .map_err(|e| {
            format!(
                "sending to {url}: {}",
                aws_smithy_types::error::display::DisplayErrorContext(&e)
            )
        })
}
