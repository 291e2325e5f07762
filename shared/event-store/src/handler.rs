//! Running a command against an aggregate: load, decide, append, retry on conflict; or, for a
//! stream the command creates under a fresh id, decide and append without loading.

use es_core::{
    Aggregate, CommandContext, DomainError, EventEnvelope, Rejection, RejectionKind, StreamId,
};
use std::time::Duration;

use crate::append::{AppendBatch, Claim};
use crate::error::{AppendError, StoreError};
use crate::read::Loaded;
use crate::store::EventStore;

/// The version a command expects its stream to be at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expected {
    /// Whatever the current version: a conflict is retried from a fresh load.
    Any,
    /// Exactly this version (`If-Match`): if the stream moved on, the command fails with
    /// [`CommandError::PreconditionFailed`] and is never retried, since the client decided
    /// on a state that is gone.
    Exactly(u64),
}

impl Expected {
    /// [`CommandError::PreconditionFailed`] unless a stream at `actual` is what was expected.
    pub fn check<E: DomainError>(self, actual: u64) -> Result<(), CommandError<E>> {
        match self {
            Self::Exactly(expected) if expected != actual => {
                Err(CommandError::PreconditionFailed { expected, actual })
            }
            _ => Ok(()),
        }
    }
}

/// A command that was accepted. `events` is empty when the command changed nothing.
#[derive(Debug, Clone)]
pub struct Outcome<A> {
    pub state: A,
    pub version: u64,
    pub events: Vec<EventEnvelope>,
}

#[derive(Debug, thiserror::Error)]
pub enum CommandError<E: DomainError> {
    /// The aggregate refused the command.
    #[error(transparent)]
    Rejected(E),
    #[error("expected version {expected}, the stream is at {actual}")]
    PreconditionFailed { expected: u64, actual: u64 },
    /// Concurrent writers kept winning for every attempt.
    #[error("stream {stream} kept changing concurrently ({attempts} attempts)")]
    Conflict { stream: StreamId, attempts: u32 },
    /// A uniqueness guard the command's events claim is already taken.
    #[error("{scope} {value} is already taken")]
    Duplicate { scope: String, value: String },
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl<E: DomainError> CommandError<E> {
    /// How a client sees the refusal; `None` for a server-side failure.
    pub fn rejection(&self) -> Option<Rejection> {
        match self {
            Self::Rejected(e) => Some(e.rejection()),
            Self::PreconditionFailed { expected, actual } => Some(Rejection::new(
                RejectionKind::PreconditionFailed,
                "precondition_failed",
                format!(
                    "If-Match expected version {expected} but the resource is at version {actual}"
                ),
            )),
            Self::Conflict { stream, .. } => Some(Rejection::conflict(
                "concurrent_modification",
                format!("{stream} was changed concurrently; retry the request"),
            )),
            Self::Duplicate { scope, value } => Some(Rejection::conflict(
                "duplicate",
                format!("{scope} {value} is already taken"),
            )),
            Self::Store(_) => None,
        }
    }
}

/// Runs commands against the event store.
#[derive(Debug, Clone)]
pub struct CommandHandler {
    /// Also holds the snapshot interval, which sizes its loads' first page.
    store: EventStore,
    max_attempts: u32,
}

impl CommandHandler {
    pub const DEFAULT_MAX_ATTEMPTS: u32 = 5;
    pub const DEFAULT_SNAPSHOT_EVERY: u64 = EventStore::DEFAULT_SNAPSHOT_EVERY;

    /// A handler that snapshots at the store's interval ([`EventStore::with_snapshot_every`]).
    pub fn new(store: EventStore) -> Self {
        Self {
            store,
            max_attempts: Self::DEFAULT_MAX_ATTEMPTS,
        }
    }

    pub fn with_max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// A snapshot is taken whenever an append crosses a multiple of `every` events (and the
    /// handler's loads size their first page for it).
    pub fn with_snapshot_every(mut self, every: u64) -> Self {
        self.store = self.store.with_snapshot_every(every);
        self
    }

    pub fn store(&self) -> &EventStore {
        &self.store
    }

    pub(crate) fn max_attempts(&self) -> u32 {
        self.max_attempts
    }

    pub(crate) fn snapshot_every(&self) -> u64 {
        self.store.snapshot_every
    }

    /// Loads the aggregate, lets it decide, and appends its events at the next versions.
    pub async fn execute<A: Aggregate>(
        &self,
        aggregate_id: &str,
        command: &A::Command,
        expected: Expected,
        ctx: &CommandContext,
    ) -> Result<Outcome<A>, CommandError<A::Error>> {
        let mut attempt = 0;
        loop {
            attempt += 1;
            let loaded: Loaded<A> = self.store.load(aggregate_id).await?;
            expected.check(loaded.version)?;
            let conflicted = match self
                .decide_and_append(aggregate_id, loaded, command, ctx)
                .await?
            {
                Attempt::Done(outcome) => return Ok(outcome),
                Attempt::Conflict(stream) => stream,
            };
            match expected {
                Expected::Exactly(version) => {
                    return Err(CommandError::PreconditionFailed {
                        expected: version,
                        actual: version + 1,
                    })
                }
                Expected::Any if attempt < self.max_attempts => backoff(attempt).await,
                Expected::Any => {
                    return Err(CommandError::Conflict {
                        stream: conflicted,
                        attempts: attempt,
                    })
                }
            }
        }
    }

    /// Runs a command that creates the stream of a fresh id (one the server just generated):
    /// the aggregate decides on its initial state at version 0 and the events are appended
    /// without loading, in one request (one `PutItem`, or one `TransactWriteItems` when they
    /// claim uniqueness guards, taken in the same write).
    ///
    /// The append's condition (no item at version 1) proves the stream new. If it is not (an
    /// id reused), the command runs as [`CommandHandler::execute`] would run it, on the
    /// stream's real state: the aggregate's own refusal answers, as it always did (a create
    /// command on an existing aggregate is its 409 "already exists"). A guard already taken is
    /// [`CommandError::Duplicate`], as for `execute`. An SDK retry of a write whose answer was
    /// lost finds its own item and succeeds (see `append.rs`).
    pub async fn create<A: Aggregate>(
        &self,
        aggregate_id: &str,
        command: &A::Command,
        ctx: &CommandContext,
    ) -> Result<Outcome<A>, CommandError<A::Error>> {
        let new = Loaded::new_stream();
        match self
            .decide_and_append(aggregate_id, new, command, ctx)
            .await?
        {
            Attempt::Done(outcome) => Ok(outcome),
            Attempt::Conflict(stream) => {
                tracing::info!(%stream, "stream to create exists, deciding on its state");
                self.execute(aggregate_id, command, Expected::Any, ctx)
                    .await
            }
        }
    }

    /// One attempt of a command on the state it was decided on: the aggregate decides, and its
    /// events are appended at the versions after `loaded` (a snapshot taken when due). Nothing
    /// decided is an outcome with no events; a concurrent writer is [`Attempt::Conflict`],
    /// with nothing of the batch written.
    async fn decide_and_append<A: Aggregate>(
        &self,
        aggregate_id: &str,
        loaded: Loaded<A>,
        command: &A::Command,
        ctx: &CommandContext,
    ) -> Result<Attempt<A>, CommandError<A::Error>> {
        let decided = loaded
            .state
            .handle(command)
            .map_err(CommandError::Rejected)?;
        if decided.is_empty() {
            return Ok(Attempt::Done(Outcome {
                state: loaded.state,
                version: loaded.version,
                events: Vec::new(),
            }));
        }
        let stream = StreamId::new(A::TYPE, aggregate_id);
        let (batch, state) = prepare(&stream, loaded, &decided, ctx)?;
        match self.store.append(&batch).await {
            Ok(()) => {
                let version = loaded_version_after(&batch);
                self.snapshot_if_due(aggregate_id, &state, version, decided.len() as u64)
                    .await;
                Ok(Attempt::Done(Outcome {
                    state,
                    version,
                    events: batch.events,
                }))
            }
            Err(error) => Ok(Attempt::Conflict(conflicted_stream(error)?)),
        }
    }

    /// Best-effort: a snapshot is a cache, so failing to write one must not fail the command.
    async fn snapshot_if_due<A: Aggregate>(&self, id: &str, state: &A, version: u64, added: u64) {
        if snapshot_due(self.snapshot_every(), version - added, version) {
            if let Err(error) = self.store.save_snapshot(id, state, version).await {
                tracing::warn!(%error, aggregate = A::TYPE, id, version, "snapshot not written");
            }
        }
    }
}

/// How one attempt of a command ended.
enum Attempt<A> {
    Done(Outcome<A>),
    /// A concurrent writer moved this stream first.
    Conflict(StreamId),
}

fn loaded_version_after(batch: &AppendBatch) -> u64 {
    batch.events.last().map(|e| e.version).unwrap_or_default()
}

/// Wraps decided events in envelopes at the next versions, with the guards they claim, and
/// the state after them.
fn prepare<A: Aggregate>(
    stream: &StreamId,
    loaded: Loaded<A>,
    decided: &[A::Event],
    ctx: &CommandContext,
) -> Result<(AppendBatch, A), StoreError> {
    let mut state = loaded.state;
    let (events, claims) = envelopes(stream, loaded.version, &mut state, decided, ctx)?;
    Ok((AppendBatch::new(events).with_claims(claims), state))
}

/// The envelopes of `decided` at the versions after `version`, and the guards they claim;
/// `state` is moved past them.
pub(crate) fn envelopes<A: Aggregate>(
    stream: &StreamId,
    version: u64,
    state: &mut A,
    decided: &[A::Event],
    ctx: &CommandContext,
) -> Result<(Vec<EventEnvelope>, Vec<Claim>), StoreError> {
    let mut events = Vec::with_capacity(decided.len());
    let mut claims = Vec::new();
    for (offset, event) in decided.iter().enumerate() {
        let envelope = EventEnvelope::new(stream, version + 1 + offset as u64, event, ctx)
            .map_err(|e| StoreError::corrupt(e.to_string()))?;
        claims.extend(A::unique_claims(event).into_iter().map(|claim| Claim {
            claim,
            by: stream.clone(),
        }));
        state.apply(event);
        events.push(envelope);
    }
    Ok((events, claims))
}

/// The stream of a conflict, which a retry on fresh loads may overcome; any other failure of
/// an append as the command's error (a taken guard, the store, a batch it refuses).
pub(crate) fn conflicted_stream<E: DomainError>(
    error: AppendError,
) -> Result<StreamId, CommandError<E>> {
    match error {
        AppendError::Conflict { stream } => Ok(stream),
        AppendError::Duplicate { scope, value } => Err(CommandError::Duplicate { scope, value }),
        AppendError::Store(e) => Err(CommandError::Store(e)),
        other @ (AppendError::TooLarge(_) | AppendError::InvalidBatch(_)) => {
            Err(CommandError::Store(StoreError::corrupt(other.to_string())))
        }
    }
}

/// Whether a stream that went from version `before` to `after` crossed a multiple of `every`.
pub(crate) fn snapshot_due(every: u64, before: u64, after: u64) -> bool {
    after / every > before / every
}

/// Jittered, growing pause so that writers that just collided do not collide again in step.
pub async fn backoff(attempt: u32) {
    let base = 5u64 << attempt.min(6);
    tokio::time::sleep(Duration::from_millis(base + fastrand::u64(0..=base))).await;
}
