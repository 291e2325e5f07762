//! template.yaml as an operator needs it (SPEC §9): nothing is lost unnoticed. Every dead-letter
//! queue has an alarm; every rule target and schedule has a dead-letter queue and a retry
//! policy; the publisher's iterator age, function errors and API 5xx have alarms; every alarm
//! notifies the alarm topic; the dashboard shows the §9 figures.
//!
//! Each check returns the problems it finds, so that the last test can prove each one fails
//! when what it guards is taken out of the real template.

mod common;

use std::collections::BTreeSet;

use common::real_template;
use local_cloud::template::Template;
use serde_json::{json, Value};

const DLQ_METRIC: &str = "ApproximateNumberOfMessagesVisible";

/// SAM event types that become an EventBridge rule (or schedule) target.
const RULE_TARGET_EVENTS: [&str; 4] = [
    "Schedule",
    "ScheduleV2",
    "EventBridgeRule",
    "CloudWatchEvent",
];

fn of_type<'t>(template: &'t Template, kind: &str) -> Vec<(&'t String, &'t Value)> {
    template
        .resources()
        .iter()
        .filter(|(_, r)| r["Type"] == kind)
        .collect()
}

fn functions(template: &Template) -> Vec<(&String, &Value)> {
    of_type(template, "AWS::Serverless::Function")
}

/// `(function, event id, event)` of every SAM function event.
fn function_events(template: &Template) -> Vec<(String, String, Value)> {
    functions(template)
        .into_iter()
        .flat_map(|(id, function)| {
            function["Properties"]["Events"]
                .as_object()
                .cloned()
                .unwrap_or_default()
                .into_iter()
                .map(move |(event_id, event)| (id.clone(), event_id, event))
        })
        .collect()
}

/// The logical id an ARN reference names: `Fn::GetAtt: [X, Arn]` or `Fn::GetAtt: X.Arn`.
fn arn_target(value: &Value) -> Option<String> {
    match &value["Fn::GetAtt"] {
        Value::Array(parts) if parts.get(1) == Some(&json!("Arn")) => {
            parts[0].as_str().map(String::from)
        }
        Value::String(dotted) => dotted.strip_suffix(".Arn").map(String::from),
        _ => None,
    }
}

/// Every queue something sends its failures to: queues' redrive policies, rule targets'
/// `DeadLetterConfig`, SAM events' `DeadLetterConfig` and `DestinationConfig.OnFailure`,
/// functions' `DeadLetterQueue` and `EventInvokeConfig` failure destinations. A reference that
/// names no queue of the template is a problem: its alarm could not be checked.
fn dead_letter_queues(template: &Template) -> (BTreeSet<String>, Vec<String>) {
    let mut references: Vec<(String, Value)> = vec![];
    for (id, queue) in of_type(template, "AWS::SQS::Queue") {
        if let Some(target) = queue.pointer("/Properties/RedrivePolicy/deadLetterTargetArn") {
            references.push((format!("{id} RedrivePolicy"), target.clone()));
        }
    }
    for (id, rule) in of_type(template, "AWS::Events::Rule") {
        for target in rule["Properties"]["Targets"]
            .as_array()
            .into_iter()
            .flatten()
        {
            if let Some(arn) = target.pointer("/DeadLetterConfig/Arn") {
                references.push((format!("{id} target DeadLetterConfig"), arn.clone()));
            }
        }
    }
    for (function, event_id, event) in function_events(template) {
        for pointer in [
            "/Properties/DeadLetterConfig/Arn",
            "/Properties/DestinationConfig/OnFailure/Destination",
        ] {
            if let Some(arn) = event.pointer(pointer) {
                references.push((
                    format!("{function}.Events.{event_id}{pointer}"),
                    arn.clone(),
                ));
            }
        }
    }
    for (id, function) in functions(template) {
        for pointer in [
            "/Properties/DeadLetterQueue/TargetArn",
            "/Properties/EventInvokeConfig/DestinationConfig/OnFailure/Destination",
        ] {
            if let Some(arn) = function.pointer(pointer) {
                references.push((format!("{id}{pointer}"), arn.clone()));
            }
        }
    }
    let mut queues = BTreeSet::new();
    let mut problems = vec![];
    for (at, reference) in references {
        match arn_target(&reference) {
            Some(id) if template.resource_type(&id) == Some("AWS::SQS::Queue") => {
                queues.insert(id);
            }
            _ => problems.push(format!("{at}: {reference} is no queue of the template")),
        }
    }
    (queues, problems)
}

fn alarms(template: &Template) -> Vec<(&String, &Value)> {
    of_type(template, "AWS::CloudWatch::Alarm")
}

fn dimension(alarm: &Value, name: &str) -> Option<Value> {
    alarm["Properties"]["Dimensions"]
        .as_array()?
        .iter()
        .find(|d| d["Name"] == name)
        .map(|d| d["Value"].clone())
}

/// The alarms on `namespace` / `metric`.
fn alarms_on<'t>(
    template: &'t Template,
    namespace: &str,
    metric: &str,
) -> Vec<(&'t String, &'t Value)> {
    alarms(template)
        .into_iter()
        .filter(|(_, a)| {
            a["Properties"]["Namespace"] == namespace && a["Properties"]["MetricName"] == metric
        })
        .collect()
}

/// Whether the alarm fires on a value above `limit` (`> limit`, or `>= limit + 1` for counts).
fn fires_above(alarm: &Value, limit: f64) -> bool {
    let properties = &alarm["Properties"];
    let threshold = properties["Threshold"].as_f64();
    match properties["ComparisonOperator"].as_str() {
        Some("GreaterThanThreshold") => threshold == Some(limit),
        Some("GreaterThanOrEqualToThreshold") => threshold == Some(limit + 1.0),
        _ => false,
    }
}

fn dead_letter_alarm_problems(template: &Template) -> Vec<String> {
    let (queues, mut problems) = dead_letter_queues(template);
    for expected in ["PublishEventsDLQ", "RuleTargetsDLQ"] {
        if !queues.contains(expected) {
            problems.push(format!("{expected} is used as no dead-letter queue"));
        }
    }
    let watched = alarms_on(template, "AWS/SQS", DLQ_METRIC);
    for queue in &queues {
        let name = json!({"Fn::GetAtt": [queue, "QueueName"]});
        let alarm = watched
            .iter()
            .find(|(_, a)| dimension(a, "QueueName").as_ref() == Some(&name));
        match alarm {
            None => problems.push(format!(
                "dead-letter queue {queue} has no {DLQ_METRIC} alarm"
            )),
            Some((id, alarm)) if !fires_above(alarm, 0.0) => {
                problems.push(format!("{id}: must fire on one message or more"))
            }
            Some(_) => {}
        }
    }
    problems
}

fn rule_target_problems(template: &Template) -> Vec<String> {
    let has_retry_policy = |policy: Option<&Value>| {
        policy.is_some_and(|p| {
            p["MaximumRetryAttempts"].is_u64() && p["MaximumEventAgeInSeconds"].is_u64()
        })
    };
    let mut problems = vec![];
    let mut targets = vec![];
    for (id, rule) in of_type(template, "AWS::Events::Rule") {
        for target in rule["Properties"]["Targets"]
            .as_array()
            .into_iter()
            .flatten()
        {
            targets.push((format!("{id} target {}", target["Id"]), target.clone()));
        }
    }
    for (function, event_id, event) in function_events(template) {
        if RULE_TARGET_EVENTS.contains(&event["Type"].as_str().unwrap_or_default()) {
            targets.push((
                format!("{function}.Events.{event_id}"),
                event["Properties"].clone(),
            ));
        }
    }
    if targets.is_empty() {
        problems.push("no rule target at all".into());
    }
    for (at, target) in targets {
        if target.pointer("/DeadLetterConfig/Arn").is_none() {
            problems.push(format!("{at} has no DeadLetterConfig"));
        }
        if !has_retry_policy(target.get("RetryPolicy")) {
            problems.push(format!(
                "{at} has no RetryPolicy (MaximumRetryAttempts, MaximumEventAgeInSeconds)"
            ));
        }
    }
    problems
}

fn iterator_age_problems(template: &Template) -> Vec<String> {
    let watched = alarms_on(template, "AWS/Lambda", "IteratorAge");
    let mut problems = vec![];
    let stream_consumers: Vec<String> = function_events(template)
        .into_iter()
        .filter(|(_, _, e)| matches!(e["Type"].as_str(), Some("DynamoDB" | "Kinesis")))
        .map(|(function, _, _)| function)
        .collect();
    if !stream_consumers.contains(&"PublishEventsFunction".to_string()) {
        problems.push("PublishEventsFunction reads no stream".into());
    }
    for function in stream_consumers {
        let alarm = watched
            .iter()
            .find(|(_, a)| dimension(a, "FunctionName") == Some(json!({"Ref": function})));
        match alarm {
            None => problems.push(format!("{function}: no IteratorAge alarm")),
            Some((id, alarm)) if !fires_above(alarm, 60_000.0) => {
                problems.push(format!("{id}: must fire above 60000 ms"))
            }
            Some(_) => {}
        }
    }
    problems
}

fn function_errors_problems(template: &Template) -> Vec<String> {
    let watched = alarms_on(template, "AWS/Lambda", "Errors");
    // The region's aggregate (no dimension) or metric math: either way, one alarm fires on a
    // single error.
    match watched.iter().find(|(_, a)| fires_above(a, 0.0)) {
        Some(_) => vec![],
        None => vec!["no alarm on AWS/Lambda Errors > 0".into()],
    }
}

fn api_5xx_problems(template: &Template) -> Vec<String> {
    let watched = alarms_on(template, "AWS/ApiGateway", "5xx");
    let apis = of_type(template, "AWS::Serverless::HttpApi");
    let mut problems = vec![];
    if apis.is_empty() {
        problems.push("no HTTP API".into());
    }
    for (api, _) in apis {
        let alarm = watched
            .iter()
            .find(|(_, a)| dimension(a, "ApiId") == Some(json!({"Ref": api})));
        match alarm {
            Some((_, alarm)) if fires_above(alarm, 0.0) => {}
            _ => problems.push(format!("{api}: no alarm on its 5xx > 0 (dimension ApiId)")),
        }
    }
    problems
}

/// Every alarm notifies an SNS topic of the template and treats missing data as fine; an
/// `AlarmEmail` parameter subscribes to that topic, only when set.
fn notification_problems(template: &Template) -> Vec<String> {
    let mut problems = vec![];
    let topics: Vec<&String> = of_type(template, "AWS::SNS::Topic")
        .into_iter()
        .map(|(id, _)| id)
        .collect();
    for (id, alarm) in alarms(template) {
        let properties = &alarm["Properties"];
        let notifies = properties["AlarmActions"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|action| {
                action["Ref"]
                    .as_str()
                    .is_some_and(|t| topics.iter().any(|topic| *topic == t))
            });
        if !notifies {
            problems.push(format!(
                "{id}: AlarmActions name no SNS topic of the template"
            ));
        }
        if properties["TreatMissingData"] != "notBreaching" {
            problems.push(format!("{id}: TreatMissingData is not notBreaching"));
        }
    }
    let email = template.document.pointer("/Parameters/AlarmEmail");
    if email.is_none_or(|p| p["Default"] != "") {
        problems.push("no AlarmEmail parameter (default empty)".into());
    }
    let subscriptions = of_type(template, "AWS::SNS::Subscription");
    let by_email = subscriptions.iter().find(|(_, s)| {
        s["Properties"]["Endpoint"] == json!({"Ref": "AlarmEmail"})
            && s["Properties"]["Protocol"] == "email"
    });
    match by_email {
        None => problems.push("no email subscription to AlarmEmail".into()),
        Some((id, subscription)) => {
            if !subscription["Condition"].is_string() {
                problems.push(format!("{id}: subscribes even when AlarmEmail is empty"));
            }
            let topic = subscription["Properties"]["TopicArn"]["Ref"]
                .as_str()
                .unwrap_or_default();
            if !topics.iter().any(|t| *t == topic) {
                problems.push(format!("{id}: subscribes to no topic of the template"));
            }
        }
    }
    problems
}

/// One dashboard with the SPEC §9 figures: events per type, saga outcomes, consumer lag, queue
/// depths (and commands by route and outcome), the functions' figures found by SEARCH.
fn dashboard_problems(template: &Template) -> Vec<String> {
    let dashboards = of_type(template, "AWS::CloudWatch::Dashboard");
    let [(id, dashboard)] = dashboards.as_slice() else {
        return vec![format!("{} dashboards, not one", dashboards.len())];
    };
    let body = match &dashboard["Properties"]["DashboardBody"] {
        Value::String(body) => body.clone(),
        other => other["Fn::Sub"].as_str().unwrap_or_default().to_string(),
    };
    let mut problems = vec![];
    for figure in [
        r#"SEARCH('{EsServerless,EventType} MetricName=\"EventsAppended\"'"#,
        r#"SEARCH('{EsServerless,Outcome} MetricName=\"SagaOutcomes\"'"#,
        r#"SEARCH('{EsServerless,Consumer} MetricName=\"ConsumerLag\"'"#,
        r#"SEARCH('{EsServerless,Outcome,Route} MetricName=\"Commands\"'"#,
        r#"SEARCH('{AWS/SQS,QueueName} MetricName=\"ApproximateNumberOfMessagesVisible\""#,
    ] {
        if !body.contains(figure) {
            problems.push(format!("{id}: no widget with {figure}"));
        }
    }
    problems
}

type Check = fn(&Template) -> Vec<String>;

const CHECKS: [(&str, Check); 7] = [
    ("dead-letter queue alarms", dead_letter_alarm_problems),
    ("rule targets", rule_target_problems),
    ("iterator age", iterator_age_problems),
    ("function errors", function_errors_problems),
    ("API 5xx", api_5xx_problems),
    ("notifications", notification_problems),
    ("dashboard", dashboard_problems),
];

#[test]
fn the_template_leaves_nothing_unnoticed() {
    let template = real_template();
    let problems: Vec<String> = CHECKS
        .iter()
        .flat_map(|(what, check)| {
            check(&template)
                .into_iter()
                .map(move |p| format!("{what}: {p}"))
        })
        .collect();
    assert!(problems.is_empty(), "{problems:#?}");
    let (queues, _) = dead_letter_queues(&template);
    // 15 consumer queues' DLQs, the publisher's and the rule targets' one.
    assert_eq!(queues.len(), 17, "{queues:?}");
}

/// Removes what `pointer` points at (the last segment from its parent object or array).
fn without(template: &Template, pointer: &str) -> Template {
    let mut changed = template.clone();
    let (parent, last) = pointer.rsplit_once('/').expect("a pointer");
    let parent = changed
        .document
        .pointer_mut(parent)
        .unwrap_or_else(|| panic!("{pointer}"));
    let removed = match parent {
        Value::Object(map) => map.remove(last).is_some(),
        Value::Array(items) => {
            let index: usize = last.parse().expect("an index");
            items.remove(index);
            true
        }
        _ => false,
    };
    assert!(removed, "{pointer} is in the template");
    changed
}

#[test]
fn each_check_fails_when_what_it_guards_is_removed() {
    let template = real_template();
    let cases: [(&str, Check); 15] = [
        ("/Resources/RadarProjectionQueueDLQAlarm", dead_letter_alarm_problems),
        ("/Resources/PublishEventsDLQAlarm", dead_letter_alarm_problems),
        ("/Resources/RuleTargetsDLQAlarm", dead_letter_alarm_problems),
        ("/Resources/CancelOrderRule/Properties/Targets/0/DeadLetterConfig", rule_target_problems),
        ("/Resources/ReleaseStockRule/Properties/Targets/0/RetryPolicy", rule_target_problems),
        (
            "/Resources/ExpireOrdersFunction/Properties/Events/Deadline/Properties/DeadLetterConfig",
            rule_target_problems,
        ),
        (
            "/Resources/ExpireOrdersFunction/Properties/Events/Deadline/Properties/RetryPolicy",
            rule_target_problems,
        ),
        ("/Resources/PublisherIteratorAgeAlarm", iterator_age_problems),
        ("/Resources/FunctionErrorsAlarm", function_errors_problems),
        ("/Resources/ApiServerErrorsAlarm", api_5xx_problems),
        ("/Resources/ApiServerErrorsAlarm/Properties/AlarmActions", notification_problems),
        ("/Resources/FunctionErrorsAlarm/Properties/TreatMissingData", notification_problems),
        ("/Resources/AlarmEmailSubscription/Condition", notification_problems),
        ("/Parameters/AlarmEmail", notification_problems),
        ("/Resources/OperationsDashboard", dashboard_problems),
    ];
    for (pointer, check) in cases {
        assert!(
            check(&template).is_empty(),
            "{pointer}: the real template passes"
        );
        let problems = check(&without(&template, pointer));
        assert!(!problems.is_empty(), "removing {pointer} goes unnoticed");
    }
    // A threshold that would let one message through.
    let mut lenient = template.clone();
    lenient.document["Resources"]["CommitStockQueueDLQAlarm"]["Properties"]["Threshold"] = json!(5);
    assert!(!dead_letter_alarm_problems(&lenient).is_empty());
    // A dead-letter queue added without its alarm.
    let mut added = template.clone();
    added.document["Resources"]["NewQueue"] = json!({
        "Type": "AWS::SQS::Queue",
        "Properties": {"RedrivePolicy": {
            "deadLetterTargetArn": {"Fn::GetAtt": ["NewQueueDLQ", "Arn"]}, "maxReceiveCount": 5}}
    });
    added.document["Resources"]["NewQueueDLQ"] = json!({"Type": "AWS::SQS::Queue"});
    let problems = dead_letter_alarm_problems(&added);
    assert!(
        problems.iter().any(|p| p.contains("NewQueueDLQ")),
        "{problems:?}"
    );
    // A new schedule without a dead-letter queue.
    let mut schedule = template.clone();
    schedule.document["Resources"]["PublishEventsFunction"]["Properties"]["Events"]["Tick"] =
        json!({"Type": "Schedule", "Properties": {"Schedule": "rate(5 minutes)"}});
    let problems = rule_target_problems(&schedule);
    assert!(problems.iter().any(|p| p.contains("Tick")), "{problems:?}");
}
