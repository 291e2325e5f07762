use aws_sdk_dynamodb::Client;

/// The table of the event store: events, uniqueness guards and snapshots, one partition per
/// stream (or guard).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tables {
    pub events: String,
}

impl Tables {
    pub fn new(events: impl Into<String>) -> Self {
        Self {
            events: events.into(),
        }
    }

    /// From `EVENTS_TABLE`, as the template sets it on each function.
    pub fn from_env() -> Result<Self, std::env::VarError> {
        Ok(Self::new(std::env::var("EVENTS_TABLE")?))
    }
}

/// A handle on the event store. Cheap to clone: the SDK client is shared.
#[derive(Debug, Clone)]
pub struct EventStore {
    pub(crate) client: Client,
    pub(crate) tables: Tables,
    /// How many events apart snapshots are taken: sizes the first page of a load.
    pub(crate) snapshot_every: u64,
}

impl EventStore {
    /// Snapshots every this many events unless told otherwise.
    pub const DEFAULT_SNAPSHOT_EVERY: u64 = 100;

    pub fn new(client: Client, tables: Tables) -> Self {
        Self {
            client,
            tables,
            snapshot_every: Self::DEFAULT_SNAPSHOT_EVERY,
        }
    }

    /// The interval at which the streams read by this handle are snapshotted. A load's first
    /// page is sized from it (the snapshot, the events above it, one to spare), so that a
    /// stream snapshotted on schedule loads in one request.
    pub fn with_snapshot_every(mut self, every: u64) -> Self {
        self.snapshot_every = every.max(1);
        self
    }

    pub fn client(&self) -> &Client {
        &self.client
    }

    pub fn tables(&self) -> &Tables {
        &self.tables
    }
}
