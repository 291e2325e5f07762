//! The infraction policy: opens an infraction for every `OverspeedDetected`, charged to the
//! plate's owner at the time of the detection, and gives the infractions of an unknown plate
//! their owner once the plate is registered (SPEC §4.3).
//!
//! The policy keeps one [`PlateOwners`] item per plate in PLATE_OWNERS_TABLE: the plate's
//! ownership history (built from `VehicleRegistered` and `VehicleOwnershipTransferred`), the
//! ids of its `PENDING_OWNER` infractions, and a `revision` that every write of either the
//! history or the pending set is conditional on (and bumps).
//!
//! - **`OverspeedDetected`**: read the plate; open the infraction with the owner at
//!   `detected_at` (opening twice appends nothing). Without an owner, add the infraction to
//!   the pending set on the condition that the revision is still the one read; if it is not, a
//!   registration came in between: start again from the read, which now finds the owner and
//!   assigns it.
//! - **`VehicleRegistered` / `VehicleOwnershipTransferred`**: record the owner in the history
//!   (conditional on the revision read; start again on conflict); then give each pending
//!   infraction its owner at its `detected_at`, and remove those ids from the pending set.
//!
//! A detection only joins the pending set while the history is empty, and joining is
//! conditional on the revision the detection read, so the pending set a registration reads
//! along with the revision it then writes holds every infraction it must assign: whatever the
//! order in which a detection and a registration of one plate are processed, even at the same
//! time, the infraction ends `ISSUED` to the owner. Every step is idempotent, so a crash
//! between steps is repaired by the redelivery.

use aws_sdk_dynamodb::operation::update_item::UpdateItemError;
use aws_sdk_dynamodb::types::AttributeValue;
use aws_sdk_dynamodb::Client;
use chrono::{DateTime, Utc};
use es_core::{Aggregate, CommandContext, EventEnvelope};
use event_consumer::{BoxError, FromEnv, SdkConfig, Step};
use event_store::dynamo::{self, DynamoError};
use event_store::{backoff, CommandError, Expected, StoreError};
use std::collections::BTreeSet;
use std::fmt;
use traffic_domain::{
    Infraction, InfractionCommand, InfractionError, OverspeedDetection, Radar, RadarEvent, Vehicle,
    VehicleEvent,
};
use traffic_views::tables::env::PLATE_OWNERS_TABLE;
use traffic_views::{ItemError, PlateOwners};
use uuid::Uuid;

/// The event types the policy reacts to (the InfractionPolicyQueue rule).
pub const HANDLED_EVENT_TYPES: [&str; 3] = [
    "OverspeedDetected",
    "VehicleRegistered",
    "VehicleOwnershipTransferred",
];

/// Why an event could not be handled; the message is retried (then goes to the DLQ).
#[derive(Debug)]
pub enum PolicyError {
    /// An infraction command failed (a store failure, or conflicts that outlasted the
    /// handler's retries).
    Command(CommandError<InfractionError>),
    Store(StoreError),
    /// The plate table's request failed.
    Dynamo(DynamoError),
    /// The plate item does not convert.
    Item {
        plate: String,
        error: ItemError,
    },
    /// An event of a handled type whose data does not decode.
    Decode {
        event_type: String,
        error: String,
    },
    /// A pending infraction id whose infraction does not exist (never expected).
    MissingInfraction(Uuid),
    /// The plate item kept changing concurrently.
    Conflict {
        plate: String,
        attempts: u32,
    },
    MissingEnv(&'static str),
}

impl fmt::Display for PolicyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Command(e) => write!(f, "infraction command: {e}"),
            Self::Store(e) => write!(f, "event store: {e}"),
            Self::Dynamo(e) => write!(f, "{e}"),
            Self::Item { plate, error } => write!(f, "plate item {plate}: {error}"),
            Self::Decode { event_type, error } => {
                write!(f, "{event_type} does not decode: {error}")
            }
            Self::MissingInfraction(id) => write!(f, "pending infraction {id} does not exist"),
            Self::Conflict { plate, attempts } => {
                write!(
                    f,
                    "plate {plate} kept changing concurrently ({attempts} attempts)"
                )
            }
            Self::MissingEnv(name) => write!(f, "environment variable {name} is not set"),
        }
    }
}

impl std::error::Error for PolicyError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Command(e) => Some(e),
            Self::Store(e) => Some(e),
            Self::Dynamo(e) => Some(e),
            Self::Item { error, .. } => Some(error),
            _ => None,
        }
    }
}

impl From<CommandError<InfractionError>> for PolicyError {
    fn from(error: CommandError<InfractionError>) -> Self {
        Self::Command(error)
    }
}

impl From<StoreError> for PolicyError {
    fn from(error: StoreError) -> Self {
        Self::Store(error)
    }
}

/// What handling one event did, for logs and tests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PolicyOutcome {
    /// The infraction is open and charged to `owner`.
    Issued { infraction_id: Uuid, owner: Uuid },
    /// The infraction is open and waits for its plate to be registered.
    Pending { infraction_id: Uuid },
    /// The plate's history holds the owner; `assigned` pending infractions got an owner.
    OwnerRecorded { plate: String, assigned: usize },
    /// Not an event the policy handles.
    Ignored,
}

#[derive(Debug, Clone)]
pub struct InfractionPolicy {
    /// The command handler, and the function's name: the `source` of the events appended.
    commands: Step,
    client: Client,
    plate_table: String,
    max_attempts: u32,
}

impl InfractionPolicy {
    pub const DEFAULT_MAX_ATTEMPTS: u32 = 10;

    pub fn new(commands: Step, client: Client, plate_table: impl Into<String>) -> Self {
        Self {
            commands,
            client,
            plate_table: plate_table.into(),
            max_attempts: Self::DEFAULT_MAX_ATTEMPTS,
        }
    }

    /// How many read-decide-write rounds on a contended plate item before giving up.
    pub fn with_max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    pub fn plate_table(&self) -> &str {
        &self.plate_table
    }

    /// Handles one delivered event (at least once, in any order).
    pub async fn handle(&self, envelope: &EventEnvelope) -> Result<PolicyOutcome, PolicyError> {
        let ctx = self.commands.caused_by(envelope);
        match (
            envelope.aggregate_type.as_str(),
            envelope.event_type.as_str(),
        ) {
            (Radar::TYPE, "OverspeedDetected") => match decode::<RadarEvent>(envelope)? {
                RadarEvent::OverspeedDetected(detection) => {
                    self.on_detection(&detection, &ctx).await
                }
                _ => Ok(PolicyOutcome::Ignored),
            },
            (Vehicle::TYPE, "VehicleRegistered" | "VehicleOwnershipTransferred") => {
                match decode::<VehicleEvent>(envelope)? {
                    VehicleEvent::VehicleRegistered {
                        plate, owner_id, ..
                    }
                    | VehicleEvent::VehicleOwnershipTransferred {
                        plate, owner_id, ..
                    } => {
                        self.on_owner(plate.as_str(), owner_id, envelope.occurred_at, &ctx)
                            .await
                    }
                    VehicleEvent::VehicleDetailsChanged { .. } => Ok(PolicyOutcome::Ignored),
                }
            }
            _ => {
                tracing::debug!(event_type = %envelope.event_type, "not for the policy, ignored");
                Ok(PolicyOutcome::Ignored)
            }
        }
    }

    async fn on_detection(
        &self,
        detection: &OverspeedDetection,
        ctx: &CommandContext,
    ) -> Result<PolicyOutcome, PolicyError> {
        let plate = detection.plate.as_str();
        let infraction_id = detection.infraction_id;
        let id = infraction_id.to_string();
        for attempt in 1..=self.max_attempts {
            let record = self.read_plate(plate).await?;
            let owner = record.history.owner_at(detection.detected_at);
            let open = InfractionCommand::Open {
                detection: detection.clone(),
                owner_id: owner,
            };
            let opened = self
                .commands
                .execute::<Infraction>(&id, &open, Expected::Any, ctx)
                .await?;
            match (owner, opened.state.owner_id) {
                (Some(owner), None) => {
                    // Opened PENDING_OWNER earlier (a previous attempt or delivery): the owner is
                    // known now.
                    self.assign(&id, owner, ctx).await?;
                    return Ok(PolicyOutcome::Issued {
                        infraction_id,
                        owner,
                    });
                }
                (_, Some(owner)) => {
                    return Ok(PolicyOutcome::Issued {
                        infraction_id,
                        owner,
                    })
                }
                (None, None) => {}
            }
            if self
                .add_pending(plate, infraction_id, record.revision)
                .await?
            {
                tracing::info!(%infraction_id, plate, "plate unknown, infraction pending");
                return Ok(PolicyOutcome::Pending { infraction_id });
            }
            tracing::debug!(plate, attempt, "plate changed meanwhile, reading it again");
            backoff(attempt).await;
        }
        Err(PolicyError::Conflict {
            plate: plate.to_owned(),
            attempts: self.max_attempts,
        })
    }

    async fn on_owner(
        &self,
        plate: &str,
        owner_id: Uuid,
        since: DateTime<Utc>,
        ctx: &CommandContext,
    ) -> Result<PolicyOutcome, PolicyError> {
        for attempt in 1..=self.max_attempts {
            let mut record = self.read_plate(plate).await?;
            if record.history.record(since, owner_id) && !self.write_history(&record).await? {
                tracing::debug!(plate, attempt, "plate changed meanwhile, reading it again");
                backoff(attempt).await;
                continue;
            }
            // The write succeeded on the revision read, so no detection joined the pending set
            // since: these are all the infractions waiting for this plate's owner.
            for infraction_id in &record.pending {
                let id = infraction_id.to_string();
                let loaded = self.commands.store().load::<Infraction>(&id).await?;
                if !loaded.state.exists() {
                    return Err(PolicyError::MissingInfraction(*infraction_id));
                }
                if loaded.state.owner_id.is_some() {
                    continue;
                }
                if let Some(owner) = record.history.owner_at(loaded.state.detected_at) {
                    self.assign(&id, owner, ctx).await?;
                }
            }
            self.remove_pending(plate, &record.pending).await?;
            tracing::info!(plate, %owner_id, assigned = record.pending.len(), "owner recorded");
            return Ok(PolicyOutcome::OwnerRecorded {
                plate: plate.to_owned(),
                assigned: record.pending.len(),
            });
        }
        Err(PolicyError::Conflict {
            plate: plate.to_owned(),
            attempts: self.max_attempts,
        })
    }

    async fn assign(&self, id: &str, owner: Uuid, ctx: &CommandContext) -> Result<(), PolicyError> {
        let command = InfractionCommand::AssignOwner { owner_id: owner };
        self.commands
            .execute::<Infraction>(id, &command, Expected::Any, ctx)
            .await?;
        Ok(())
    }

    /// The plate's record (consistent read); an empty one for a plate never seen.
    pub async fn read_plate(&self, plate: &str) -> Result<PlateOwners, PolicyError> {
        let key = (PlateOwners::PLATE, plate);
        let found = dynamo::get_item(&self.client, &self.plate_table, key, true)
            .await
            .map_err(PolicyError::Dynamo)?;
        match found {
            Some(item) => PlateOwners::from_item(item).map_err(|error| PolicyError::Item {
                plate: plate.to_owned(),
                error,
            }),
            None => Ok(PlateOwners::new(plate)),
        }
    }

    /// Writes the history if the revision is still the one read, bumping it.
    async fn write_history(&self, record: &PlateOwners) -> Result<bool, PolicyError> {
        let history = record
            .history_attribute()
            .map_err(|error| PolicyError::Item {
                plate: record.plate.clone(),
                error,
            })?;
        let request = self
            .update_plate(&record.plate)
            .update_expression("SET #history = :history, #revision = :next")
            .expression_attribute_names("#history", PlateOwners::HISTORY)
            .expression_attribute_values(":history", history);
        conditional(revision_guard(request, record.revision).send().await)
    }

    /// Adds an infraction to the pending set if the revision is still the one read, bumping it.
    async fn add_pending(
        &self,
        plate: &str,
        infraction_id: Uuid,
        revision: u64,
    ) -> Result<bool, PolicyError> {
        let ids = PlateOwners::ids_attribute([&infraction_id]).expect("one id");
        let request = self
            .update_plate(plate)
            .update_expression("ADD #pending :ids SET #revision = :next")
            .expression_attribute_names("#pending", PlateOwners::PENDING)
            .expression_attribute_values(":ids", ids);
        conditional(revision_guard(request, revision).send().await)
    }

    /// Removes ids from the pending set: idempotent, and never conflicts (the ids are done
    /// whatever else changed).
    async fn remove_pending(&self, plate: &str, ids: &BTreeSet<Uuid>) -> Result<(), PolicyError> {
        let Some(ids) = PlateOwners::ids_attribute(ids) else {
            return Ok(());
        };
        let result = self
            .update_plate(plate)
            .update_expression("DELETE #pending :ids")
            // Never create an item just to delete from it.
            .condition_expression("attribute_exists(#plate)")
            .expression_attribute_names("#plate", PlateOwners::PLATE)
            .expression_attribute_names("#pending", PlateOwners::PENDING)
            .expression_attribute_values(":ids", ids)
            .send()
            .await;
        conditional(result).map(|_| ())
    }

    /// An update of the plate's record, to be given its expression.
    fn update_plate(&self, plate: &str) -> UpdateItemFluent {
        self.client
            .update_item()
            .table_name(&self.plate_table)
            .key(PlateOwners::PLATE, AttributeValue::S(plate.to_owned()))
    }
}

type UpdateItemFluent = aws_sdk_dynamodb::operation::update_item::builders::UpdateItemFluentBuilder;

/// Makes an update conditional on the revision read (0: no revision yet) and bumps it.
fn revision_guard(request: UpdateItemFluent, revision: u64) -> UpdateItemFluent {
    let request = request
        .expression_attribute_names("#revision", PlateOwners::REVISION)
        .expression_attribute_values(":next", AttributeValue::N((revision + 1).to_string()));
    if revision == 0 {
        request.condition_expression("attribute_not_exists(#revision)")
    } else {
        request
            .condition_expression("#revision = :read")
            .expression_attribute_values(":read", AttributeValue::N(revision.to_string()))
    }
}

/// `Ok(false)` when the condition failed.
fn conditional<T>(
    result: Result<
        T,
        aws_sdk_dynamodb::error::SdkError<
            UpdateItemError,
            aws_sdk_dynamodb::config::http::HttpResponse,
        >,
    >,
) -> Result<bool, PolicyError> {
    match result {
        Ok(_) => Ok(true),
        Err(err) => match err.into_service_error() {
            UpdateItemError::ConditionalCheckFailedException(_) => Ok(false),
            other => Err(PolicyError::Dynamo(DynamoError::service(other))),
        },
    }
}

/// The `infraction-policy` function's policy: from EVENTS_TABLE and PLATE_OWNERS_TABLE.
impl FromEnv for InfractionPolicy {
    fn from_env(source: &'static str, config: &SdkConfig) -> Result<Self, BoxError> {
        let plate_table = std::env::var(PLATE_OWNERS_TABLE)
            .map_err(|_| PolicyError::MissingEnv(PLATE_OWNERS_TABLE))?;
        let client = Client::new(config);
        Ok(Self::new(
            Step::from_env(source, config)?,
            client,
            plate_table,
        ))
    }
}

fn decode<E: es_core::DomainEvent>(envelope: &EventEnvelope) -> Result<E, PolicyError> {
    envelope.decode::<E>().map_err(|e| PolicyError::Decode {
        event_type: envelope.event_type.clone(),
        error: e.to_string(),
    })
}
