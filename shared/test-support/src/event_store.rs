use event_store::{schema, CommandHandler, EventStore, Tables};

use crate::{unique_name, Moto, RequestCounter};

/// What most integration tests start from: a moto of their own with an event table, and the
/// store on it. The client counts its requests ([`RequestCounter`], reset once the table is
/// made), so a test can assert round trips.
pub struct EventStoreFixture {
    pub moto: Moto,
    pub client: aws_sdk_dynamodb::Client,
    pub tables: Tables,
    pub store: EventStore,
    pub counter: RequestCounter,
}

impl EventStoreFixture {
    /// Starts moto and creates a uniquely named event table.
    pub async fn start() -> Self {
        let moto = Moto::start();
        let counter = RequestCounter::default();
        let client = moto.counted_dynamodb(&counter);
        let tables = Tables::new(unique_name("events"));
        schema::create_event_table(&client, &tables.events)
            .await
            .expect("event table");
        counter.reset();
        Self {
            store: EventStore::new(client.clone(), tables.clone()),
            moto,
            client,
            tables,
            counter,
        }
    }

    /// A command handler on the store.
    pub fn commands(&self) -> CommandHandler {
        CommandHandler::new(self.store.clone())
    }
}
