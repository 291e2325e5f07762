//! Appending: one conditional `PutItem` for one event, one `TransactWriteItems` for anything
//! more (several events, several streams, uniqueness guards), so a batch lands whole or not
//! at all and a transaction's double write cost is paid only when atomicity needs it.

use aws_sdk_dynamodb::operation::put_item::PutItemError;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{Put, TransactWriteItem};
use es_core::{EventEnvelope, StreamId, UniqueClaim};
use std::collections::HashMap;

use crate::dynamo::DynamoError;
use crate::error::{AppendError, StoreError};
use crate::item::{self, Item};
use crate::schema::{STREAM_ID, VERSION};
use crate::store::EventStore;

const MAX_TRANSACTION_ITEMS: usize = 100;
const NEW_ITEM_ONLY: &str = "attribute_not_exists(stream_id)";

/// A uniqueness claim and the stream that makes it.
#[derive(Debug, Clone, PartialEq)]
pub struct Claim {
    pub claim: UniqueClaim,
    pub by: StreamId,
}

/// Events to append (each carrying its version: the stream's expected version plus one, two…)
/// and the uniqueness guards to take in the same write.
#[derive(Debug, Clone, Default)]
pub struct AppendBatch {
    pub events: Vec<EventEnvelope>,
    pub claims: Vec<Claim>,
}

/// What one item of a transaction stands for, to name the cause of a cancellation.
enum Written<'a> {
    Event(&'a EventEnvelope),
    Guard(&'a Claim),
}

impl AppendBatch {
    pub fn new(events: Vec<EventEnvelope>) -> Self {
        Self {
            events,
            claims: Vec::new(),
        }
    }

    pub fn with_claims(mut self, claims: Vec<Claim>) -> Self {
        self.claims = claims;
        self
    }

    pub fn is_empty(&self) -> bool {
        self.events.is_empty() && self.claims.is_empty()
    }

    fn len(&self) -> usize {
        self.events.len() + self.claims.len()
    }

    /// Within each stream the versions must follow each other: a gap would be unrecoverable.
    fn check_versions(&self) -> Result<(), AppendError> {
        let mut last: HashMap<StreamId, u64> = HashMap::new();
        for event in &self.events {
            if event.version == 0 {
                return Err(AppendError::InvalidBatch("versions start at 1".into()));
            }
            let stream = event.stream_id();
            if let Some(previous) = last.get(&stream) {
                if event.version != previous + 1 {
                    return Err(AppendError::InvalidBatch(format!(
                        "{stream}: version {} follows {previous}",
                        event.version
                    )));
                }
            }
            last.insert(stream, event.version);
        }
        Ok(())
    }
}

impl EventStore {
    /// Appends the batch atomically, or fails naming the stream or guard that conflicted.
    pub async fn append(&self, batch: &AppendBatch) -> Result<(), AppendError> {
        batch.check_versions()?;
        match (batch.events.as_slice(), batch.claims.is_empty()) {
            ([], true) => Ok(()),
            ([event], true) => self.put_one(event).await,
            _ => self.transact(batch).await,
        }
    }

    async fn put_one(&self, event: &EventEnvelope) -> Result<(), AppendError> {
        let result = self
            .client
            .put_item()
            .table_name(&self.tables.events)
            .set_item(Some(item::to_item(event)))
            .condition_expression(NEW_ITEM_ONLY)
            .send()
            .await;
        match result {
            Ok(_) => Ok(()),
            Err(err) => match err.into_service_error() {
                PutItemError::ConditionalCheckFailedException(_) => {
                    // The SDK retries a request whose answer was lost; the retry then finds our
                    // own item. That is a success, not a conflict.
                    if self.holds_event(event).await? {
                        Ok(())
                    } else {
                        Err(AppendError::Conflict {
                            stream: event.stream_id(),
                        })
                    }
                }
                other => Err(DynamoError::service(other).into()),
            },
        }
    }

    async fn holds_event(&self, event: &EventEnvelope) -> Result<bool, StoreError> {
        let stored = self
            .client
            .get_item()
            .table_name(&self.tables.events)
            .key(STREAM_ID, item::stream_value(&event.stream_id()))
            .key(VERSION, item::version_value(event.version))
            .consistent_read(true)
            .send()
            .await?;
        Ok(stored
            .item()
            .and_then(|i| item::text_attribute(i, "event_id").ok())
            .is_some_and(|id| id == event.event_id.to_string()))
    }

    async fn transact(&self, batch: &AppendBatch) -> Result<(), AppendError> {
        if batch.len() > MAX_TRANSACTION_ITEMS {
            return Err(AppendError::TooLarge(batch.len()));
        }
        let mut written = Vec::with_capacity(batch.len());
        let mut request = self.client.transact_write_items();
        for event in &batch.events {
            request = request.transact_items(self.put(item::to_item(event))?);
            written.push(Written::Event(event));
        }
        for claim in &batch.claims {
            request = request.transact_items(self.put(item::guard_item(&claim.claim, &claim.by))?);
            written.push(Written::Guard(claim));
        }
        // The token makes the SDK's own retry of a transaction whose answer was lost idempotent:
        // DynamoDB answers the retry with the first attempt's success instead of a conflict.
        let token = batch
            .events
            .first()
            .map(|e| e.event_id.simple().to_string())
            .unwrap_or_else(|| uuid::Uuid::new_v4().simple().to_string());
        match request.client_request_token(token).send().await {
            Ok(_) => Ok(()),
            Err(err) => match err.into_service_error() {
                TransactWriteItemsError::TransactionCanceledException(cancelled) => {
                    let codes: Vec<Option<&str>> = cancelled
                        .cancellation_reasons()
                        .iter()
                        .map(|r| r.code())
                        .collect();
                    Err(cancellation_cause(&written, &codes).unwrap_or_else(|| {
                        let error =
                            TransactWriteItemsError::TransactionCanceledException(cancelled);
                        DynamoError::service(error).into()
                    }))
                }
                other => Err(DynamoError::service(other).into()),
            },
        }
    }

    fn put(&self, item: Item) -> Result<TransactWriteItem, StoreError> {
        Ok(TransactWriteItem::builder()
            .put(
                Put::builder()
                    .table_name(&self.tables.events)
                    .set_item(Some(item))
                    .condition_expression(NEW_ITEM_ONLY)
                    .build()?,
            )
            .build())
    }
}

/// Maps DynamoDB's per-item cancellation reasons (same order as the items) to the first
/// conflicting stream or taken guard. Two transactions racing on one item cancel with
/// `TransactionConflict`: for the loser that is a concurrency conflict like any other.
fn cancellation_cause(written: &[Written<'_>], codes: &[Option<&str>]) -> Option<AppendError> {
    written
        .iter()
        .zip(codes)
        .find_map(|(item, code)| match (item, *code) {
            (Written::Event(event), Some("ConditionalCheckFailed" | "TransactionConflict")) => {
                Some(AppendError::Conflict {
                    stream: event.stream_id(),
                })
            }
            (Written::Guard(claim), Some("ConditionalCheckFailed")) => {
                Some(AppendError::Duplicate {
                    scope: claim.claim.scope.to_owned(),
                    value: claim.claim.value.clone(),
                })
            }
            // Another transaction holds the guard right now; whether it wins is not known yet, so
            // the claimant retries and then sees either a free guard or a duplicate.
            (Written::Guard(claim), Some("TransactionConflict")) => Some(AppendError::Conflict {
                stream: claim.by.clone(),
            }),
            _ => None,
        })
}

impl EventStore {
    /// The stream that holds a uniqueness guard, if it is taken.
    pub async fn claimed_by(&self, claim: &UniqueClaim) -> Result<Option<StreamId>, StoreError> {
        let found = self
            .client
            .get_item()
            .table_name(&self.tables.events)
            .key(
                STREAM_ID,
                aws_sdk_dynamodb::types::AttributeValue::S(item::guard_key(claim)),
            )
            .key(VERSION, item::version_value(0))
            .consistent_read(true)
            .send()
            .await?;
        found.item().map(item::guard_owner).transpose()
    }
}
