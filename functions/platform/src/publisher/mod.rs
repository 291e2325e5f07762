//! The event publisher: the event table's DynamoDB stream → EventBridge (the bus).
//!
//! Each new event becomes one `PutEvents` entry ([`entries::entry`]), sent in stream order in
//! calls of at most 10 entries and 256 KB. One bad record never holds back or drops the
//! others (SPEC §9):
//! - an entry the bus refuses for a passing reason (throttling, its own failure, a failed
//!   call) is sent again, alone with the other refused ones, up to [`ATTEMPTS`] times;
//! - an entry still refused, one refused for good (malformed, too large) and a record that
//!   does not read as an event go, whole, to the dead-letter queue ([`dead_letter`]), and the
//!   batch counts as done;
//! - only a record that cannot be kept there either is reported as the batch's failure: the
//!   stream resumes from it (the records after it are published again: consumers are
//!   idempotent).
//!
//! Delivery is at least once and, around a retried entry, not in stream order: consumers
//! tolerate both (a projection that sees a gap reads the missing events from the store).

pub mod dead_letter;
pub mod entries;

use aws_sdk_eventbridge::error::DisplayErrorContext;
use aws_sdk_eventbridge::types::PutEventsRequestEntry;
use es_core::EventEnvelope;
use event_consumer::StreamRecord;
use std::fmt;

pub use dead_letter::{DeadLetters, Unpublished, FAILED_EVENTS_QUEUE_URL};
pub use entries::{entry, Refusal, MAX_CALL_BYTES, MAX_ENTRIES};

/// How many times an entry refused for a passing reason is sent, the first included.
pub const ATTEMPTS: u32 = 3;

/// The environment variable naming the bus.
pub const EVENT_BUS_NAME: &str = "EVENT_BUS_NAME";

#[derive(Debug, Clone)]
pub struct Publisher {
    client: aws_sdk_eventbridge::Client,
    bus: String,
    dead_letters: DeadLetters,
}

/// A required environment variable is not set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissingEnv(pub &'static str);

impl fmt::Display for MissingEnv {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "environment variable {} is not set", self.0)
    }
}

impl std::error::Error for MissingEnv {}

/// An entry still to publish: the record it comes from, by position in the batch.
struct Pending<'a> {
    record: usize,
    envelope: &'a EventEnvelope,
    entry: PutEventsRequestEntry,
}

/// The `publish-events` function on one batch of the event table's stream: the saga outcomes
/// counted, then the records published (see [`Publisher::publish`]).
pub async fn publish_events(publisher: &Publisher, records: Vec<StreamRecord>) -> Option<String> {
    crate::saga_outcomes::emit_saga_outcomes(&records);
    publisher.publish(&records).await
}

impl event_consumer::FromEnv for Publisher {
    fn from_env(
        _source: &'static str,
        config: &event_consumer::SdkConfig,
    ) -> Result<Self, event_consumer::BoxError> {
        Ok(Publisher::from_env(config)?)
    }
}

impl Publisher {
    pub fn new(
        client: aws_sdk_eventbridge::Client,
        bus: impl Into<String>,
        dead_letters: DeadLetters,
    ) -> Self {
        Self {
            client,
            bus: bus.into(),
            dead_letters,
        }
    }

    /// The bus named by `EVENT_BUS_NAME`, the dead-letter queue by `FAILED_EVENTS_QUEUE_URL`.
    pub fn from_env(config: &aws_config::SdkConfig) -> Result<Self, MissingEnv> {
        let var = |name| std::env::var(name).map_err(|_| MissingEnv(name));
        Ok(Self::new(
            aws_sdk_eventbridge::Client::new(config),
            var(EVENT_BUS_NAME)?,
            DeadLetters::new(
                aws_sdk_sqs::Client::new(config),
                var(FAILED_EVENTS_QUEUE_URL)?,
            ),
        ))
    }

    /// Publishes the records, keeps the ones the bus will not take in the dead-letter queue,
    /// and returns the sequence number of the first record neither published nor kept (the
    /// stream resumes there), or `None` when every record is one or the other.
    pub async fn publish(&self, records: &[StreamRecord]) -> Option<String> {
        let mut unpublished: Vec<(usize, Unpublished<'_>)> = Vec::new();
        let mut pending = Vec::new();
        for (record, stream_record) in records.iter().enumerate() {
            match &stream_record.envelope {
                Ok(envelope) => pending.push(Pending {
                    record,
                    envelope,
                    entry: entry(envelope, &self.bus),
                }),
                Err(error) => unpublished.push((
                    record,
                    Unpublished::Unreadable {
                        error: error.to_string(),
                    },
                )),
            }
        }
        for attempt in 0..ATTEMPTS {
            if pending.is_empty() {
                break;
            }
            if attempt > 0 {
                event_store::backoff(attempt + 2).await;
            }
            let last = attempt + 1 == ATTEMPTS;
            for (p, refusal) in self.put(std::mem::take(&mut pending)).await {
                if refusal.is_transient() && !last {
                    pending.push(p);
                } else {
                    unpublished.push((
                        p.record,
                        Unpublished::Event {
                            envelope: p.envelope,
                            refusal,
                        },
                    ));
                }
            }
        }
        self.keep(records, unpublished).await
    }

    /// Sends the entries in as few calls as the limits allow; returns the refused ones.
    async fn put<'a>(&self, pending: Vec<Pending<'a>>) -> Vec<(Pending<'a>, Refusal)> {
        let sizes: Vec<usize> = pending
            .iter()
            .map(|p| entries::entry_size(&p.entry))
            .collect();
        let (calls, too_large) = entries::calls(&sizes);
        let mut outcome: Vec<Option<Refusal>> = vec![None; pending.len()];
        for i in too_large {
            outcome[i] = Some(Refusal::new(
                "EntryTooLarge",
                format!("{} bytes, over the {MAX_CALL_BYTES} a call takes", sizes[i]),
            ));
        }
        for call in calls {
            let answer = self
                .client
                .put_events()
                .set_entries(Some(
                    pending[call.clone()]
                        .iter()
                        .map(|p| p.entry.clone())
                        .collect(),
                ))
                .send()
                .await;
            let results = match answer {
                Ok(answer) => entries::results(call.len(), &answer),
                Err(error) => {
                    let message = DisplayErrorContext(&error).to_string();
                    tracing::error!(error = %message, "PutEvents failed");
                    vec![Some(Refusal::new(entries::CALL_FAILED, message)); call.len()]
                }
            };
            let published = results.iter().filter(|r| r.is_none()).count();
            tracing::info!(published, refused = call.len() - published, "PutEvents");
            for (i, result) in call.zip(results) {
                outcome[i] = result;
            }
        }
        pending
            .into_iter()
            .zip(outcome)
            .filter_map(|(p, refusal)| refusal.map(|r| (p, r)))
            .collect()
    }

    /// Puts the unpublished records in the dead-letter queue; returns the sequence number of
    /// the first one that could not be kept either.
    async fn keep(
        &self,
        records: &[StreamRecord],
        mut unpublished: Vec<(usize, Unpublished<'_>)>,
    ) -> Option<String> {
        unpublished.sort_by_key(|(record, _)| *record);
        let mut first_lost = None;
        for (record, kept) in &unpublished {
            let sequence_number = &records[*record].sequence_number;
            // The event's coordinates and the reason only: its data may hold personal fields.
            match kept {
                Unpublished::Event { envelope, refusal } => tracing::error!(
                    %sequence_number,
                    event_id = %envelope.event_id,
                    event_type = %envelope.event_type,
                    error_code = %refusal.code,
                    error_message = %refusal.message,
                    "event not published; keeping it in the dead-letter queue"
                ),
                Unpublished::Unreadable { error } => tracing::error!(
                    %sequence_number, %error,
                    "record of the event table is not an event; keeping it in the dead-letter queue"
                ),
            }
            if let Err(error) = self.dead_letters.keep(sequence_number, kept).await {
                tracing::error!(%sequence_number, %error, "dead-letter queue refused it; the stream retries from it");
                first_lost.get_or_insert(sequence_number.clone());
            }
        }
        first_lost
    }
}
