//! The stack assembled from the template: every resource read into its spec, dead-letter
//! queues ordered before the queues that redrive to them.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use serde_json::Value;

use super::function::function;
use super::resources::{queue, rule, table};
use super::{
    BusSpec, FunctionSpec, JwtAuthorizerSpec, QueueSpec, Resolver, Result, RuleSpec, StackContext,
    TableSpec, Template,
};

/// Everything the local cloud provisions and runs, names and references resolved.
#[derive(Clone, Debug)]
pub struct Stack {
    pub context: StackContext,
    pub tables: Vec<TableSpec>,
    /// Dead-letter queues come before the queues that redrive to them.
    pub queues: Vec<QueueSpec>,
    pub buses: Vec<BusSpec>,
    pub rules: Vec<RuleSpec>,
    pub functions: Vec<FunctionSpec>,
    /// Resource types and event types that the local cloud does not run.
    pub warnings: Vec<String>,
}

impl Stack {
    pub fn from_template(template: &Template, context: StackContext) -> Result<Self> {
        let mut stack = Stack {
            context,
            tables: vec![],
            queues: vec![],
            buses: vec![],
            rules: vec![],
            functions: vec![],
            warnings: vec![],
        };
        let ctx = stack.context.clone();
        let resolver = Resolver::new(template, &ctx);
        for (id, resource) in template.resources() {
            let kind = resource.get("Type").and_then(Value::as_str).unwrap_or("");
            match kind {
                "AWS::DynamoDB::Table" => stack.tables.push(table(&resolver, template, id)?),
                "AWS::SQS::Queue" => stack.queues.push(queue(&resolver, template, id)?),
                "AWS::Events::EventBus" => stack.buses.push(BusSpec {
                    logical_id: id.clone(),
                    name: resolver.physical_name(id)?,
                }),
                "AWS::Events::Rule" => stack.rules.push(rule(&resolver, template, id)?),
                "AWS::Serverless::Function" => {
                    let (function, warnings) = function(&resolver, template, id)?;
                    stack.functions.push(function);
                    stack.warnings.extend(warnings);
                }
                // Permissions and the API itself: nothing to run locally (the gateway serves
                // every route of every HttpApi on one port). The user pool: the gateway's JWT
                // authorizer accepts the tokens `local-cloud token` signs in its name. Alarms,
                // their topic and the dashboard watch AWS's metrics: nothing to watch here
                // (the local figures are the runner's own).
                "AWS::SNS::Topic"
                | "AWS::SNS::Subscription"
                | "AWS::CloudWatch::Alarm"
                | "AWS::CloudWatch::Dashboard"
                | "AWS::SQS::QueuePolicy"
                | "AWS::Serverless::HttpApi"
                | "AWS::IAM::Role"
                | "AWS::IAM::ManagedPolicy"
                | "AWS::Cognito::UserPool"
                | "AWS::Cognito::UserPoolClient"
                | "AWS::Cognito::UserPoolGroup" => {}
                other => stack
                    .warnings
                    .push(format!("{id}: {other} is not emulated locally")),
            }
        }
        stack.queues = dead_letter_queues_first(std::mem::take(&mut stack.queues));
        Ok(stack)
    }

    /// Runs every schedule every `every` (`--schedule-every`), whatever its rate (cron too).
    pub fn run_schedules_every(&mut self, every: Duration) {
        for function in &mut self.functions {
            for schedule in &mut function.schedules {
                schedule.every = Some(every);
            }
        }
    }

    pub fn queue_by_arn(&self, arn: &str) -> Option<&QueueSpec> {
        self.queues
            .iter()
            .find(|q| self.context.queue_arn(&q.name) == arn)
    }

    pub fn function(&self, name: &str) -> Option<&FunctionSpec> {
        self.functions.iter().find(|f| f.name == name)
    }

    /// The JWT authorizers that protect at least one route, each once.
    pub fn jwt_authorizers(&self) -> Vec<&JwtAuthorizerSpec> {
        let mut authorizers: Vec<&JwtAuthorizerSpec> = self
            .functions
            .iter()
            .flat_map(|f| f.routes.iter())
            .filter_map(|r| r.auth.as_ref().map(|a| &a.authorizer))
            .collect();
        authorizers.sort();
        authorizers.dedup();
        authorizers
    }

    /// The environment every function needs, merged (`cargo lambda watch` gives all functions
    /// the one environment of its process). Names mean the same thing everywhere (contract), so
    /// a conflict is reported, and the first value kept.
    pub fn function_environment(&self) -> (BTreeMap<String, String>, Vec<String>) {
        let mut merged = BTreeMap::new();
        let mut conflicts = vec![];
        for function in &self.functions {
            for (key, value) in &function.environment {
                match merged.get(key) {
                    Some(existing) if existing != value => conflicts.push(format!(
                        "{key}: {} sets {value:?}, another function {existing:?}",
                        function.name
                    )),
                    Some(_) => {}
                    None => {
                        merged.insert(key.clone(), value.clone());
                    }
                }
            }
        }
        (merged, conflicts)
    }
}

fn dead_letter_queues_first(mut queues: Vec<QueueSpec>) -> Vec<QueueSpec> {
    let mut ordered: Vec<QueueSpec> = vec![];
    while !queues.is_empty() {
        let names: BTreeSet<String> = queues.iter().map(|q| q.name.clone()).collect();
        let (ready, waiting): (Vec<_>, Vec<_>) = queues.into_iter().partition(|q| {
            q.redrive.as_ref().is_none_or(|r| {
                let dlq = r.dead_letter_arn.rsplit(':').next().unwrap_or_default();
                !names.contains(dlq) || dlq == q.name
            })
        });
        if ready.is_empty() {
            // A cycle of redrives: keep the template order for the rest.
            ordered.extend(waiting);
            break;
        }
        ordered.extend(ready);
        queues = waiting;
    }
    ordered
}
