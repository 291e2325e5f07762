//! Whether a function's role may put messages on a queue (read from its `Policies`): the
//! queue pollers are woken after such a function ran.

use serde_json::Value;

use super::Template;

/// SAM policy templates that grant sending to a queue or putting events on a bus.
const SENDING_POLICY_TEMPLATES: [&str; 3] = [
    "SQSSendMessagePolicy",
    "EventBridgePutEventsPolicy",
    "SNSPublishMessagePolicy",
];

/// Managed policies that grant no sending (the execution roles SAM functions commonly name).
const NON_SENDING_MANAGED_POLICIES: [&str; 5] = [
    "AWSLambdaBasicExecutionRole",
    "AWSLambdaDynamoDBExecutionRole",
    "AWSLambdaSQSQueueExecutionRole",
    "AWSLambdaVPCAccessExecutionRole",
    "AWSXRayDaemonWriteAccess",
];

/// Whether a function's `Policies` may let it put a message on a queue: a sending policy
/// template, an action `sqs:SendMessage*`, `events:PutEvents`, `sns:Publish` or a wildcard
/// covering one, a policy resource of the template (`Ref`) granting one, or a managed policy
/// the runner does not know (counted as sending: a wrong "yes" costs a few empty receives, a
/// wrong "no" delays messages until the safety poll).
pub fn sends_messages(template: &Template, policies: Option<&Value>) -> bool {
    fn action_sends(action: &str) -> bool {
        let action = action.to_ascii_lowercase();
        action == "*"
            || ["sqs:", "events:", "sns:"]
                .iter()
                .any(|service| action == format!("{service}*"))
            || action.starts_with("sqs:sendmessage")
            || action == "events:putevents"
            || action == "sns:publish"
    }
    fn grants(template: &Template, value: &Value, depth: usize) -> bool {
        if depth > 8 {
            return true;
        }
        match value {
            Value::Array(items) => items.iter().any(|v| grants(template, v, depth + 1)),
            Value::String(name) => {
                let name = name.rsplit('/').next().unwrap_or(name);
                !NON_SENDING_MANAGED_POLICIES.contains(&name)
            }
            Value::Object(map) => map.iter().any(|(key, v)| match key.as_str() {
                "Action" | "NotAction" => match v {
                    Value::String(a) => action_sends(a) || key == "NotAction",
                    Value::Array(actions) => {
                        key == "NotAction"
                            || actions.iter().any(|a| a.as_str().is_none_or(action_sends))
                    }
                    _ => true,
                },
                "Ref" => match v.as_str().and_then(|id| template.resources().get(id)) {
                    Some(resource) => grants(
                        template,
                        resource
                            .pointer("/Properties/PolicyDocument")
                            .unwrap_or(&Value::Null),
                        depth + 1,
                    ),
                    // A parameter or a pseudo parameter: an unknown policy.
                    None => true,
                },
                "Statement" | "PolicyDocument" => grants(template, v, depth + 1),
                name if SENDING_POLICY_TEMPLATES.contains(&name) => true,
                // Other SAM policy templates (DynamoDBCrudPolicy, …) grant no sending.
                _ => false,
            }),
            _ => false,
        }
    }
    policies.is_some_and(|p| grants(template, p, 0))
}
