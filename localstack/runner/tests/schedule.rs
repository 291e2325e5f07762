//! Schedules: a function's `Schedule` event runs it on its rate, or on `--schedule-every`
//! (`Stack::run_schedules_every`), with the event EventBridge sends; a failed run is retried on
//! the next tick. Through `Services::run`, as `local-cloud serve` runs them.

mod common;

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use aws_lambda_events::eventbridge::EventBridgeEvent;
use common::{eventually, temp_dir, RecordingInvoker};
use local_cloud::aws::Clients;
use local_cloud::invoke::Invocation;
use local_cloud::provision::Provisioned;
use local_cloud::services::Services;
use local_cloud::template::{Stack, StackContext, Template};
use local_cloud::wake::Wakes;
use serde_json::json;
use tokio::sync::watch;

fn stack() -> Stack {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/schedule-template.yaml");
    let template = Template::load(&path).expect("the schedule fixture");
    // The fixture has no table, queue poller or rule: nothing here calls the emulator.
    Stack::from_template(&template, StackContext::local("http://127.0.0.1:1")).unwrap()
}

/// The stack's services (gateway, pollers, schedules), running until [`Running::stop`].
struct Running {
    stop: watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
}

impl Running {
    /// Stops the services, which must stop cleanly and soon.
    async fn stop(self) {
        self.stop.send(true).unwrap();
        tokio::time::timeout(Duration::from_secs(10), self.task)
            .await
            .expect("stopped")
            .unwrap();
    }
}

async fn run(stack: Stack, invoker: Arc<RecordingInvoker>, name: &str) -> Running {
    let services = Services {
        clients: Clients::new("http://127.0.0.1:1", StackContext::REGION),
        stack,
        provisioned: Provisioned::default(),
        invoker,
        state_dir: temp_dir(name),
        safety_poll: Duration::from_secs(3600),
        wakes: Wakes::new(),
        deliver_twice: false,
    };
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
        .await
        .unwrap();
    let (stop, shutdown) = watch::channel(false);
    let task = tokio::spawn(async move {
        services
            .run(listener, shutdown)
            .await
            .expect("the services stop cleanly");
    });
    Running { stop, task }
}

fn calls_of(invoker: &RecordingInvoker, function: &str) -> usize {
    invoker
        .calls()
        .iter()
        .filter(|(f, _)| f == function)
        .count()
}

#[tokio::test]
async fn a_schedule_runs_its_function_on_its_rate_with_the_scheduled_event() {
    let stack = stack();
    assert!(
        stack.warnings.iter().any(|w| w.contains("cron")),
        "{:?}",
        stack.warnings
    );
    let invoker = RecordingInvoker::succeeding();
    let running = run(stack, invoker.clone(), "schedule-rate").await;

    eventually(Duration::from_secs(10), "every-second run twice", || {
        calls_of(&invoker, "every-second") >= 2
    })
    .await;
    running.stop().await;

    // A minute has not passed; cron is not emulated; a disabled schedule never runs.
    for idle in ["every-minute", "at-noon", "switched-off"] {
        assert_eq!(calls_of(&invoker, idle), 0, "{idle}");
    }
    let (_, payload) = invoker
        .calls()
        .into_iter()
        .find(|(f, _)| f == "every-second")
        .unwrap();
    let event: EventBridgeEvent = serde_json::from_value(payload).expect("an EventBridge event");
    assert_eq!(event.detail_type, "Scheduled Event");
    assert_eq!(event.source, "aws.events");
    assert_eq!(event.account.as_deref(), Some("123456789012"));
    assert_eq!(event.region.as_deref(), Some("us-east-1"));
    assert_eq!(
        event.resources,
        Some(vec![
            "arn:aws:events:us-east-1:123456789012:rule/EverySecondFunctionTick".to_string()
        ])
    );
    assert!(event.time.is_some() && event.id.is_some());
    assert_eq!(event.detail, json!({}));
}

#[tokio::test]
async fn schedule_every_overrides_each_rate_and_a_failed_run_is_retried_on_the_next_tick() {
    let mut stack = stack();
    stack.run_schedules_every(Duration::from_millis(200));
    // The first run of every-minute fails; the schedule goes on.
    let invoker = RecordingInvoker::new(|function, _, earlier| {
        if function == "every-minute" && earlier == 0 {
            Invocation::FunctionError("Unhandled: the first run fails".into())
        } else {
            Invocation::Ok(b"null".to_vec())
        }
    });
    let running = run(stack, invoker.clone(), "schedule-every").await;

    eventually(
        Duration::from_secs(10),
        "every-minute and at-noon run on the override",
        || calls_of(&invoker, "every-minute") >= 3 && calls_of(&invoker, "at-noon") >= 2,
    )
    .await;
    running.stop().await;

    assert_eq!(calls_of(&invoker, "switched-off"), 0);
    // A schedule's Input replaces the scheduled event.
    let (_, payload) = invoker
        .calls()
        .into_iter()
        .find(|(f, _)| f == "at-noon")
        .unwrap();
    assert_eq!(payload, json!({"job": "noon"}));
}

/// template.yaml: expire-orders every minute, its deadline from the `OrderDeadlineSeconds`
/// parameter (`--parameter OrderDeadlineSeconds=3` locally).
#[test]
fn the_real_template_runs_expire_orders_every_minute_with_its_deadline_parameter() {
    let template = common::real_template();
    let stack = |parameters: &[(&str, &str)]| {
        let parameters = parameters
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        local_cloud::parameters::check(&template, &parameters).expect("valid parameters");
        let context = StackContext::local("http://127.0.0.1:1").with_parameters(parameters);
        Stack::from_template(&template, context).unwrap()
    };
    let default = stack(&[]);
    let expire = default.function("expire-orders").expect("expire-orders");
    assert_eq!(expire.schedules.len(), 1);
    assert_eq!(expire.schedules[0].every, Some(Duration::from_secs(60)));
    assert_eq!(
        expire.schedules[0].rule_name,
        "ExpireOrdersFunctionDeadline"
    );
    assert_eq!(expire.environment["ORDER_DEADLINE_SECONDS"], "900");
    assert_eq!(
        expire.environment["ORDER_REPORTS_TABLE"],
        "OrderReportsTable"
    );
    assert_eq!(expire.environment["EVENTS_TABLE"], "EventsTable");
    let (environment, _) = stack(&[("OrderDeadlineSeconds", "3")]).function_environment();
    assert_eq!(environment["ORDER_DEADLINE_SECONDS"], "3");
    // The only schedule of the template.
    let scheduled: Vec<&str> = default
        .functions
        .iter()
        .filter(|f| !f.schedules.is_empty())
        .map(|f| f.name.as_str())
        .collect();
    assert_eq!(scheduled, ["expire-orders"]);
    // Run, and the operations resources (alarms, their topic, the dashboard) ignored on
    // purpose: no warning about them.
    for warning in &default.warnings {
        for kind in ["Schedule", "AWS::SNS", "AWS::CloudWatch"] {
            assert!(!warning.contains(kind), "{warning}");
        }
    }
}
