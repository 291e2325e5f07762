//! The same bank account on cqrs-es, stored by dynamo-es (its DynamoDB event repository), with
//! the table layout of dynamo-es's own `db/create_tables.sh`.

use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, KeySchemaElement, KeyType, ScalarAttributeType,
};
use aws_sdk_dynamodb::Client;
use cqrs_es::event_sink::EventSink;
use cqrs_es::persist::PersistedEventStore;
use cqrs_es::{CqrsFramework, DomainEvent};
use dynamo_es::{DynamoCqrs, DynamoEventRepository};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum PeerEvent {
    AccountOpened { owner: String },
    Deposited { amount: u64 },
}

impl DomainEvent for PeerEvent {
    fn event_type(&self) -> String {
        match self {
            Self::AccountOpened { .. } => "AccountOpened".into(),
            Self::Deposited { .. } => "Deposited".into(),
        }
    }

    fn event_version(&self) -> String {
        "1".into()
    }
}

#[derive(Debug)]
pub enum PeerCommand {
    Open { owner: String },
    Deposit { amount: u64 },
}

#[derive(Debug, thiserror::Error)]
pub enum PeerError {
    #[error("account already open")]
    AlreadyOpen,
    #[error("account not open")]
    NotOpen,
}

#[derive(Debug, Default, Serialize, Deserialize)]
pub struct PeerAccount {
    open: bool,
    balance: u64,
}

impl cqrs_es::Aggregate for PeerAccount {
    const TYPE: &'static str = "account";
    type Command = PeerCommand;
    type Event = PeerEvent;
    type Error = PeerError;
    type Services = ();

    async fn handle(
        &mut self,
        command: PeerCommand,
        _services: &(),
        sink: &EventSink<Self>,
    ) -> Result<(), PeerError> {
        let event = match command {
            PeerCommand::Open { .. } if self.open => return Err(PeerError::AlreadyOpen),
            PeerCommand::Open { owner } => PeerEvent::AccountOpened { owner },
            _ if !self.open => return Err(PeerError::NotOpen),
            PeerCommand::Deposit { amount } => PeerEvent::Deposited { amount },
        };
        sink.write(event, self).await;
        Ok(())
    }

    fn apply(&mut self, event: PeerEvent) {
        match event {
            PeerEvent::AccountOpened { .. } => self.open = true,
            PeerEvent::Deposited { amount } => self.balance += amount,
        }
    }
}

/// dynamo-es's framework on `events` / `snapshots`; with `snapshot_every`, its snapshot store.
pub fn framework(
    client: Client,
    events: &str,
    snapshots: &str,
    snapshot_every: Option<usize>,
) -> DynamoCqrs<PeerAccount> {
    let repository = DynamoEventRepository::new(client).with_tables(events, snapshots);
    let store = match snapshot_every {
        Some(every) => PersistedEventStore::new_snapshot_store(repository, every),
        None => PersistedEventStore::new_event_store(repository),
    };
    CqrsFramework::new(store, vec![], ())
}

pub async fn create_tables(client: &Client, events: &str, snapshots: &str) {
    let key = |name: &str, kind| {
        KeySchemaElement::builder()
            .attribute_name(name)
            .key_type(kind)
            .build()
            .expect("key")
    };
    let attribute = |name: &str, kind| {
        AttributeDefinition::builder()
            .attribute_name(name)
            .attribute_type(kind)
            .build()
            .expect("attribute")
    };
    client
        .create_table()
        .table_name(events)
        .billing_mode(BillingMode::PayPerRequest)
        .key_schema(key("AggregateTypeAndId", KeyType::Hash))
        .key_schema(key("AggregateIdSequence", KeyType::Range))
        .attribute_definitions(attribute("AggregateTypeAndId", ScalarAttributeType::S))
        .attribute_definitions(attribute("AggregateIdSequence", ScalarAttributeType::N))
        .send()
        .await
        .expect("dynamo-es event table");
    // Keyed by one string, as a view's table is.
    projection::create_view_table(client, snapshots, "AggregateTypeAndId", &[])
        .await
        .expect("dynamo-es snapshot table");
}

pub async fn open(cqrs: &DynamoCqrs<PeerAccount>, id: &str) {
    cqrs.execute(id, PeerCommand::Open { owner: id.into() })
        .await
        .expect("open");
}

pub async fn deposit(cqrs: &DynamoCqrs<PeerAccount>, id: &str, amount: u64) {
    cqrs.execute(id, PeerCommand::Deposit { amount })
        .await
        .expect("deposit");
}
