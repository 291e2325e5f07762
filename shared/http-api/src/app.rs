use event_store::{CommandHandler, EventStore, Tables};

use crate::ApiError;

mod answers;
mod erasure;

pub use answers::FoundView;

/// What a function shares between invocations: built once per cold start.
#[derive(Debug, Clone)]
pub struct App {
    pub dynamodb: aws_sdk_dynamodb::Client,
    /// `None` for functions that are not given the event store (least privilege).
    events: Option<EventStore>,
}

impl App {
    /// From the Lambda environment. Locally `AWS_ENDPOINT_URL` points the SDK at the emulator.
    /// The SDK configuration is every function's ([`aws_setup::sdk_config`]).
    pub async fn from_env() -> Self {
        let config = aws_setup::sdk_config().await;
        let dynamodb = aws_sdk_dynamodb::Client::new(&config);
        Self::new(dynamodb, Tables::from_env().ok())
    }

    pub fn new(dynamodb: aws_sdk_dynamodb::Client, tables: Option<Tables>) -> Self {
        let events = tables.map(|t| EventStore::new(dynamodb.clone(), t));
        Self { dynamodb, events }
    }

    pub fn store(&self) -> Result<&EventStore, ApiError> {
        self.events
            .as_ref()
            .ok_or_else(|| ApiError::internal("EVENTS_TABLE is not set"))
    }

    pub fn commands(&self) -> Result<CommandHandler, ApiError> {
        Ok(CommandHandler::new(self.store()?.clone()))
    }

    /// The name of a read-model table, from the environment variable the template sets.
    pub fn table(&self, variable: &str) -> Result<String, ApiError> {
        std::env::var(variable).map_err(|_| ApiError::internal(format!("{variable} is not set")))
    }

    /// The personal-data key store (SPEC §7), from `PERSONAL_DATA_KEYS_TABLE`; its pepper is
    /// read once per cold start.
    pub fn personal_data(&self) -> Result<personal_data::KeyStore, ApiError> {
        Ok(personal_data::KeyStore::from_env(self.dynamodb.clone())?)
    }
}

impl App {
    /// Runs a command for `request`: its `If-Match` is the expected version, its correlation
    /// id and request id the causal context of the events.
    pub async fn execute<A: es_core::Aggregate>(
        &self,
        request: &crate::ApiRequest,
        aggregate_id: &str,
        command: A::Command,
    ) -> Result<event_store::Outcome<A>, ApiError> {
        Ok(self
            .commands()?
            .execute::<A>(
                aggregate_id,
                &command,
                request.expected_version()?,
                &request.command_context(),
            )
            .await?)
    }

    /// Runs a command that creates the aggregate `aggregate_id`, an id the server just made
    /// (`Uuid::new_v4`): decided on the new aggregate and appended without loading, one
    /// DynamoDB request ([`event_store::CommandHandler::create`]); if the id exists after all,
    /// the aggregate refuses as it would under [`App::execute`]. An `If-Match` can only name
    /// version 0 here: any other is 412, as it would be against a new stream.
    pub async fn create<A: es_core::Aggregate>(
        &self,
        request: &crate::ApiRequest,
        aggregate_id: &str,
        command: A::Command,
    ) -> Result<event_store::Outcome<A>, ApiError> {
        request.expected_version()?.check::<A::Error>(0)?;
        Ok(self
            .commands()?
            .create::<A>(aggregate_id, &command, &request.command_context())
            .await?)
    }
}

impl App {
    /// The item `key` of read model `V` (its table named by `variable`), honouring the
    /// request's `?min_version=` (SPEC §8): once its view has applied that version, or 503.
    pub async fn read_view<V: projection::View>(
        &self,
        request: &crate::ApiRequest,
        variable: &str,
        key: &str,
    ) -> Result<Option<V>, ApiError> {
        let found = self.read_view_versioned(request, variable, key).await?;
        Ok(found.map(|(view, _)| view))
    }

    /// [`App::read_view`], with the version of its stream the view has applied.
    pub async fn read_view_versioned<V: projection::View>(
        &self,
        request: &crate::ApiRequest,
        variable: &str,
        key: &str,
    ) -> Result<Option<(V, u64)>, ApiError> {
        let table = self.view::<V>(variable)?;
        request
            .read_fresh(|| async {
                let found = table.get_versioned(key).await?;
                Ok(found.map(|(view, version)| ((view, version), version)))
            })
            .await
    }

    /// The item `key` of read model `V`, as [`App::read_view`] finds it; none is a 404 naming
    /// `what` (`"radar"`, `"owner"`, …).
    pub async fn find_view<V: projection::View>(
        &self,
        request: &crate::ApiRequest,
        variable: &str,
        what: &str,
        key: &str,
    ) -> Result<V, ApiError> {
        self.read_view(request, variable, key)
            .await?
            .ok_or_else(|| ApiError::not_found(what, key))
    }

    /// A page of every item of read model `V`, for a list route that takes no query parameter
    /// but the page's (`limit`, `cursor`).
    pub async fn list_view<V: projection::View>(
        &self,
        request: &crate::ApiRequest,
        variable: &str,
    ) -> Result<event_store::Page<V>, ApiError> {
        request.query_input(&[], |_| ())?;
        let page = request.page()?;
        Ok(self
            .view::<V>(variable)?
            .list(&[], page.limit, page.cursor.as_deref())
            .await?)
    }

    /// The read-model table named by environment variable `variable`.
    pub fn view<V: projection::View>(
        &self,
        variable: &str,
    ) -> Result<projection::ViewTable<V>, ApiError> {
        Ok(projection::ViewTable::new(
            self.dynamodb.clone(),
            self.table(variable)?,
        ))
    }
}
