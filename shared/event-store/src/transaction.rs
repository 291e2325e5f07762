//! Several aggregates' decisions appended as one atomic write: a checkout (the cart and the
//! order it becomes), a stock reservation (every product of an order, or none).
//!
//! [`CommandHandler::transact`] runs a decision that loads the aggregates it needs and records
//! their new events in a [`Transaction`]; the whole transaction is one `TransactWriteItems`
//! (one conditional `PutItem` when it holds a single event), and a conflict on any of its
//! streams runs the decision again on fresh loads.

use es_core::{Aggregate, CommandContext, DomainError, EventEnvelope, StreamId, UniqueClaim};
use std::future::Future;

use crate::append::{AppendBatch, Claim};
use crate::error::StoreError;
use crate::handler::{
    backoff, conflicted_stream, envelopes, snapshot_due, CommandError, CommandHandler,
};
use crate::read::Loaded;
use crate::snapshot::Snapshot;

/// New events of several streams, and the guards they take, to be written all or none.
#[derive(Debug)]
pub struct Transaction {
    batch: AppendBatch,
    snapshot_every: u64,
    /// States whose new version crosses a snapshot boundary, written once the append succeeded.
    snapshots: Vec<Snapshot>,
}

impl Transaction {
    /// Records `decided`, the new events of the aggregate loaded as `loaded`, at the versions
    /// after it, with the guards they claim. Returns the state after them.
    ///
    /// A stream may be recorded once per transaction.
    pub fn record<A: Aggregate>(
        &mut self,
        aggregate_id: &str,
        loaded: &Loaded<A>,
        decided: &[A::Event],
        ctx: &CommandContext,
    ) -> Result<A, StoreError> {
        let stream = StreamId::new(A::TYPE, aggregate_id);
        if self.batch.events.iter().any(|e| e.stream_id() == stream) {
            return Err(StoreError::corrupt(format!(
                "{stream} recorded twice in one transaction"
            )));
        }
        let mut state = loaded.state.clone();
        let (events, claims) = envelopes(&stream, loaded.version, &mut state, decided, ctx)?;
        let version = loaded.version + decided.len() as u64;
        if snapshot_due(self.snapshot_every, loaded.version, version) {
            self.snapshots
                .push(Snapshot::of(aggregate_id, &state, version)?);
        }
        self.batch.events.extend(events);
        self.batch.claims.extend(claims);
        Ok(state)
    }

    /// Takes a guard that no event claims by itself (e.g. one decision for a whole order,
    /// whichever streams it writes), in the same write.
    pub fn claim(&mut self, claim: UniqueClaim, by: StreamId) {
        self.batch.claims.push(Claim { claim, by });
    }

    /// The events recorded so far, in the order they were recorded.
    pub fn events(&self) -> &[EventEnvelope] {
        &self.batch.events
    }
}

impl CommandHandler {
    /// An empty transaction, to fill in a decision given to [`CommandHandler::transact`].
    pub fn transaction(&self) -> Transaction {
        Transaction {
            batch: AppendBatch::default(),
            snapshot_every: self.snapshot_every(),
            snapshots: Vec::new(),
        }
    }

    /// Runs `decide` and appends the transaction it returns, atomically.
    ///
    /// `decide` loads what it needs (consistently), records each aggregate's new events with
    /// [`Transaction::record`], and returns the transaction with its own result. If another
    /// writer changed one of the streams in between, nothing is written and `decide` runs again
    /// on fresh loads, up to the handler's attempts ([`CommandError::Conflict`] then). A guard
    /// already taken is [`CommandError::Duplicate`], never retried. An empty transaction writes
    /// nothing.
    pub async fn transact<T, E, F, Fut>(&self, mut decide: F) -> Result<T, CommandError<E>>
    where
        E: DomainError,
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<(Transaction, T), CommandError<E>>>,
    {
        let mut attempt = 0;
        loop {
            attempt += 1;
            let (transaction, result) = decide().await?;
            match self.store().append(&transaction.batch).await {
                Ok(()) => {
                    for snapshot in &transaction.snapshots {
                        // Best-effort, as for a single aggregate: a snapshot is a cache.
                        if let Err(error) = self.store().write_snapshot(snapshot).await {
                            tracing::warn!(%error, stream = %snapshot.stream, "snapshot not written");
                        }
                    }
                    return Ok(result);
                }
                Err(error) => {
                    let stream = conflicted_stream(error)?;
                    if attempt >= self.max_attempts() {
                        return Err(CommandError::Conflict {
                            stream,
                            attempts: attempt,
                        });
                    }
                    tracing::debug!(%stream, attempt, "transaction conflicted, deciding again");
                    backoff(attempt).await;
                }
            }
        }
    }
}
