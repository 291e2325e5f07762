//! What a batch's invocation does to its shard: the checkpoint moved past the records done,
//! the failing record counted, and given up on after `MaximumRetryAttempts`.

use std::time::Duration;

use crate::invoke::{batch_item_failures, Invocation};

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
