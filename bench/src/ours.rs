//! The bank account of the comparison on our store: `es_core::Aggregate` run by
//! `event_store::CommandHandler`, as the functions run theirs.

use es_core::{Aggregate, CommandContext, Decide, DomainError, DomainEvent, Rejection};
use event_store::{CommandError, CommandHandler, Expected};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event_type", content = "data")]
pub enum AccountEvent {
    AccountOpened { owner: String },
    Deposited { amount: u64 },
    Withdrawn { amount: u64 },
}

impl DomainEvent for AccountEvent {}

#[derive(Debug, Clone)]
pub enum AccountCommand {
    Open { owner: String },
    Deposit { amount: u64 },
    Withdraw { amount: u64 },
}

#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error("account already open")]
    AlreadyOpen,
    #[error("account not open")]
    NotOpen,
    #[error("insufficient funds")]
    InsufficientFunds,
}

impl DomainError for AccountError {
    fn rejection(&self) -> Rejection {
        Rejection::conflict("account", self.to_string())
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Account {
    open: bool,
    balance: u64,
}

impl Aggregate for Account {
    const TYPE: &'static str = "account";
    type Command = AccountCommand;
    type Event = AccountEvent;
    type Error = AccountError;

    fn apply(&mut self, event: &AccountEvent) {
        match event {
            AccountEvent::AccountOpened { .. } => self.open = true,
            AccountEvent::Deposited { amount } => self.balance += amount,
            AccountEvent::Withdrawn { amount } => self.balance -= amount,
        }
    }
}

impl Decide<Account> for AccountCommand {
    fn decide(&self, account: &Account) -> Result<Vec<AccountEvent>, AccountError> {
        match self {
            AccountCommand::Open { .. } if account.open => Err(AccountError::AlreadyOpen),
            AccountCommand::Open { owner } => Ok(vec![AccountEvent::AccountOpened {
                owner: owner.clone(),
            }]),
            _ if !account.open => Err(AccountError::NotOpen),
            AccountCommand::Deposit { amount } => {
                Ok(vec![AccountEvent::Deposited { amount: *amount }])
            }
            AccountCommand::Withdraw { amount } if *amount > account.balance => {
                Err(AccountError::InsufficientFunds)
            }
            AccountCommand::Withdraw { amount } => {
                Ok(vec![AccountEvent::Withdrawn { amount: *amount }])
            }
        }
    }
}

fn ctx() -> CommandContext {
    CommandContext::for_request("bench", None, &uuid::Uuid::new_v4().to_string())
}

/// Opens account `id`, a stream the caller just made up (as `POST /owners` does).
pub async fn open(handler: &CommandHandler, id: &str) {
    handler
        .create::<Account>(id, &AccountCommand::Open { owner: id.into() }, &ctx())
        .await
        .expect("open");
}

pub async fn deposit(handler: &CommandHandler, id: &str, amount: u64) {
    handler
        .execute::<Account>(
            id,
            &AccountCommand::Deposit { amount },
            Expected::Any,
            &ctx(),
        )
        .await
        .expect("deposit");
}

/// Moves `amount` from one account to another: two streams, one atomic write.
pub async fn transfer(handler: &CommandHandler, from: &str, to: &str, amount: u64) {
    let ctx = ctx();
    handler
        .transact(|| async {
            let source = handler.store().load::<Account>(from).await?;
            let target = handler.store().load::<Account>(to).await?;
            let withdrawn = source
                .state
                .handle(&AccountCommand::Withdraw { amount })
                .map_err(CommandError::Rejected)?;
            let deposited = target
                .state
                .handle(&AccountCommand::Deposit { amount })
                .map_err(CommandError::Rejected)?;
            let mut transaction = handler.transaction();
            transaction.record(from, &source, &withdrawn, &ctx)?;
            transaction.record(to, &target, &deposited, &ctx)?;
            Ok::<_, CommandError<AccountError>>((transaction, ()))
        })
        .await
        .expect("transfer");
}
