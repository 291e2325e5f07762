//! The DynamoDB stream event source mapping: reads a table's stream in order and invokes the
//! function with batches of real DynamoDB stream events, as Lambda does.
//!
//! - The stream is read until it has nothing new, then again when woken ([`crate::wake`]: a
//!   function the runner invoked returned, so it may have written), when a failed batch's
//!   backoff is over, or at the slow safety poll.
//! - Every poll asks for a fresh shard iterator, after the checkpoint (`TRIM_HORIZON` the
//!   first time): moto silently orphans the iterators it handed out when a transaction fails,
//!   so an iterator is never kept across polls.
//! - A batch is `BatchSize` records. When the function reports `batchItemFailures`, the records
//!   before the first failed one are done (checkpoint) and the next batch starts at it; a
//!   function error (or timeout) retries the whole batch. After `MaximumRetryAttempts` retries
//!   of the same record, the failing part of the batch is described on the `OnFailure` queue
//!   (as Lambda does it: shard, sequence numbers, not the records) and skipped.
//! - The checkpoint (last sequence number per shard) is saved after every batch
//!   ([`crate::checkpoint`]), so a restarted runner resumes where it was; a checkpoint of
//!   another stream ARN (the emulator restarted) is ignored and the stream read from
//!   `TRIM_HORIZON`.
//!
//! The module by job: [`retry`] (what a batch's answer does to the checkpoint and the retry
//! count), [`records`] (stream records as Lambda delivers them) and, here, the
//! [`StreamPoller`] that reads the stream and invokes the function.

mod records;
mod retry;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use aws_sdk_dynamodbstreams::types::{Record, ShardIteratorType};
use serde_json::{json, Value};
use tokio::sync::watch;

use crate::aws::Clients;
use crate::checkpoint::{CheckpointFile, StreamCheckpoint};
use crate::invoke::{client_timeout, Invocation, Invoker};
use crate::template::StreamSource;
use crate::wake::{spread, Wakes};
use crate::{context, Error, Result};

pub use records::{attribute_json, record_json};
pub use retry::{apply, backoff, verdict, Failing, Next, Verdict};

use records::sequence_number;

/// A fresh iterator of `shard` of the stream `stream_arn`: after the record `after`, or at the
/// shard's oldest record (`TRIM_HORIZON`).
pub async fn shard_iterator(
    streams: &aws_sdk_dynamodbstreams::Client,
    stream_arn: &str,
    shard: &str,
    after: Option<&str>,
) -> Result<String> {
    let request = streams
        .get_shard_iterator()
        .stream_arn(stream_arn)
        .shard_id(shard);
    let request = match after {
        Some(sequence_number) => request
            .shard_iterator_type(ShardIteratorType::AfterSequenceNumber)
            .sequence_number(sequence_number),
        None => request.shard_iterator_type(ShardIteratorType::TrimHorizon),
    };
    request
        .send()
        .await
        .map_err(context(format!("GetShardIterator {shard}")))?
        .shard_iterator
        .ok_or_else(|| Error::new(format!("GetShardIterator {shard}: no iterator")))
}

/// One stream → function mapping, running.
pub struct StreamPoller {
    pub clients: Clients,
    pub invoker: Arc<dyn Invoker>,
    pub function: String,
    pub function_arn: String,
    pub function_timeout: Duration,
    /// The mapping as the template declares it, with the stream's real ARN (provisioned).
    pub mapping: StreamSource,
    /// The on-failure destination: an SQS queue URL.
    pub on_failure_url: Option<String>,
    pub checkpoints: CheckpointFile,
    /// Rung when records may have been written; this poller rings the queues' bell after it
    /// sent to the on-failure queue.
    pub wakes: Wakes,
    /// Pause of a stream with nothing new, without a wake.
    pub safety_poll: Duration,
}

#[derive(Default)]
struct ShardState {
    failing: Option<Failing>,
    /// A failed batch is retried after its backoff, not before.
    retry_at: Option<Instant>,
}

/// What one poll of a shard found.
enum Polled {
    Nothing,
    /// A batch was handled and the checkpoint moved: poll again at once.
    Progress,
    /// A batch failed: retry after this pause.
    RetryAfter(Duration),
}

impl StreamPoller {
    /// Polls until `shutdown` turns true.
    pub async fn run(self, mut shutdown: watch::Receiver<bool>) -> Result<()> {
        let mut checkpoint = self.checkpoints.load_for(&self.mapping.stream_arn)?;
        let mut states: HashMap<String, ShardState> = HashMap::new();
        let mut shards: Vec<String> = vec![];
        tracing::info!(
            function = %self.function,
            "stream poller on {} from {}",
            self.mapping.stream_arn,
            if checkpoint.shards.is_empty() {
                self.mapping.starting_position.clone()
            } else {
                format!("checkpoint {:?}", checkpoint.shards)
            }
        );
        let mut wake = self.wakes.writes();
        let safety_poll = spread(self.safety_poll, &self.mapping.stream_arn);
        loop {
            if *shutdown.borrow() {
                return Ok(());
            }
            wake.heard();
            // `None`: idle (wait for a wake, a retry or the safety poll).
            let mut pause = None;
            if shards.is_empty() {
                match self.list_shards().await {
                    Ok(found) => shards = found,
                    Err(e) => tracing::warn!(function = %self.function, "{e}"),
                }
                if shards.is_empty() {
                    pause = Some(Duration::from_secs(1));
                }
            }
            for shard in shards.clone() {
                let state = states.entry(shard.clone()).or_default();
                if state.retry_at.is_some_and(|at| Instant::now() < at) {
                    continue;
                }
                if !checkpoint.shards.contains_key(&shard)
                    && self.mapping.starting_position == "LATEST"
                {
                    if let Err(e) = self.skip_to_latest(&shard, &mut checkpoint).await {
                        tracing::warn!(function = %self.function, "{e}");
                        continue;
                    }
                }
                state.retry_at = None;
                match self.poll_shard(&shard, &mut checkpoint, state).await {
                    Ok(Polled::Nothing) => {}
                    Ok(Polled::Progress) => pause = Some(Duration::ZERO),
                    Ok(Polled::RetryAfter(wait)) => state.retry_at = Some(Instant::now() + wait),
                    Err(e) => {
                        tracing::warn!(function = %self.function, shard = %shard, "{e}");
                        // Shards may have changed (or the stream gone): list them again.
                        shards.clear();
                        pause = Some(Duration::from_secs(1));
                    }
                }
            }
            match pause {
                Some(pause) if pause.is_zero() => continue,
                Some(pause) => {
                    tokio::select! {
                        _ = tokio::time::sleep(pause) => {}
                        _ = shutdown.changed() => {}
                    }
                }
                None => {
                    let retry = states.values().filter_map(|s| s.retry_at).min();
                    let mut deadline = tokio::time::Instant::now() + safety_poll;
                    if let Some(at) = retry {
                        deadline = deadline.min(tokio::time::Instant::from_std(at));
                    }
                    tokio::select! {
                        _ = wake.until(deadline) => {}
                        _ = shutdown.changed() => {}
                    }
                }
            }
        }
    }

    /// The table of the stream, for the logs.
    fn table_name(&self) -> &str {
        self.mapping
            .stream_arn
            .split_once(":table/")
            .and_then(|(_, rest)| rest.split('/').next())
            .unwrap_or(&self.mapping.stream_arn)
    }

    async fn list_shards(&self) -> Result<Vec<String>> {
        let mut shards = vec![];
        let mut start: Option<String> = None;
        loop {
            let output = self
                .clients
                .streams
                .describe_stream()
                .stream_arn(&self.mapping.stream_arn)
                .set_exclusive_start_shard_id(start.clone())
                .send()
                .await
                .map_err(context(format!(
                    "DescribeStream {}",
                    self.mapping.stream_arn
                )))?;
            let Some(description) = output.stream_description else {
                return Ok(shards);
            };
            shards.extend(
                description
                    .shards
                    .unwrap_or_default()
                    .into_iter()
                    .filter_map(|s| s.shard_id),
            );
            match description.last_evaluated_shard_id {
                Some(last) => start = Some(last),
                None => return Ok(shards),
            }
        }
    }

    async fn iterator(&self, shard: &str, after: Option<&str>) -> Result<String> {
        shard_iterator(
            &self.clients.streams,
            &self.mapping.stream_arn,
            shard,
            after,
        )
        .await
    }

    /// A `LATEST` mapping without a checkpoint starts after the shard's last record.
    async fn skip_to_latest(&self, shard: &str, checkpoint: &mut StreamCheckpoint) -> Result<()> {
        let mut last: Option<String> = None;
        loop {
            let iterator = self.iterator(shard, last.as_deref()).await?;
            let records = self.read(&iterator, 1000).await?;
            match records.last() {
                Some(record) => last = Some(sequence_number(record)),
                None => break,
            }
        }
        if let Some(last) = last {
            checkpoint.shards.insert(shard.to_string(), last);
            self.checkpoints.save(checkpoint)?;
        }
        Ok(())
    }

    async fn read(&self, iterator: &str, limit: u32) -> Result<Vec<Record>> {
        Ok(self
            .clients
            .streams
            .get_records()
            .shard_iterator(iterator)
            .limit(limit.clamp(1, 1000) as i32)
            .send()
            .await
            .map_err(context("GetRecords"))?
            .records
            .unwrap_or_default())
    }

    /// One batch of one shard.
    async fn poll_shard(
        &self,
        shard: &str,
        checkpoint: &mut StreamCheckpoint,
        state: &mut ShardState,
    ) -> Result<Polled> {
        let after = checkpoint.shards.get(shard).cloned();
        let iterator = self.iterator(shard, after.as_deref()).await?;
        let records = self.read(&iterator, self.mapping.batch_size).await?;
        if records.is_empty() {
            return Ok(Polled::Nothing);
        }
        let sequence_numbers: Vec<String> = records.iter().map(sequence_number).collect();
        let event = json!({
            "Records": records
                .iter()
                .map(|r| record_json(r, &self.mapping.stream_arn))
                .collect::<Vec<_>>()
        });
        let started = Instant::now();
        let invocation = self
            .invoker
            .invoke(
                &self.function,
                event.to_string().into_bytes(),
                client_timeout(self.function_timeout),
            )
            .await;
        let elapsed = started.elapsed().as_millis();
        let verdict = verdict(
            &sequence_numbers,
            &invocation,
            self.mapping.report_batch_item_failures,
        );
        let mut position = checkpoint.shards.get(shard).cloned();
        let next = apply(
            &mut position,
            &mut state.failing,
            &sequence_numbers,
            verdict,
            self.mapping.maximum_retry_attempts,
        );
        let outcome = match &invocation {
            Invocation::Ok(_) => String::new(),
            Invocation::FunctionError(e) => format!(", function error: {}", one_line(e)),
            Invocation::Timeout => ", timed out".into(),
            Invocation::Unreachable(e) => format!(", cannot invoke: {}", one_line(e)),
        };
        let wait = match &next {
            Next::Advance => {
                tracing::info!(
                    "STREAM {} -> {}: {} records, 0 failed ({elapsed} ms)",
                    self.table_name(),
                    self.function,
                    records.len()
                );
                Polled::Progress
            }
            Next::Retry {
                failed_from,
                failures,
            } => {
                tracing::warn!(
                    "STREAM {} -> {}: {} records, {} failed from {} (failure {failures}{outcome}) ({elapsed} ms)",
                    self.table_name(),
                    self.function,
                    records.len(),
                    records.len() - failed_from,
                    sequence_numbers[*failed_from]
                );
                Polled::RetryAfter(backoff(*failures))
            }
            Next::GiveUp {
                failed_from,
                failures,
            } => {
                tracing::error!(
                    "STREAM {} -> {}: gave up on {} records from {} after {failures} attempts{outcome}",
                    self.table_name(),
                    self.function,
                    records.len() - failed_from,
                    sequence_numbers[*failed_from]
                );
                self.send_to_on_failure(shard, &records[*failed_from..], *failures, &invocation)
                    .await?;
                Polled::Progress
            }
        };
        if let Some(position) = position {
            if checkpoint.shards.get(shard) != Some(&position) {
                checkpoint.shards.insert(shard.to_string(), position);
                self.checkpoints.save(checkpoint)?;
            }
        }
        Ok(wait)
    }

    async fn send_to_on_failure(
        &self,
        shard: &str,
        records: &[Record],
        invocations: u32,
        invocation: &Invocation,
    ) -> Result<()> {
        let Some(url) = &self.on_failure_url else {
            return Ok(());
        };
        let arrival = |record: Option<&Record>| {
            record
                .and_then(|r| r.dynamodb.as_ref())
                .and_then(|d| d.approximate_creation_date_time)
                .and_then(|t| chrono::DateTime::from_timestamp(t.secs(), t.subsec_nanos()))
                .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
        };
        let message = json!({
            "requestContext": {
                "requestId": uuid::Uuid::new_v4().to_string(),
                "functionArn": self.function_arn,
                "condition": "RetryAttemptsExhausted",
                "approximateInvokeCount": invocations,
            },
            "responseContext": {
                "statusCode": if matches!(invocation, Invocation::Ok(_)) { 200 } else { 500 },
                "executedVersion": "$LATEST",
                "functionError": match invocation {
                    Invocation::Ok(_) => Value::Null,
                    _ => json!("Unhandled"),
                },
            },
            "version": "1.0",
            "timestamp": chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            "DDBStreamBatchInfo": {
                "shardId": shard,
                "startSequenceNumber": records.first().map(sequence_number),
                "endSequenceNumber": records.last().map(sequence_number),
                "approximateArrivalOfFirstRecord": arrival(records.first()),
                "approximateArrivalOfLastRecord": arrival(records.last()),
                "batchSize": records.len(),
                "streamArn": self.mapping.stream_arn,
            },
        });
        self.clients
            .sqs
            .send_message()
            .queue_url(url)
            .message_body(message.to_string())
            .send()
            .await
            .map_err(context("SendMessage to the on-failure destination"))?;
        self.wakes.sent();
        Ok(())
    }
}

fn one_line(text: &str) -> String {
    let line: String = text.chars().filter(|c| *c != '\n').take(300).collect();
    line
}

#[cfg(test)]
mod tests;
