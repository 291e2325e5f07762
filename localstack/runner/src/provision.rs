//! Creates the stack's tables, queues, bus and rules on the emulator, idempotently: what exists
//! is kept (queues get their attributes set again, rules and targets are upserts).

use std::collections::BTreeMap;

use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, GlobalSecondaryIndex, KeySchemaElement, KeyType,
    LocalSecondaryIndex, Projection, ProjectionType, ScalarAttributeType, StreamSpecification,
    StreamViewType,
};
use aws_sdk_eventbridge::types::{DeadLetterConfig, RetryPolicy, RuleState, Target};
use aws_sdk_sqs::types::QueueAttributeName;

use crate::aws::Clients;
use crate::template::{IndexSpec, KeyElement, QueueSpec, RuleSpec, Stack, TableSpec};
use crate::{context, Error, Result};

/// What provisioning learnt that the template cannot say: the real stream ARNs and queue URLs.
#[derive(Clone, Debug, Default)]
pub struct Provisioned {
    /// Table name → its latest stream ARN.
    pub stream_arns: BTreeMap<String, String>,
    /// Queue name → URL.
    pub queue_urls: BTreeMap<String, String>,
}

pub async fn provision(stack: &Stack, clients: &Clients) -> Result<Provisioned> {
    let mut provisioned = Provisioned::default();
    for table in &stack.tables {
        if let Some(arn) = ensure_table(clients, table).await? {
            provisioned.stream_arns.insert(table.name.clone(), arn);
        }
    }
    for queue in &stack.queues {
        let url = ensure_queue(clients, queue).await?;
        provisioned.queue_urls.insert(queue.name.clone(), url);
    }
    for bus in &stack.buses {
        ensure_bus(clients, &bus.name).await?;
    }
    for rule in &stack.rules {
        ensure_rule(clients, rule).await?;
    }
    Ok(provisioned)
}

fn key(element: &KeyElement) -> Result<KeySchemaElement> {
    KeySchemaElement::builder()
        .attribute_name(&element.name)
        .key_type(KeyType::from(element.key_type.as_str()))
        .build()
        .map_err(context("key schema"))
}

fn keys(elements: &[KeyElement]) -> Result<Vec<KeySchemaElement>> {
    elements.iter().map(key).collect()
}

fn projection(index: &IndexSpec) -> Projection {
    let mut projection =
        Projection::builder().projection_type(ProjectionType::from(index.projection_type.as_str()));
    for attribute in &index.non_key_attributes {
        projection = projection.non_key_attributes(attribute);
    }
    projection.build()
}

/// A table's indexes as a list of the SDK's `$kind` (`GlobalSecondaryIndex` or
/// `LocalSecondaryIndex`: the same builder, but no trait in common to be generic over);
/// `None` for none.
macro_rules! secondary_indexes {
    ($kind:ident, $indexes:expr) => {
        listed(
            $indexes
                .iter()
                .map(|index| {
                    $kind::builder()
                        .index_name(&index.name)
                        .set_key_schema(Some(keys(&index.key_schema)?))
                        .projection(projection(index))
                        .build()
                        .map_err(context(stringify!($kind)))
                })
                .collect::<Result<Vec<_>>>()?,
        )
    };
}

fn attribute_definition(name: &str, kind: &str) -> Result<AttributeDefinition> {
    AttributeDefinition::builder()
        .attribute_name(name)
        .attribute_type(ScalarAttributeType::from(kind))
        .build()
        .map_err(context("attribute definition"))
}

fn stream_specification(view: &str) -> Result<StreamSpecification> {
    StreamSpecification::builder()
        .stream_enabled(true)
        .stream_view_type(StreamViewType::from(view))
        .build()
        .map_err(context("stream specification"))
}

/// `None` for no items: DynamoDB refuses an empty list of indexes.
fn listed<T>(items: Vec<T>) -> Option<Vec<T>> {
    (!items.is_empty()).then_some(items)
}

/// Creates the table unless it exists; its latest stream ARN, if it has a stream.
pub async fn ensure_table(clients: &Clients, table: &TableSpec) -> Result<Option<String>> {
    let described = clients
        .dynamodb
        .describe_table()
        .table_name(&table.name)
        .send()
        .await;
    let existing = match described {
        Ok(output) => output.table,
        Err(e)
            if e.as_service_error()
                .is_some_and(|s| s.is_resource_not_found_exception()) =>
        {
            None
        }
        Err(e) => return Err(context(format!("DescribeTable {}", table.name))(e)),
    };
    if let Some(existing) = existing {
        return Ok(existing.latest_stream_arn);
    }
    // Billing does not matter locally: every table is on demand.
    let request = clients
        .dynamodb
        .create_table()
        .table_name(&table.name)
        .billing_mode(BillingMode::PayPerRequest)
        .set_key_schema(Some(keys(&table.key_schema)?))
        .set_attribute_definitions(Some(
            table
                .attributes
                .iter()
                .map(|(name, kind)| attribute_definition(name, kind))
                .collect::<Result<_>>()?,
        ))
        .set_global_secondary_indexes(secondary_indexes!(
            GlobalSecondaryIndex,
            table.global_indexes
        ))
        .set_local_secondary_indexes(secondary_indexes!(LocalSecondaryIndex, table.local_indexes))
        .set_stream_specification(
            table
                .stream_view_type
                .as_deref()
                .map(stream_specification)
                .transpose()?,
        );
    let created = request
        .send()
        .await
        .map_err(context(format!("CreateTable {}", table.name)))?;
    tracing::info!(table = %table.name, "created table");
    let stream = created.table_description.and_then(|t| t.latest_stream_arn);
    match (&table.stream_view_type, stream) {
        (Some(_), None) => Err(Error::new(format!(
            "table {} was created without its stream",
            table.name
        ))),
        (_, stream) => Ok(stream),
    }
}

/// Creates the queue, or sets its attributes again if it exists; its URL.
async fn ensure_queue(clients: &Clients, queue: &QueueSpec) -> Result<String> {
    let attributes: Vec<(QueueAttributeName, String)> = queue
        .attributes
        .iter()
        .map(|(k, v)| (QueueAttributeName::from(k.as_str()), v.clone()))
        .collect();
    let existing = clients
        .sqs
        .get_queue_url()
        .queue_name(&queue.name)
        .send()
        .await;
    match existing {
        Ok(output) => {
            let url = output.queue_url.unwrap_or_default();
            // FifoQueue cannot be set on an existing queue.
            let settable: Vec<_> = attributes
                .into_iter()
                .filter(|(k, _)| *k != QueueAttributeName::FifoQueue)
                .collect();
            if !settable.is_empty() {
                let mut request = clients.sqs.set_queue_attributes().queue_url(&url);
                for (k, v) in settable {
                    request = request.attributes(k, v);
                }
                request
                    .send()
                    .await
                    .map_err(context(format!("SetQueueAttributes {}", queue.name)))?;
            }
            Ok(url)
        }
        Err(e)
            if e.as_service_error()
                .is_some_and(|s| s.is_queue_does_not_exist()) =>
        {
            let mut request = clients.sqs.create_queue().queue_name(&queue.name);
            for (k, v) in attributes {
                request = request.attributes(k, v);
            }
            let created = request
                .send()
                .await
                .map_err(context(format!("CreateQueue {}", queue.name)))?;
            tracing::info!(queue = %queue.name, "created queue");
            Ok(created.queue_url.unwrap_or_default())
        }
        Err(e) => Err(context(format!("GetQueueUrl {}", queue.name))(e)),
    }
}

async fn ensure_bus(clients: &Clients, name: &str) -> Result<()> {
    if name == "default" {
        return Ok(());
    }
    match clients.events.describe_event_bus().name(name).send().await {
        Ok(_) => Ok(()),
        Err(e)
            if e.as_service_error()
                .is_some_and(|s| s.is_resource_not_found_exception()) =>
        {
            clients
                .events
                .create_event_bus()
                .name(name)
                .send()
                .await
                .map_err(context(format!("CreateEventBus {name}")))?;
            tracing::info!(bus = %name, "created event bus");
            Ok(())
        }
        Err(e) => Err(context(format!("DescribeEventBus {name}"))(e)),
    }
}

/// PutRule and PutTargets are upserts. moto delivers to the targets of a DISABLED rule too, so
/// a disabled rule gets no targets here (it delivers nothing, as on AWS).
async fn ensure_rule(clients: &Clients, rule: &RuleSpec) -> Result<()> {
    let state = if rule.enabled {
        RuleState::Enabled
    } else {
        RuleState::Disabled
    };
    clients
        .events
        .put_rule()
        .name(&rule.name)
        .event_bus_name(&rule.bus_name)
        .event_pattern(rule.pattern.to_string())
        .state(state)
        .set_description(rule.description.clone())
        .send()
        .await
        .map_err(context(format!("PutRule {}", rule.name)))?;
    if rule.enabled && !rule.targets.is_empty() {
        let mut request = clients
            .events
            .put_targets()
            .rule(&rule.name)
            .event_bus_name(&rule.bus_name);
        for target in &rule.targets {
            request = request.targets(
                Target::builder()
                    .id(&target.id)
                    .arn(&target.arn)
                    .set_input(target.input.clone())
                    .set_input_path(target.input_path.clone())
                    .set_dead_letter_config(
                        target
                            .dead_letter_arn
                            .as_ref()
                            .map(|arn| DeadLetterConfig::builder().arn(arn).build()),
                    )
                    .set_retry_policy(target.retry_policy.map(|(attempts, age)| {
                        RetryPolicy::builder()
                            .set_maximum_retry_attempts(attempts)
                            .set_maximum_event_age_in_seconds(age)
                            .build()
                    }))
                    .build()
                    .map_err(context("rule target"))?,
            );
        }
        let output = request
            .send()
            .await
            .map_err(context(format!("PutTargets {}", rule.name)))?;
        if output.failed_entry_count > 0 {
            return Err(Error::new(format!(
                "PutTargets {}: {:?}",
                rule.name, output.failed_entries
            )));
        }
    } else if !rule.enabled {
        let targets = clients
            .events
            .list_targets_by_rule()
            .rule(&rule.name)
            .event_bus_name(&rule.bus_name)
            .send()
            .await
            .map_err(context(format!("ListTargetsByRule {}", rule.name)))?;
        let ids: Vec<String> = targets
            .targets
            .unwrap_or_default()
            .into_iter()
            .map(|t| t.id)
            .collect();
        if !ids.is_empty() {
            clients
                .events
                .remove_targets()
                .rule(&rule.name)
                .event_bus_name(&rule.bus_name)
                .set_ids(Some(ids))
                .send()
                .await
                .map_err(context(format!("RemoveTargets {}", rule.name)))?;
        }
        tracing::info!(rule = %rule.name, "rule is DISABLED: no targets attached");
    }
    Ok(())
}
