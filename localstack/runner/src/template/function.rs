//! A SAM function: its binary, environment and timeout (with `Globals.Function`), and its
//! events: HTTP routes, SQS and DynamoDB stream sources, schedules.

use std::collections::BTreeMap;
use std::time::Duration;

use serde_json::Value;

use super::route_auth::route_auth;
use super::{
    invalid, sends_messages, string_of, FunctionSpec, Resolver, Result, RouteSpec, ScheduleSpec,
    SqsSource, StreamSource, Template,
};

pub(super) fn function(
    resolver: &Resolver,
    template: &Template,
    id: &str,
) -> Result<(FunctionSpec, Vec<String>)> {
    let props = template.function_properties(id);
    let name = resolver.physical_name(id)?;
    let mut warnings = vec![];
    let environment = match props.pointer("/Environment/Variables") {
        Some(vars) => resolver
            .resolve(vars)?
            .as_object()
            .ok_or_else(|| invalid(format!("{id}: Environment.Variables is not a mapping")))?
            .iter()
            .map(|(k, v)| Ok((k.clone(), string_of(v, k)?)))
            .collect::<Result<_>>()?,
        None => BTreeMap::new(),
    };
    let timeout = Duration::from_secs(u64::from(number(props.get("Timeout"), 3, id)?));
    let mut spec = FunctionSpec {
        logical_id: id.into(),
        name,
        timeout,
        environment,
        routes: vec![],
        sqs_sources: vec![],
        stream_sources: vec![],
        schedules: vec![],
        sends_messages: sends_messages(template, props.get("Policies")),
    };
    let events = props
        .get("Events")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    for (event_id, event) in events {
        let at = format!("{id}.Events.{event_id}");
        let kind = event.get("Type").and_then(Value::as_str).unwrap_or("");
        let raw = event.get("Properties").cloned().unwrap_or(Value::Null);
        match kind {
            "HttpApi" => {
                let path = raw
                    .get("Path")
                    .map(|p| resolver.resolve_string(p))
                    .transpose()?;
                let method = raw
                    .get("Method")
                    .map(|m| resolver.resolve_string(m))
                    .transpose()?;
                let method_and_path = match (method, path) {
                    (None, None) => None,
                    (method, Some(path)) => {
                        let method = method.unwrap_or_else(|| "ANY".into()).to_ascii_uppercase();
                        let method = if method == "X-AMAZON-APIGATEWAY-ANY-METHOD" || method == "*"
                        {
                            "ANY".into()
                        } else {
                            method
                        };
                        Some((method, path))
                    }
                    (Some(_), None) => {
                        return Err(invalid(format!("{at}: a Method without a Path")));
                    }
                };
                let auth = route_auth(resolver, template, &raw, &at)?;
                spec.routes.push(RouteSpec {
                    method_and_path,
                    auth,
                });
            }
            "SQS" => {
                let props = resolver.resolve(&raw)?;
                let queue_arn = string_of(&props["Queue"], &at)?;
                spec.sqs_sources.push(SqsSource {
                    queue_name: queue_arn.rsplit(':').next().unwrap_or_default().to_string(),
                    queue_arn,
                    batch_size: number(props.get("BatchSize"), 10, &at)?,
                    report_batch_item_failures: reports_item_failures(&props),
                    enabled: props
                        .get("Enabled")
                        .and_then(Value::as_bool)
                        .unwrap_or(true),
                });
            }
            "DynamoDB" => {
                let props = resolver.resolve(&raw)?;
                let stream_arn = string_of(&props["Stream"], &at)?;
                let table_name = stream_arn
                    .split_once(":table/")
                    .and_then(|(_, rest)| rest.split('/').next())
                    .ok_or_else(|| invalid(format!("{at}: {stream_arn} is not a stream ARN")))?
                    .to_string();
                let retries = match props.get("MaximumRetryAttempts") {
                    None => None,
                    Some(v) => {
                        let n: i64 = string_of(v, &at)?
                            .parse()
                            .map_err(|_| invalid(format!("{at}: MaximumRetryAttempts")))?;
                        u32::try_from(n).ok()
                    }
                };
                spec.stream_sources.push(StreamSource {
                    stream_arn,
                    table_name,
                    batch_size: number(props.get("BatchSize"), 100, &at)?,
                    starting_position: props
                        .get("StartingPosition")
                        .and_then(Value::as_str)
                        .unwrap_or("TRIM_HORIZON")
                        .to_string(),
                    maximum_retry_attempts: retries,
                    report_batch_item_failures: reports_item_failures(&props),
                    on_failure_arn: props
                        .pointer("/DestinationConfig/OnFailure/Destination")
                        .map(|v| string_of(v, &at))
                        .transpose()?,
                    enabled: props
                        .get("Enabled")
                        .and_then(Value::as_bool)
                        .unwrap_or(true),
                });
            }
            "Schedule" => {
                let schedule = ScheduleSpec::from_event(
                    &resolver.resolve(&raw)?,
                    &format!("{id}{event_id}"),
                    &at,
                )?;
                if schedule.every.is_none() {
                    warnings.push(format!(
                        "{at}: {} runs only with --schedule-every (cron is not emulated)",
                        schedule.expression
                    ));
                }
                spec.schedules.push(schedule);
            }
            other => warnings.push(format!("{at}: event type {other} is not emulated locally")),
        }
    }
    spec.routes.sort();
    Ok((spec, warnings))
}

fn number(value: Option<&Value>, default: u32, at: &str) -> Result<u32> {
    match value {
        None => Ok(default),
        Some(v) => string_of(v, at)?
            .parse()
            .map_err(|_| invalid(format!("{at}: {v} is not a number"))),
    }
}

fn reports_item_failures(props: &Value) -> bool {
    props
        .get("FunctionResponseTypes")
        .and_then(Value::as_array)
        .is_some_and(|types| {
            types
                .iter()
                .any(|t| t.as_str() == Some("ReportBatchItemFailures"))
        })
}
