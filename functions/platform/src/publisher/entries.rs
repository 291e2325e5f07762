//! `PutEvents` entries: one per envelope, grouped into calls that respect both of EventBridge's
//! limits (10 entries, 256 KB per call), and the per-entry results of a call.

use aws_sdk_eventbridge::operation::put_events::PutEventsOutput;
use aws_sdk_eventbridge::primitives::DateTime;
use aws_sdk_eventbridge::types::PutEventsRequestEntry;
use es_core::EventEnvelope;
use event_consumer::{service_for, UNKNOWN_SERVICE};

/// The largest number of entries one `PutEvents` call takes.
pub const MAX_ENTRIES: usize = 10;

/// The largest total entry size of one `PutEvents` call (and so of one entry).
pub const MAX_CALL_BYTES: usize = 256 * 1024;

/// What EventBridge counts of `Time` when it is set.
const TIME_BYTES: usize = 14;

/// The `PutEvents` entry of an envelope: `Source` = the service of its aggregate type,
/// `DetailType` = its event type, `Detail` = the envelope JSON, `Time` = when it occurred.
pub fn entry(envelope: &EventEnvelope, bus: &str) -> PutEventsRequestEntry {
    let source = service_for(&envelope.aggregate_type);
    if source == UNKNOWN_SERVICE {
        tracing::warn!(
            aggregate_type = %envelope.aggregate_type,
            "no service owns this aggregate type; published as {UNKNOWN_SERVICE}"
        );
    }
    let detail = serde_json::to_string(envelope).expect("an envelope serialises to JSON");
    PutEventsRequestEntry::builder()
        .event_bus_name(bus)
        .source(source)
        .detail_type(&envelope.event_type)
        .detail(detail)
        .time(DateTime::from_millis(
            envelope.occurred_at.timestamp_millis(),
        ))
        .build()
}

/// An entry's size as EventBridge counts it against the call limit (the UTF-8 bytes of
/// `Source`, `DetailType`, `Detail` and `Resources`, 14 for `Time`).
pub fn entry_size(entry: &PutEventsRequestEntry) -> usize {
    let text = |s: Option<&str>| s.map_or(0, str::len);
    text(entry.source())
        + text(entry.detail_type())
        + text(entry.detail())
        + entry.resources().iter().map(String::len).sum::<usize>()
        + entry.time().map_or(0, |_| TIME_BYTES)
}

/// Groups entry sizes into calls, in order: at most [`MAX_ENTRIES`] entries and
/// [`MAX_CALL_BYTES`] per call. Returns the index ranges of the calls; an entry too large
/// for any call is left out of them and listed in the second vector.
pub fn calls(sizes: &[usize]) -> (Vec<std::ops::Range<usize>>, Vec<usize>) {
    let mut calls = Vec::new();
    let mut too_large = Vec::new();
    let mut start = None::<usize>;
    let mut bytes = 0;
    let mut count = 0;
    for (i, &size) in sizes.iter().enumerate() {
        if size > MAX_CALL_BYTES {
            // Close the current call before it: calls stay contiguous ranges.
            if let Some(s) = start.take() {
                calls.push(s..i);
            }
            too_large.push(i);
            continue;
        }
        let fits = start.is_some() && count < MAX_ENTRIES && bytes + size <= MAX_CALL_BYTES;
        if !fits {
            if let Some(s) = start {
                calls.push(s..i);
            }
            start = Some(i);
            count = 0;
            bytes = 0;
        }
        count += 1;
        bytes += size;
    }
    if let Some(s) = start {
        calls.push(s..sizes.len());
    }
    (calls, too_large)
}

/// Why an entry was not published.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub code: String,
    pub message: String,
}

impl Refusal {
    pub fn new(code: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            code: code.into(),
            message: message.into(),
        }
    }

    /// Whether trying the same entry again may succeed: throttling, EventBridge's own
    /// failures and failed calls may; a malformed or refused entry will not.
    pub fn is_transient(&self) -> bool {
        matches!(
            self.code.as_str(),
            "ThrottlingException" | "InternalFailure" | "InternalException" | CALL_FAILED
        )
    }
}

/// The code of an entry whose whole call failed (network, service error).
pub const CALL_FAILED: &str = "CallFailed";

/// The result of each of the `sent` entries of one call, in order: `None` when published
/// (an event id and no error code), else why not. A result missing for an entry, or a failed
/// count the results do not account for, counts as a failure of the entries not known to be
/// published.
pub fn results(sent: usize, answer: &PutEventsOutput) -> Vec<Option<Refusal>> {
    let entries = answer.entries();
    let mut results: Vec<Option<Refusal>> = (0..sent)
        .map(|i| match entries.get(i) {
            Some(r) if r.error_code().is_none() && r.event_id().is_some() => None,
            Some(r) => Some(Refusal::new(
                r.error_code().unwrap_or("NoEventId"),
                r.error_message().unwrap_or_default(),
            )),
            None => Some(Refusal::new("NoResult", "the answer has no result for it")),
        })
        .collect();
    let failed = results.iter().filter(|r| r.is_some()).count();
    if usize::try_from(answer.failed_entry_count()).unwrap_or(0) > failed {
        // EventBridge says more failed than it shows: trust none of them.
        let unexplained = Refusal::new("InternalFailure", "failed count without failed results");
        results.iter_mut().for_each(|r| {
            r.get_or_insert_with(|| unexplained.clone());
        });
    }
    results
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_eventbridge::types::PutEventsResultEntry;
    use serde_json::json;

    fn ok(id: &str) -> PutEventsResultEntry {
        PutEventsResultEntry::builder().event_id(id).build()
    }

    fn failed(code: &str) -> PutEventsResultEntry {
        PutEventsResultEntry::builder()
            .error_code(code)
            .error_message("no")
            .build()
    }

    fn answer(failed_count: i32, entries: Vec<PutEventsResultEntry>) -> PutEventsOutput {
        PutEventsOutput::builder()
            .failed_entry_count(failed_count)
            .set_entries(Some(entries))
            .build()
    }

    fn codes(results: &[Option<Refusal>]) -> Vec<Option<&str>> {
        results
            .iter()
            .map(|r| r.as_ref().map(|r| r.code.as_str()))
            .collect()
    }

    #[test]
    fn each_failed_entry_is_reported_and_only_those() {
        let all_ok = answer(0, vec![ok("a"), ok("b"), ok("c")]);
        assert_eq!(codes(&results(3, &all_ok)), [None, None, None]);
        let two_failed = answer(
            2,
            vec![ok("a"), failed("ThrottlingException"), ok("c"), failed("X")],
        );
        assert_eq!(
            codes(&results(4, &two_failed)),
            [None, Some("ThrottlingException"), None, Some("X")]
        );
    }

    #[test]
    fn missing_or_inconsistent_results_count_as_failures() {
        let short = answer(0, vec![ok("a"), ok("b")]);
        assert_eq!(codes(&results(3, &short)), [None, None, Some("NoResult")]);
        let no_id = answer(0, vec![ok("a"), PutEventsResultEntry::builder().build()]);
        assert_eq!(codes(&results(2, &no_id)), [None, Some("NoEventId")]);
        let unexplained = answer(1, vec![ok("a"), ok("b")]);
        assert!(results(2, &unexplained).iter().all(Option::is_some));
    }

    #[test]
    fn only_passing_failures_are_retried() {
        assert!(Refusal::new("ThrottlingException", "").is_transient());
        assert!(Refusal::new(CALL_FAILED, "").is_transient());
        assert!(!Refusal::new("InvalidArgument", "").is_transient());
        assert!(!Refusal::new("MalformedDetail", "").is_transient());
    }

    #[test]
    fn calls_hold_ten_entries_and_256_kb_at_most() {
        let (calls, too_large) = calls(&[10; 23]);
        assert_eq!(calls, [0..10, 10..20, 20..23]);
        assert!(too_large.is_empty());

        let big = 100 * 1024;
        let (calls, too_large) = super::calls(&[big, big, big, 10, big, big]);
        assert_eq!(
            calls,
            [0..2, 2..5, 5..6],
            "two 100 KB entries fit, three do not"
        );
        assert!(too_large.is_empty());

        let (calls, too_large) = super::calls(&[10, MAX_CALL_BYTES + 1, 10, 10]);
        assert_eq!(calls, [0..1, 2..4]);
        assert_eq!(too_large, [1]);
        assert_eq!(super::calls(&[]), (vec![], vec![]));
    }

    #[test]
    fn an_entry_carries_the_envelope_and_counts_its_size() {
        let envelope: EventEnvelope = serde_json::from_value(json!({
            "event_id": "5b0f7c1e-93a4-4c1d-9a52-5a0b7e3e6f10",
            "aggregate_type": "order",
            "aggregate_id": "a-1",
            "version": 3,
            "event_type": "SaleConfirmed",
            "schema_version": 1,
            "occurred_at": "2026-11-22T10:15:00.123Z",
            "correlation_id": "c-1",
            "causation_id": "r-1",
            "source": "f",
            "data": {"n": 1.5},
            "metadata": {}
        }))
        .unwrap();
        let entry = entry(&envelope, "bus-1");
        assert_eq!(entry.source(), Some("order-service"));
        assert_eq!(entry.detail_type(), Some("SaleConfirmed"));
        assert_eq!(entry.event_bus_name(), Some("bus-1"));
        let detail: EventEnvelope = serde_json::from_str(entry.detail().unwrap()).unwrap();
        assert_eq!(detail, envelope);
        assert_eq!(
            entry_size(&entry),
            "order-service".len() + "SaleConfirmed".len() + entry.detail().unwrap().len() + 14
        );
    }
}
