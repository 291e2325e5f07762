//! Shared set-up of the event-store integration tests: a private moto server with fresh
//! tables, and a small account aggregate that exercises every store feature.
#![allow(dead_code)]

use es_core::{
    Aggregate, CommandContext, DomainError, DomainEvent, Rejection, StreamId, UniqueClaim,
};
use event_store::{AppendBatch, EventStore};
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

    fn handle(&self, command: &AccountCommand) -> Result<Vec<AccountEvent>, AccountError> {
        let deposit = |amount, memo: &str| AccountEvent::Deposited {
            amount,
            memo: memo.to_owned(),
        };
        match command {
            AccountCommand::Open { .. } if self.open => Err(AccountError::AlreadyOpen),
            AccountCommand::Open { email } => Ok(vec![AccountEvent::AccountOpened {
                email: email.clone(),
            }]),
            _ if !self.open => Err(AccountError::NotOpen),
            AccountCommand::Deposit { amount } => Ok(vec![deposit(*amount, "")]),
            AccountCommand::DepositWithMemo { amount, memo } => Ok(vec![deposit(*amount, memo)]),
            AccountCommand::DepositTwice { amount } => {
                Ok(vec![deposit(*amount, ""), deposit(*amount, "")])
            }
        }
    }

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

pub fn account(id: &str) -> StreamId {
    StreamId::new(Account::TYPE, id)
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
    let writers = (0..8u64).map(|writer| {
        let store = store.clone();
        let stream = account(id);
        let email = format!("{id}@x.io");
        tokio::spawn(async move {
            for version in (1..=count).filter(|v| v % 8 == writer) {
                let event = if version == 1 {
                    opened(&email)
                } else {
                    deposited(1)
                };
                store
                    .append(&AppendBatch::new(envelopes(
                        &stream,
                        version,
                        &[event],
                        &ctx(),
                    )))
                    .await
                    .unwrap();
            }
        })
    });
    for writer in futures::future::join_all(writers).await {
        writer.unwrap();
    }
}
