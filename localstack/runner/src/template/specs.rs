//! What the stack is made of, resolved: tables, queues, buses, rules and functions with their
//! routes and event sources.

use std::collections::BTreeMap;
use std::time::Duration;

use serde_json::Value;

use super::ScheduleSpec;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyElement {
    pub name: String,
    /// `HASH` or `RANGE`.
    pub key_type: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IndexSpec {
    pub name: String,
    pub key_schema: Vec<KeyElement>,
    /// `ALL`, `KEYS_ONLY` or `INCLUDE`.
    pub projection_type: String,
    pub non_key_attributes: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TableSpec {
    pub logical_id: String,
    pub name: String,
    /// Attribute name → `S`, `N` or `B`.
    pub attributes: Vec<(String, String)>,
    pub key_schema: Vec<KeyElement>,
    pub global_indexes: Vec<IndexSpec>,
    pub local_indexes: Vec<IndexSpec>,
    /// `NEW_IMAGE`, `NEW_AND_OLD_IMAGES`, …: the table has a stream.
    pub stream_view_type: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Redrive {
    pub dead_letter_arn: String,
    pub max_receive_count: u32,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueueSpec {
    pub logical_id: String,
    pub name: String,
    /// SQS attributes set at creation (`VisibilityTimeout`, `MessageRetentionPeriod`, …) and
    /// `RedrivePolicy` (as the JSON text SQS expects).
    pub attributes: BTreeMap<String, String>,
    pub redrive: Option<Redrive>,
    pub visibility_timeout: Option<u32>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BusSpec {
    pub logical_id: String,
    pub name: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TargetSpec {
    pub id: String,
    pub arn: String,
    pub input: Option<String>,
    pub input_path: Option<String>,
    /// `DeadLetterConfig.Arn`: given to the emulator as written (moto never fails a delivery).
    pub dead_letter_arn: Option<String>,
    /// `RetryPolicy`: `(MaximumRetryAttempts, MaximumEventAgeInSeconds)`, likewise.
    pub retry_policy: Option<(Option<i32>, Option<i32>)>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct RuleSpec {
    pub logical_id: String,
    pub name: String,
    pub bus_name: String,
    pub description: Option<String>,
    pub pattern: Value,
    pub enabled: bool,
    pub targets: Vec<TargetSpec>,
}

/// An HTTP API route: `method` upper case (`ANY` for any), `path` as written
/// (`/radars/{radar_id}`); `None` is the `$default` route.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct RouteSpec {
    pub method_and_path: Option<(String, String)>,
    /// The authorizer that checks the route's requests: the event's `Auth.Authorizer`, else
    /// its API's `Auth.DefaultAuthorizer`; `None` for a public route (`Authorizer: NONE`, or
    /// no authorizer at all).
    pub auth: Option<RouteAuth>,
}

/// A JWT authorizer of an HTTP API (`Auth.Authorizers.<name>` with a `JwtConfiguration`),
/// resolved.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct JwtAuthorizerSpec {
    /// `<API logical id>.<authorizer name>`.
    pub name: String,
    /// The header the token comes in, lower case (`IdentitySource:
    /// $request.header.Authorization` → `authorization`).
    pub header: String,
    /// `JwtConfiguration.issuer`: the `iss` a token must have.
    pub issuer: String,
    /// `JwtConfiguration.audience`: a token's `aud` (or, without one, `client_id`) must be one.
    pub audiences: Vec<String>,
}

/// How a route is protected.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct RouteAuth {
    pub authorizer: JwtAuthorizerSpec,
    /// `AuthorizationScopes`: the token's `scope` (or `scp`) must hold one; empty: no check.
    pub scopes: Vec<String>,
}

impl RouteSpec {
    pub fn route_key(&self) -> String {
        match &self.method_and_path {
            Some((method, path)) => format!("{method} {path}"),
            None => "$default".into(),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SqsSource {
    pub queue_arn: String,
    pub queue_name: String,
    pub batch_size: u32,
    pub report_batch_item_failures: bool,
    pub enabled: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StreamSource {
    /// As the template resolves it (the placeholder `…/stream/*` before provisioning).
    pub stream_arn: String,
    pub table_name: String,
    pub batch_size: u32,
    /// `TRIM_HORIZON` or `LATEST`.
    pub starting_position: String,
    /// `None`: retry until the record expires (here: forever).
    pub maximum_retry_attempts: Option<u32>,
    pub report_batch_item_failures: bool,
    /// `DestinationConfig.OnFailure.Destination`: an SQS queue ARN.
    pub on_failure_arn: Option<String>,
    pub enabled: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FunctionSpec {
    pub logical_id: String,
    /// The binary name: what `cargo lambda watch` invokes.
    pub name: String,
    pub timeout: Duration,
    pub environment: BTreeMap<String, String>,
    pub routes: Vec<RouteSpec>,
    pub sqs_sources: Vec<SqsSource>,
    pub stream_sources: Vec<StreamSource>,
    /// `Schedule` events: run by the local cloud ([`crate::schedule`]).
    pub schedules: Vec<ScheduleSpec>,
    /// Whether its role may put messages on a queue, directly (`sqs:SendMessage`) or through
    /// EventBridge (`events:PutEvents`): the queue pollers are woken after it ran
    /// ([`sends_messages`]).
    pub sends_messages: bool,
}
