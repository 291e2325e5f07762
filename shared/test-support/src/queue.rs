//! Reading a queue to the end in a test: what arrived, and that nothing more did.

use std::time::{Duration, Instant};

use aws_sdk_sqs::types::Message;

/// Receives and deletes the messages of `queue_url` (with all their attributes) until
/// `expected` of them have come and a poll of a second found nothing more, so that extra ones
/// are caught too; or until `deadline` has passed.
pub async fn drain_queue(
    sqs: &aws_sdk_sqs::Client,
    queue_url: &str,
    expected: usize,
    deadline: Duration,
) -> Vec<Message> {
    let started = Instant::now();
    let mut drained = Vec::new();
    loop {
        let messages = sqs
            .receive_message()
            .queue_url(queue_url)
            .max_number_of_messages(10)
            .message_attribute_names("All")
            .wait_time_seconds(1)
            .send()
            .await
            .expect("ReceiveMessage")
            .messages
            .unwrap_or_default();
        let quiet = messages.is_empty();
        for message in messages {
            sqs.delete_message()
                .queue_url(queue_url)
                .receipt_handle(message.receipt_handle().unwrap_or_default())
                .send()
                .await
                .expect("DeleteMessage");
            drained.push(message);
        }
        if (quiet && drained.len() >= expected) || started.elapsed() > deadline {
            return drained;
        }
    }
}
