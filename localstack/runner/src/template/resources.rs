//! DynamoDB tables, SQS queues and EventBridge rules read from their properties.

use std::collections::BTreeMap;

use serde_json::Value;

use super::{
    invalid, string_of, IndexSpec, KeyElement, QueueSpec, Redrive, Resolver, Result, RuleSpec,
    TableSpec, TargetSpec, Template,
};

fn key_schema(resolver: &Resolver, value: Option<&Value>, at: &str) -> Result<Vec<KeyElement>> {
    let value = resolver.resolve(value.unwrap_or(&Value::Null))?;
    value
        .as_array()
        .ok_or_else(|| invalid(format!("{at}: KeySchema is missing")))?
        .iter()
        .map(|key| {
            Ok(KeyElement {
                name: string_of(&key["AttributeName"], at)?,
                key_type: string_of(&key["KeyType"], at)?,
            })
        })
        .collect()
}

fn indexes(resolver: &Resolver, value: Option<&Value>, at: &str) -> Result<Vec<IndexSpec>> {
    let Some(value) = value else {
        return Ok(vec![]);
    };
    let value = resolver.resolve(value)?;
    value
        .as_array()
        .ok_or_else(|| invalid(format!("{at}: indexes must be a list")))?
        .iter()
        .map(|index| {
            let name = string_of(&index["IndexName"], at)?;
            Ok(IndexSpec {
                key_schema: key_schema(resolver, index.get("KeySchema"), &name)?,
                projection_type: index
                    .pointer("/Projection/ProjectionType")
                    .map(|v| string_of(v, &name))
                    .transpose()?
                    .unwrap_or_else(|| "ALL".into()),
                non_key_attributes: index
                    .pointer("/Projection/NonKeyAttributes")
                    .and_then(Value::as_array)
                    .map(|a| {
                        a.iter()
                            .filter_map(Value::as_str)
                            .map(String::from)
                            .collect()
                    })
                    .unwrap_or_default(),
                name,
            })
        })
        .collect()
}

pub(super) fn table(resolver: &Resolver, template: &Template, id: &str) -> Result<TableSpec> {
    let props = template.properties(id);
    let attributes = resolver
        .resolve(props.get("AttributeDefinitions").unwrap_or(&Value::Null))?
        .as_array()
        .ok_or_else(|| invalid(format!("{id}: AttributeDefinitions is missing")))?
        .iter()
        .map(|a| {
            Ok((
                string_of(&a["AttributeName"], id)?,
                string_of(&a["AttributeType"], id)?,
            ))
        })
        .collect::<Result<_>>()?;
    let stream = props
        .get("StreamSpecification")
        .map(|s| resolver.resolve(s))
        .transpose()?;
    Ok(TableSpec {
        logical_id: id.into(),
        name: resolver.physical_name(id)?,
        attributes,
        key_schema: key_schema(resolver, props.get("KeySchema"), id)?,
        global_indexes: indexes(resolver, props.get("GlobalSecondaryIndexes"), id)?,
        local_indexes: indexes(resolver, props.get("LocalSecondaryIndexes"), id)?,
        stream_view_type: stream
            .as_ref()
            .and_then(|s| s.get("StreamViewType"))
            .map(|v| string_of(v, id))
            .transpose()?,
    })
}

/// CloudFormation queue properties that are SQS attributes of the same name.
const QUEUE_ATTRIBUTES: [&str; 8] = [
    "VisibilityTimeout",
    "MessageRetentionPeriod",
    "DelaySeconds",
    "MaximumMessageSize",
    "ReceiveMessageWaitTimeSeconds",
    "FifoQueue",
    "ContentBasedDeduplication",
    "SqsManagedSseEnabled",
];

pub(super) fn queue(resolver: &Resolver, template: &Template, id: &str) -> Result<QueueSpec> {
    let props = resolver.resolve(template.properties(id))?;
    let mut attributes = BTreeMap::new();
    for name in QUEUE_ATTRIBUTES {
        if let Some(value) = props.get(name) {
            attributes.insert(name.to_string(), string_of(value, id)?);
        }
    }
    let redrive = match props.get("RedrivePolicy") {
        Some(policy) => {
            let policy = match policy {
                Value::String(text) => serde_json::from_str(text)
                    .map_err(|e| invalid(format!("{id}: RedrivePolicy: {e}")))?,
                other => other.clone(),
            };
            let dead_letter_arn = string_of(&policy["deadLetterTargetArn"], id)?;
            let max_receive_count = string_of(&policy["maxReceiveCount"], id)?
                .parse()
                .map_err(|_| invalid(format!("{id}: maxReceiveCount is not a number")))?;
            attributes.insert(
                "RedrivePolicy".into(),
                serde_json::json!({
                    "deadLetterTargetArn": dead_letter_arn,
                    "maxReceiveCount": max_receive_count,
                })
                .to_string(),
            );
            Some(Redrive {
                dead_letter_arn,
                max_receive_count,
            })
        }
        None => None,
    };
    Ok(QueueSpec {
        logical_id: id.into(),
        name: resolver.physical_name(id)?,
        visibility_timeout: attributes
            .get("VisibilityTimeout")
            .and_then(|v| v.parse().ok()),
        attributes,
        redrive,
    })
}

pub(super) fn rule(resolver: &Resolver, template: &Template, id: &str) -> Result<RuleSpec> {
    let props = resolver.resolve(template.properties(id))?;
    let targets = props
        .get("Targets")
        .and_then(Value::as_array)
        .map(|targets| {
            targets
                .iter()
                .map(|t| {
                    Ok(TargetSpec {
                        id: string_of(&t["Id"], id)?,
                        arn: string_of(&t["Arn"], id)?,
                        input: t.get("Input").map(|v| string_of(v, id)).transpose()?,
                        input_path: t.get("InputPath").map(|v| string_of(v, id)).transpose()?,
                        dead_letter_arn: t
                            .pointer("/DeadLetterConfig/Arn")
                            .map(|v| string_of(v, id))
                            .transpose()?,
                        retry_policy: t.get("RetryPolicy").map(|p| {
                            let field = |name: &str| {
                                p.get(name)
                                    .and_then(|v| string_of(v, id).ok()?.parse().ok())
                            };
                            (
                                field("MaximumRetryAttempts"),
                                field("MaximumEventAgeInSeconds"),
                            )
                        }),
                    })
                })
                .collect::<Result<Vec<_>>>()
        })
        .transpose()?
        .unwrap_or_default();
    let pattern = props.get("EventPattern").cloned().ok_or_else(|| {
        invalid(format!(
            "{id}: only rules with an EventPattern are supported"
        ))
    })?;
    let pattern = match pattern {
        Value::String(text) => {
            serde_json::from_str(&text).map_err(|e| invalid(format!("{id}: EventPattern: {e}")))?
        }
        other => other,
    };
    Ok(RuleSpec {
        logical_id: id.into(),
        name: resolver.physical_name(id)?,
        bus_name: resolver.rule_bus_name(id)?,
        description: props
            .get("Description")
            .map(|v| string_of(v, id))
            .transpose()?,
        pattern,
        enabled: props
            .get("State")
            .and_then(Value::as_str)
            .unwrap_or("ENABLED")
            == "ENABLED",
        targets,
    })
}
