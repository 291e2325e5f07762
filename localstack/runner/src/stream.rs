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

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use aws_sdk_dynamodbstreams::types::{AttributeValue, Record, ShardIteratorType};
use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use serde_json::{json, Map, Value};
use tokio::sync::watch;

use crate::aws::Clients;
use crate::checkpoint::{CheckpointFile, StreamCheckpoint};
use crate::invoke::{batch_item_failures, client_timeout, Invocation, Invoker};
use crate::wake::{spread, Wakes};
use crate::{context, Error, Result};

/// What a batch's invocation says about its records.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Every record is done.
    Done,
    /// The records before this index are done; this one and the rest are to be retried.
    RetryFrom(usize),
}

/// Reads an invocation of a batch whose records have `sequence_numbers`. With
/// `ReportBatchItemFailures`, the first (lowest) reported record is where the batch resumes;
/// an identifier that is empty or not in the batch fails the whole batch, as on Lambda.
pub fn verdict(sequence_numbers: &[String], invocation: &Invocation, reports: bool) -> Verdict {
    let Invocation::Ok(response) = invocation else {
        return Verdict::RetryFrom(0);
    };
    if !reports {
        return Verdict::Done;
    }
    let Some(failures) = batch_item_failures(response) else {
        return Verdict::Done;
    };
    let mut first = sequence_numbers.len();
    for failure in failures {
        match failure.and_then(|id| sequence_numbers.iter().position(|s| *s == id)) {
            Some(index) => first = first.min(index),
            None => return Verdict::RetryFrom(0),
        }
    }
    Verdict::RetryFrom(first)
}

/// The retry state of one shard: the record that keeps failing and how many times it did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Failing {
    pub sequence_number: String,
    pub failures: u32,
}

/// What to do after a batch.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Next {
    /// The checkpoint moved to the end of the batch: read on.
    Advance,
    /// The checkpoint is just before `failed_from` (moved if it is not the first record):
    /// wait, then retry from there.
    Retry { failed_from: usize, failures: u32 },
    /// Retries exhausted: records from `failed_from` on go to the on-failure destination and the
    /// checkpoint moves to the end of the batch.
    GiveUp { failed_from: usize, failures: u32 },
}

/// Applies a verdict to a shard's checkpoint and retry state.
pub fn apply(
    checkpoint: &mut Option<String>,
    failing: &mut Option<Failing>,
    sequence_numbers: &[String],
    verdict: Verdict,
    maximum_retry_attempts: Option<u32>,
) -> Next {
    let last = sequence_numbers.last().cloned();
    let failed_from = match verdict {
        Verdict::RetryFrom(index) if index < sequence_numbers.len() => index,
        _ => {
            *checkpoint = last;
            *failing = None;
            return Next::Advance;
        }
    };
    if failed_from > 0 {
        *checkpoint = Some(sequence_numbers[failed_from - 1].clone());
    }
    let record = &sequence_numbers[failed_from];
    let failures = match failing {
        Some(f) if f.sequence_number == *record => f.failures + 1,
        _ => 1,
    };
    // `failures` invocations failed on this record: the first one and `failures - 1` retries.
    if maximum_retry_attempts.is_some_and(|max| failures > max) {
        *checkpoint = last;
        *failing = None;
        return Next::GiveUp {
            failed_from,
            failures,
        };
    }
    *failing = Some(Failing {
        sequence_number: record.clone(),
        failures,
    });
    Next::Retry {
        failed_from,
        failures,
    }
}

/// How long to wait before retry number `failures` (100 ms doubling, at most 2 s).
pub fn backoff(failures: u32) -> Duration {
    Duration::from_millis(100u64 << (failures.clamp(1, 6) - 1)).min(Duration::from_secs(2))
}

/// A DynamoDB attribute value in the JSON of the DynamoDB APIs (and of stream events).
pub fn attribute_json(value: &AttributeValue) -> Value {
    match value {
        AttributeValue::S(s) => json!({ "S": s }),
        AttributeValue::N(n) => json!({ "N": n }),
        AttributeValue::B(b) => json!({ "B": BASE64.encode(b.as_ref()) }),
        AttributeValue::Ss(v) => json!({ "SS": v }),
        AttributeValue::Ns(v) => json!({ "NS": v }),
        AttributeValue::Bs(v) => {
            json!({ "BS": v.iter().map(|b| BASE64.encode(b.as_ref())).collect::<Vec<_>>() })
        }
        AttributeValue::M(m) => json!({ "M": item_json(m) }),
        AttributeValue::L(l) => json!({ "L": l.iter().map(attribute_json).collect::<Vec<_>>() }),
        AttributeValue::Null(b) => json!({ "NULL": b }),
        AttributeValue::Bool(b) => json!({ "BOOL": b }),
        _ => Value::Null,
    }
}

fn item_json(item: &HashMap<String, AttributeValue>) -> Value {
    Value::Object(
        item.iter()
            .map(|(k, v)| (k.clone(), attribute_json(v)))
            .collect(),
    )
}

/// A stream record as Lambda delivers it: the GetRecords record plus `eventSourceARN`.
pub fn record_json(record: &Record, stream_arn: &str) -> Value {
    let mut dynamodb = Map::new();
    if let Some(change) = &record.dynamodb {
        if let Some(time) = change.approximate_creation_date_time {
            let seconds = time.secs() as f64 + f64::from(time.subsec_nanos()) / 1e9;
            dynamodb.insert("ApproximateCreationDateTime".into(), json!(seconds));
        }
        for (name, item) in [
            ("Keys", &change.keys),
            ("NewImage", &change.new_image),
            ("OldImage", &change.old_image),
        ] {
            if let Some(item) = item {
                dynamodb.insert(name.into(), item_json(item));
            }
        }
        if let Some(sequence_number) = &change.sequence_number {
            dynamodb.insert("SequenceNumber".into(), json!(sequence_number));
        }
        if let Some(size) = change.size_bytes {
            dynamodb.insert("SizeBytes".into(), json!(size));
        }
        if let Some(view) = &change.stream_view_type {
            dynamodb.insert("StreamViewType".into(), json!(view.as_str()));
        }
    }
    let mut out = json!({
        "eventID": record.event_id,
        "eventName": record.event_name.as_ref().map(|n| n.as_str()),
        "eventVersion": record.event_version,
        "eventSource": record.event_source.as_deref().unwrap_or("aws:dynamodb"),
        "awsRegion": record.aws_region,
        "dynamodb": dynamodb,
        "eventSourceARN": stream_arn,
    });
    if let Some(identity) = &record.user_identity {
        out["userIdentity"] = json!({
            "principalId": identity.principal_id,
            "type": identity.r#type,
        });
    }
    out
}

fn sequence_number(record: &Record) -> String {
    record
        .dynamodb
        .as_ref()
        .and_then(|d| d.sequence_number.clone())
        .unwrap_or_default()
}

/// One stream → function mapping, running.
pub struct StreamPoller {
    pub clients: Clients,
    pub invoker: Arc<dyn Invoker>,
    pub function: String,
    pub function_arn: String,
    pub function_timeout: Duration,
    pub stream_arn: String,
    pub batch_size: u32,
    /// `TRIM_HORIZON` or `LATEST` (for a mapping without a checkpoint).
    pub starting_position: String,
    pub maximum_retry_attempts: Option<u32>,
    pub reports_item_failures: bool,
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
        let mut checkpoint = self.checkpoints.load_for(&self.stream_arn)?;
        let mut states: HashMap<String, ShardState> = HashMap::new();
        let mut shards: Vec<String> = vec![];
        tracing::info!(
            function = %self.function,
            "stream poller on {} from {}",
            self.stream_arn,
            if checkpoint.shards.is_empty() {
                self.starting_position.clone()
            } else {
                format!("checkpoint {:?}", checkpoint.shards)
            }
        );
        let mut wake = self.wakes.writes();
        let safety_poll = spread(self.safety_poll, &self.stream_arn);
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
                if !checkpoint.shards.contains_key(&shard) && self.starting_position == "LATEST" {
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
        self.stream_arn
            .split_once(":table/")
            .and_then(|(_, rest)| rest.split('/').next())
            .unwrap_or(&self.stream_arn)
    }

    async fn list_shards(&self) -> Result<Vec<String>> {
        let mut shards = vec![];
        let mut start: Option<String> = None;
        loop {
            let output = self
                .clients
                .streams
                .describe_stream()
                .stream_arn(&self.stream_arn)
                .set_exclusive_start_shard_id(start.clone())
                .send()
                .await
                .map_err(context(format!("DescribeStream {}", self.stream_arn)))?;
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
        let request = self
            .clients
            .streams
            .get_shard_iterator()
            .stream_arn(&self.stream_arn)
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
        let records = self.read(&iterator, self.batch_size).await?;
        if records.is_empty() {
            return Ok(Polled::Nothing);
        }
        let sequence_numbers: Vec<String> = records.iter().map(sequence_number).collect();
        let event = json!({
            "Records": records
                .iter()
                .map(|r| record_json(r, &self.stream_arn))
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
        let verdict = verdict(&sequence_numbers, &invocation, self.reports_item_failures);
        let mut position = checkpoint.shards.get(shard).cloned();
        let next = apply(
            &mut position,
            &mut state.failing,
            &sequence_numbers,
            verdict,
            self.maximum_retry_attempts,
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
                "streamArn": self.stream_arn,
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
mod tests {
    use super::*;

    fn seqs(n: usize) -> Vec<String> {
        (1..=n).map(|i| format!("{i:022}")).collect()
    }

    fn failures(ids: &[&str]) -> Invocation {
        Invocation::Ok(
            json!({"batchItemFailures": ids.iter().map(|id| json!({"itemIdentifier": id})).collect::<Vec<_>>()})
                .to_string()
                .into_bytes(),
        )
    }

    #[test]
    fn the_verdict_resumes_at_the_first_reported_record() {
        let s = seqs(5);
        assert_eq!(
            verdict(&s, &Invocation::Ok(b"null".to_vec()), true),
            Verdict::Done
        );
        assert_eq!(
            verdict(
                &s,
                &Invocation::Ok(br#"{"batchItemFailures":[]}"#.to_vec()),
                true
            ),
            Verdict::Done
        );
        assert_eq!(
            verdict(&s, &failures(&[&s[3], &s[2]]), true),
            Verdict::RetryFrom(2)
        );
        // Unknown or empty identifiers fail the whole batch.
        assert_eq!(
            verdict(&s, &failures(&["nope"]), true),
            Verdict::RetryFrom(0)
        );
        assert_eq!(verdict(&s, &failures(&[""]), true), Verdict::RetryFrom(0));
        // Without ReportBatchItemFailures a 200 is a success, whatever it says.
        assert_eq!(verdict(&s, &failures(&[&s[3]]), false), Verdict::Done);
        for failed in [
            Invocation::FunctionError("boom".into()),
            Invocation::Timeout,
            Invocation::Unreachable("down".into()),
        ] {
            assert_eq!(verdict(&s, &failed, true), Verdict::RetryFrom(0));
        }
    }

    #[test]
    fn the_checkpoint_moves_to_just_before_the_first_failure() {
        let s = seqs(4);
        let (mut checkpoint, mut failing) = (None, None);
        assert_eq!(
            apply(&mut checkpoint, &mut failing, &s, Verdict::Done, Some(2)),
            Next::Advance
        );
        assert_eq!(checkpoint.as_deref(), Some(s[3].as_str()));

        let (mut checkpoint, mut failing) = (Some("0".to_string()), None);
        let next = apply(
            &mut checkpoint,
            &mut failing,
            &s,
            Verdict::RetryFrom(2),
            Some(2),
        );
        assert_eq!(
            next,
            Next::Retry {
                failed_from: 2,
                failures: 1
            }
        );
        assert_eq!(checkpoint.as_deref(), Some(s[1].as_str()));
        assert_eq!(failing.as_ref().unwrap().sequence_number, s[2]);

        // A failure on the first record keeps the checkpoint where it was.
        let (mut checkpoint, mut failing) = (Some("0".to_string()), None);
        apply(
            &mut checkpoint,
            &mut failing,
            &s,
            Verdict::RetryFrom(0),
            Some(2),
        );
        assert_eq!(checkpoint.as_deref(), Some("0"));
    }

    #[test]
    fn progress_resets_the_retry_count() {
        let s = seqs(6);
        let (mut checkpoint, mut failing) = (None, None);
        apply(
            &mut checkpoint,
            &mut failing,
            &s,
            Verdict::RetryFrom(1),
            Some(5),
        );
        apply(
            &mut checkpoint,
            &mut failing,
            &s[1..],
            Verdict::RetryFrom(0),
            Some(5),
        );
        // The retried record passes now; a later one fails for the first time.
        assert_eq!(
            apply(
                &mut checkpoint,
                &mut failing,
                &s[1..],
                Verdict::RetryFrom(2),
                Some(5)
            ),
            Next::Retry {
                failed_from: 2,
                failures: 1
            }
        );
        assert_eq!(checkpoint.as_deref(), Some(s[2].as_str()));
        assert_eq!(failing.unwrap().sequence_number, s[3]);
    }

    #[test]
    fn a_record_that_keeps_failing_is_given_up_after_the_maximum_retries() {
        let s = seqs(5);
        let (mut checkpoint, mut failing) = (None, None);
        // First batch: records 1..5, record 3 fails: checkpoint after 2.
        apply(
            &mut checkpoint,
            &mut failing,
            &s,
            Verdict::RetryFrom(2),
            Some(2),
        );
        let retried = s[2..].to_vec();
        // The retried batch starts at record 3 and fails again (retry 1).
        assert_eq!(
            apply(
                &mut checkpoint,
                &mut failing,
                &retried,
                Verdict::RetryFrom(0),
                Some(2)
            ),
            Next::Retry {
                failed_from: 0,
                failures: 2
            }
        );
        // The third failed invocation was the second retry: MaximumRetryAttempts = 2 reached.
        assert_eq!(
            apply(
                &mut checkpoint,
                &mut failing,
                &retried,
                Verdict::RetryFrom(0),
                Some(2)
            ),
            Next::GiveUp {
                failed_from: 0,
                failures: 3
            }
        );
        assert_eq!(checkpoint.as_deref(), Some(s[4].as_str()));
        assert!(failing.is_none());
        // Without a maximum, retries go on.
        let (mut checkpoint, mut failing) = (None, None);
        for _ in 0..1000 {
            assert!(matches!(
                apply(
                    &mut checkpoint,
                    &mut failing,
                    &s,
                    Verdict::RetryFrom(0),
                    None
                ),
                Next::Retry { .. }
            ));
        }
    }

    #[test]
    fn backoff_doubles_up_to_two_seconds() {
        assert_eq!(backoff(1), Duration::from_millis(100));
        assert_eq!(backoff(2), Duration::from_millis(200));
        assert_eq!(backoff(5), Duration::from_millis(1600));
        assert_eq!(backoff(50), Duration::from_secs(2));
    }

    #[test]
    fn stream_records_read_as_lambda_dynamodb_events() {
        use aws_sdk_dynamodbstreams::primitives::{Blob, DateTime};
        use aws_sdk_dynamodbstreams::types::{OperationType, StreamRecord, StreamViewType};
        let image: HashMap<String, AttributeValue> = [
            ("stream_id".to_string(), AttributeValue::S("radar#1".into())),
            ("version".to_string(), AttributeValue::N("1".into())),
            ("blob".to_string(), AttributeValue::B(Blob::new(vec![1, 2]))),
            ("flag".to_string(), AttributeValue::Bool(true)),
            (
                "nested".to_string(),
                AttributeValue::M(
                    [(
                        "l".to_string(),
                        AttributeValue::L(vec![AttributeValue::Null(true)]),
                    )]
                    .into(),
                ),
            ),
        ]
        .into();
        let record = Record::builder()
            .event_id("e1")
            .event_name(OperationType::Insert)
            .event_version("1.1")
            .event_source("aws:dynamodb")
            .aws_region("us-east-1")
            .dynamodb(
                StreamRecord::builder()
                    .approximate_creation_date_time(DateTime::from_secs(1_795_342_500))
                    .set_keys(Some(
                        [
                            ("stream_id".to_string(), AttributeValue::S("radar#1".into())),
                            ("version".to_string(), AttributeValue::N("1".into())),
                        ]
                        .into(),
                    ))
                    .set_new_image(Some(image))
                    .sequence_number("0000000000000000000001")
                    .size_bytes(42)
                    .stream_view_type(StreamViewType::NewImage)
                    .build(),
            )
            .build();
        let json = record_json(&record, "arn:stream");
        assert_eq!(json["eventSourceARN"], "arn:stream");
        assert_eq!(json["dynamodb"]["NewImage"]["blob"], json!({"B": "AQI="}));
        assert_eq!(
            json["dynamodb"]["NewImage"]["nested"],
            json!({"M": {"l": {"L": [{"NULL": true}]}}})
        );
        let event: aws_lambda_events::dynamodb::Event =
            serde_json::from_value(json!({ "Records": [json] })).expect("a Lambda event");
        let record = &event.records[0];
        assert_eq!(record.event_name, "INSERT");
        assert_eq!(record.event_source_arn.as_deref(), Some("arn:stream"));
        assert_eq!(
            record.change.sequence_number.as_deref(),
            Some("0000000000000000000001")
        );
        assert_eq!(
            record.change.approximate_creation_date_time.timestamp(),
            1_795_342_500
        );
        assert!(record.change.new_image.get("stream_id").is_some());
    }
}
