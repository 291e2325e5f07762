//! The retry rules of a batch and the records as Lambda events.

use aws_sdk_dynamodbstreams::types::AttributeValue;

use super::*;
use crate::invoke::reporting_failures as failures;

fn seqs(n: usize) -> Vec<String> {
    (1..=n).map(|i| format!("{i:022}")).collect()
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

/// A shard's checkpoint and failing record as the poller keeps them between batches, under a
/// MaximumRetryAttempts.
struct Shard {
    checkpoint: Option<String>,
    failing: Option<Failing>,
    maximum_retry_attempts: Option<u32>,
}

impl Shard {
    fn new(checkpoint: Option<&str>, maximum_retry_attempts: Option<u32>) -> Self {
        Self {
            checkpoint: checkpoint.map(String::from),
            failing: None,
            maximum_retry_attempts,
        }
    }

    /// [`apply`]s the verdict on a batch of `records`.
    fn after(&mut self, records: &[String], verdict: Verdict) -> Next {
        apply(
            &mut self.checkpoint,
            &mut self.failing,
            records,
            verdict,
            self.maximum_retry_attempts,
        )
    }
}

fn retry(failed_from: usize, failures: u32) -> Next {
    Next::Retry {
        failed_from,
        failures,
    }
}

#[test]
fn the_checkpoint_moves_to_just_before_the_first_failure() {
    let s = seqs(4);
    let mut shard = Shard::new(None, Some(2));
    assert_eq!(shard.after(&s, Verdict::Done), Next::Advance);
    assert_eq!(shard.checkpoint.as_deref(), Some(s[3].as_str()));

    let mut shard = Shard::new(Some("0"), Some(2));
    assert_eq!(shard.after(&s, Verdict::RetryFrom(2)), retry(2, 1));
    assert_eq!(shard.checkpoint.as_deref(), Some(s[1].as_str()));
    assert_eq!(shard.failing.as_ref().unwrap().sequence_number, s[2]);

    // A failure on the first record keeps the checkpoint where it was.
    let mut shard = Shard::new(Some("0"), Some(2));
    shard.after(&s, Verdict::RetryFrom(0));
    assert_eq!(shard.checkpoint.as_deref(), Some("0"));
}

#[test]
fn progress_resets_the_retry_count() {
    let s = seqs(6);
    let mut shard = Shard::new(None, Some(5));
    shard.after(&s, Verdict::RetryFrom(1));
    shard.after(&s[1..], Verdict::RetryFrom(0));
    // The retried record passes now; a later one fails for the first time.
    assert_eq!(shard.after(&s[1..], Verdict::RetryFrom(2)), retry(2, 1));
    assert_eq!(shard.checkpoint.as_deref(), Some(s[2].as_str()));
    assert_eq!(shard.failing.unwrap().sequence_number, s[3]);
}

#[test]
fn a_record_that_keeps_failing_is_given_up_after_the_maximum_retries() {
    let s = seqs(5);
    let mut shard = Shard::new(None, Some(2));
    // First batch: records 1..5, record 3 fails: checkpoint after 2.
    shard.after(&s, Verdict::RetryFrom(2));
    let retried = s[2..].to_vec();
    // The retried batch starts at record 3 and fails again (retry 1).
    assert_eq!(shard.after(&retried, Verdict::RetryFrom(0)), retry(0, 2));
    // The third failed invocation was the second retry: MaximumRetryAttempts = 2 reached.
    assert_eq!(
        shard.after(&retried, Verdict::RetryFrom(0)),
        Next::GiveUp {
            failed_from: 0,
            failures: 3
        }
    );
    assert_eq!(shard.checkpoint.as_deref(), Some(s[4].as_str()));
    assert!(shard.failing.is_none());
    // Without a maximum, retries go on.
    let mut shard = Shard::new(None, None);
    for _ in 0..1000 {
        assert!(matches!(
            shard.after(&s, Verdict::RetryFrom(0)),
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
