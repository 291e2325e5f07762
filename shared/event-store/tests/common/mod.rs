//! Shared set-up of the event-store integration tests: a private moto server with fresh
//! tables, and a small account aggregate that exercises every store feature.
#![allow(dead_code)]

use aws_sdk_dynamodb::types::AttributeValue;
use es_core::{
    Aggregate, CommandContext, Decide, DomainError, DomainEvent, EventEnvelope, Rejection,
    StreamId, UniqueClaim,
};
use event_store::schema::SNAPSHOT_SORT_KEY;
use event_store::{
    AppendBatch, CommandHandler, EventStore, Expected, Loaded, Outcome, PointInTime,
};
use serde::{Deserialize, Serialize};

/// Moto with a fresh event table; the store's requests are counted.
pub use test_support::EventStoreFixture as Harness;

pub async fn harness() -> Harness {
    Harness::start().await
}

pub fn ctx() -> CommandContext {
    CommandContext::for_request("test", None, "request-1")
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event_type", content = "data")]
pub enum AccountEvent {
    AccountOpened { email: String },
    Deposited { amount: u64, memo: String },
}

impl DomainEvent for AccountEvent {}

#[derive(Debug, Clone)]
pub enum AccountCommand {
    Open { email: String },
    Deposit { amount: u64 },
    DepositWithMemo { amount: u64, memo: String },
    DepositTwice { amount: u64 },
}

#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error("account already open")]
    AlreadyOpen,
    #[error("account not open")]
    NotOpen,
}

impl DomainError for AccountError {
    fn rejection(&self) -> Rejection {
        match self {
            Self::AlreadyOpen => Rejection::conflict("already_open", self.to_string()),
            Self::NotOpen => Rejection::not_found("account", "?"),
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Account {
    pub open: bool,
    pub balance: u64,
    pub deposits: u64,
}

impl Aggregate for Account {
    const TYPE: &'static str = "account";
    type Command = AccountCommand;
    type Event = AccountEvent;
    type Error = AccountError;

    fn apply(&mut self, event: &AccountEvent) {
        match event {
            AccountEvent::AccountOpened { .. } => self.open = true,
            AccountEvent::Deposited { amount, .. } => {
                self.balance += amount;
                self.deposits += 1;
            }
        }
    }

    fn unique_claims(event: &AccountEvent) -> Vec<UniqueClaim> {
        match event {
            AccountEvent::AccountOpened { email } => vec![UniqueClaim {
                scope: "account.email",
                value: email.clone(),
            }],
            _ => Vec::new(),
        }
    }
}

impl Decide<Account> for AccountCommand {
    fn decide(&self, account: &Account) -> Result<Vec<AccountEvent>, AccountError> {
        let deposit = |amount, memo: &str| AccountEvent::Deposited {
            amount,
            memo: memo.to_owned(),
        };
        match self {
            AccountCommand::Open { .. } if account.open => Err(AccountError::AlreadyOpen),
            AccountCommand::Open { email } => Ok(vec![AccountEvent::AccountOpened {
                email: email.clone(),
            }]),
            _ if !account.open => Err(AccountError::NotOpen),
            AccountCommand::Deposit { amount } => Ok(vec![deposit(*amount, "")]),
            AccountCommand::DepositWithMemo { amount, memo } => Ok(vec![deposit(*amount, memo)]),
            AccountCommand::DepositTwice { amount } => {
                Ok(vec![deposit(*amount, ""), deposit(*amount, "")])
            }
        }
    }
}

pub fn account(id: &str) -> StreamId {
    StreamId::new(Account::TYPE, id)
}

/// The command opening an account with `email`.
pub fn open_with(email: &str) -> AccountCommand {
    AccountCommand::Open {
        email: email.into(),
    }
}

/// The versions of `events`, in their order.
pub fn versions_of(events: &[EventEnvelope]) -> Vec<u64> {
    events.iter().map(|e| e.version).collect()
}

/// Account `id` as it was at `point`; the read must succeed.
pub async fn account_at(store: &EventStore, id: &str, point: PointInTime) -> Loaded<Account> {
    store.load_at::<Account>(id, point).await.unwrap()
}

/// Runs `command` on account `id` through `handler`, whatever its version; it must succeed.
pub async fn execute(
    handler: &CommandHandler,
    id: &str,
    command: &AccountCommand,
) -> Outcome<Account> {
    handler
        .execute::<Account>(id, command, Expected::Any, &ctx())
        .await
        .unwrap()
}

/// Every event of account `id`, oldest first.
pub async fn events_of(store: &EventStore, id: &str) -> Vec<es_core::EventEnvelope> {
    store.read_stream(&account(id), 1, None).await.unwrap()
}

/// Moto with a fresh event table, and a command handler on its store (default settings).
pub async fn harness_with_handler() -> (Harness, CommandHandler) {
    let h = harness().await;
    let handler = CommandHandler::new(h.store.clone());
    (h, handler)
}

/// Appends `events` to `stream` in one batch, at versions `first`, `first + 1`…; it must
/// succeed.
pub async fn append_at(store: &EventStore, stream: &StreamId, first: u64, events: &[AccountEvent]) {
    store
        .append(&AppendBatch::new(envelopes(stream, first, events, &ctx())))
        .await
        .unwrap();
}

/// Appends, in one batch, an opening of `stream` and deposits of 1 to `deposits`.
pub async fn append_opened_with_deposits(store: &EventStore, stream: &StreamId, deposits: u64) {
    let events: Vec<_> = std::iter::once(opened("a@x.io"))
        .chain((1..=deposits).map(deposited))
        .collect();
    append_at(store, stream, 1, &events).await;
}

/// Envelopes for `events` at versions `first`, `first + 1`… of `stream`.
pub fn envelopes(
    stream: &StreamId,
    first: u64,
    events: &[AccountEvent],
    ctx: &CommandContext,
) -> Vec<es_core::EventEnvelope> {
    events
        .iter()
        .enumerate()
        .map(|(i, e)| es_core::EventEnvelope::new(stream, first + i as u64, e, ctx).unwrap())
        .collect()
}

pub fn opened(email: &str) -> AccountEvent {
    AccountEvent::AccountOpened {
        email: email.into(),
    }
}

pub fn deposited(amount: u64) -> AccountEvent {
    AccountEvent::Deposited {
        amount,
        memo: String::new(),
    }
}

/// Appends `count` events (an opening, then deposits), one `PutItem` each: moto copies a
/// whole table for every transaction, so seeding a long stream with transactions would take
/// quadratic time there (DynamoDB itself has no such cost). Eight writers share the versions.
pub async fn seed(store: &EventStore, id: &str, count: u64) {
    // Appended in batches (one transaction each, within its 100 items with the first batch's
    // claim), versions in order: a long stream costs a hundredth of its events in requests.
    let stream = account(id);
    let email = format!("{id}@x.io");
    let versions: Vec<u64> = (1..=count).collect();
    for chunk in versions.chunks(90) {
        let events: Vec<AccountEvent> = chunk
            .iter()
            .map(|&version| match version {
                1 => opened(&email),
                _ => deposited(1),
            })
            .collect();
        append_at(store, &stream, chunk[0], &events).await;
    }
}

/// Replaces the stream's snapshot item by hand.
pub async fn put_snapshot(h: &Harness, id: &str, schema: &str, version: &str, state: &str) {
    h.store
        .client()
        .put_item()
        .table_name(&h.store.tables().events)
        .item("stream_id", AttributeValue::S(account(id).key()))
        .item("version", AttributeValue::N(SNAPSHOT_SORT_KEY.into()))
        .item("snapshot_schema", AttributeValue::N(schema.into()))
        .item("snapshot_version", AttributeValue::N(version.into()))
        .item("state", AttributeValue::S(state.into()))
        .send()
        .await
        .unwrap();
}
