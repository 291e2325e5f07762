use aws_sdk_dynamodb::Client;

/// The tables of the event store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tables {
    pub events: String,
    pub snapshots: String,
}

impl Tables {
    /// From `EVENTS_TABLE` and `SNAPSHOTS_TABLE`, as the template sets them on each function.
    pub fn from_env() -> Result<Self, std::env::VarError> {
        Ok(Self {
            events: std::env::var("EVENTS_TABLE")?,
            snapshots: std::env::var("SNAPSHOTS_TABLE")?,
        })
    }
}

/// A handle on the event store. Cheap to clone: the SDK client is shared.
#[derive(Debug, Clone)]
pub struct EventStore {
    pub(crate) client: Client,
    pub(crate) tables: Tables,
}

impl EventStore {
    pub fn new(client: Client, tables: Tables) -> Self {
        Self { client, tables }
    }

    pub fn client(&self) -> &Client {
        &self.client
    }

    pub fn tables(&self) -> &Tables {
        &self.tables
    }
}
