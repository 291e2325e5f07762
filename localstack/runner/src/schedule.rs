//! SAM `Schedule` events, run locally: the function is invoked on the schedule's rate with the
//! event EventBridge sends a scheduled rule's target ("Scheduled Event" from `aws.events`),
//! through the same invoker as the pollers (so the pollers are woken after it ran).
//!
//! - `rate(N unit)` runs every N units (`minute(s)`, `hour(s)`, `day(s)`; `second(s)` too,
//!   locally). `cron(...)` is not emulated: such a schedule runs only with `--schedule-every`.
//! - `--schedule-every SECONDS` ([`crate::template::Stack::run_schedules_every`]) replaces
//!   every schedule's rate, for tests that cannot wait a minute.
//! - The first run comes one period after the start, as on AWS. Runs of one schedule do not
//!   overlap: a run slower than the period delays the next tick.
//! - A run that fails (function error, timeout, unreachable) is logged and not retried: the
//!   next tick runs again (the template gives such a function no retries of its own either).

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{json, Value};
use tokio::sync::watch;
use tokio::time::{Instant, MissedTickBehavior};

use crate::invoke::{client_timeout, Invocation, Invoker};
use crate::template::TemplateError;

/// A function's `Schedule` event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScheduleSpec {
    /// The rule's name: the event's `Name`, else the logical id SAM gives the rule
    /// (`<function logical id><event id>`).
    pub rule_name: String,
    /// As written: `rate(1 minute)`, `cron(0 12 * * ? *)`.
    pub expression: String,
    /// How often the local cloud runs it: the rate, or `--schedule-every`; `None`: not run.
    pub every: Option<Duration>,
    /// `Input`: the constant payload the target gets instead of the scheduled event.
    pub input: Option<Value>,
    pub enabled: bool,
}

impl ScheduleSpec {
    /// From a `Schedule` event's `Properties`, intrinsics resolved.
    pub fn from_event(
        props: &Value,
        default_rule_name: &str,
        at: &str,
    ) -> Result<Self, TemplateError> {
        let invalid = |what: String| TemplateError::Invalid(format!("{at}: {what}"));
        let expression = props["Schedule"]
            .as_str()
            .ok_or_else(|| invalid("a Schedule event needs a Schedule expression".into()))?
            .to_string();
        let every = if expression.starts_with("cron(") {
            None
        } else {
            Some(parse_rate(&expression).ok_or_else(|| {
                invalid(format!(
                    "{expression}: expected rate(N minute(s)|hour(s)|day(s)) or cron(...)"
                ))
            })?)
        };
        let input = match props.get("Input") {
            None => None,
            Some(Value::String(text)) => {
                Some(serde_json::from_str(text).map_err(|e| invalid(format!("Input: {e}")))?)
            }
            Some(other) => return Err(invalid(format!("Input must be JSON text, not {other}"))),
        };
        let enabled = props
            .get("Enabled")
            .and_then(Value::as_bool)
            .unwrap_or(true)
            && props.get("State").and_then(Value::as_str) != Some("DISABLED");
        Ok(Self {
            rule_name: props["Name"]
                .as_str()
                .unwrap_or(default_rule_name)
                .to_string(),
            expression,
            every,
            input,
            enabled,
        })
    }
}

/// The period of `rate(N unit)`; `None` if it is not one (N ≥ 1).
pub fn parse_rate(expression: &str) -> Option<Duration> {
    let inner = expression.trim().strip_prefix("rate(")?.strip_suffix(')')?;
    let (value, unit) = inner.trim().split_once(char::is_whitespace)?;
    let value: u64 = value.parse().ok().filter(|v| *v > 0)?;
    let seconds = match unit.trim() {
        "second" | "seconds" => 1,
        "minute" | "minutes" => 60,
        "hour" | "hours" => 3600,
        "day" | "days" => 86_400,
        _ => return None,
    };
    Some(Duration::from_secs(value.checked_mul(seconds)?))
}

/// The event EventBridge gives the target of a scheduled rule (an `aws_lambda_events`
/// `CloudWatchEvent`/`EventBridgeEvent`).
pub fn scheduled_event(rule_arn: &str, region: &str, account: &str, at: DateTime<Utc>) -> Value {
    json!({
        "version": "0",
        "id": uuid::Uuid::new_v4().to_string(),
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": account,
        "time": at.to_rfc3339_opts(SecondsFormat::Secs, true),
        "region": region,
        "resources": [rule_arn],
        "detail": {}
    })
}

/// One schedule of one function, run until shutdown.
pub struct Scheduler {
    pub invoker: Arc<dyn Invoker>,
    pub function: String,
    pub function_timeout: Duration,
    pub schedule: ScheduleSpec,
    pub every: Duration,
    pub region: String,
    pub account: String,
}

impl Scheduler {
    pub fn rule_arn(&self) -> String {
        format!(
            "arn:aws:events:{}:{}:rule/{}",
            self.region, self.account, self.schedule.rule_name
        )
    }

    fn payload(&self) -> Vec<u8> {
        let event = match &self.schedule.input {
            Some(input) => input.clone(),
            None => scheduled_event(&self.rule_arn(), &self.region, &self.account, Utc::now()),
        };
        serde_json::to_vec(&event).expect("JSON")
    }

    /// Invokes the function every [`Self::every`] until `shutdown` turns true (an invocation
    /// under way is then dropped: its tick is not run again).
    pub async fn run(self, mut shutdown: watch::Receiver<bool>) -> crate::Result<()> {
        tracing::info!(
            function = %self.function,
            "schedule {} ({}) runs every {:?}",
            self.schedule.rule_name,
            self.schedule.expression,
            self.every
        );
        let mut ticks = tokio::time::interval_at(Instant::now() + self.every, self.every);
        ticks.set_missed_tick_behavior(MissedTickBehavior::Delay);
        let timeout = client_timeout(self.function_timeout);
        loop {
            tokio::select! {
                _ = ticks.tick() => {}
                _ = shutdown.wait_for(|stopped| *stopped) => return Ok(()),
            }
            let invocation = self.invoker.invoke(&self.function, self.payload(), timeout);
            let answer = tokio::select! {
                answer = invocation => answer,
                _ = shutdown.wait_for(|stopped| *stopped) => return Ok(()),
            };
            match answer {
                Invocation::Ok(_) => {
                    tracing::debug!(function = %self.function, "scheduled run done")
                }
                failed => tracing::warn!(
                    function = %self.function,
                    "scheduled run failed ({}); the next tick runs again",
                    describe(&failed)
                ),
            }
        }
    }
}

fn describe(answer: &Invocation) -> String {
    match answer {
        Invocation::Ok(_) => "ok".into(),
        Invocation::FunctionError(error) => format!("function error: {error}"),
        Invocation::Timeout => "no answer in time".into(),
        Invocation::Unreachable(why) => format!("unreachable: {why}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_parse_in_every_unit_and_nothing_else_does() {
        let minutes = |n: u64| Some(Duration::from_secs(60 * n));
        assert_eq!(parse_rate("rate(1 minute)"), minutes(1));
        assert_eq!(parse_rate("rate(5 minutes)"), minutes(5));
        assert_eq!(parse_rate("rate(2 hours)"), minutes(120));
        assert_eq!(parse_rate("rate(1 day)"), minutes(1440));
        assert_eq!(parse_rate("rate(3 seconds)"), Some(Duration::from_secs(3)));
        for bad in [
            "rate(0 minutes)",
            "rate(minute)",
            "rate(1 fortnight)",
            "cron(* * * * ? *)",
            "rate(1 minute",
        ] {
            assert_eq!(parse_rate(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_schedule_event_reads_its_rate_name_input_and_state() {
        let spec = |props: Value| ScheduleSpec::from_event(&props, "FnTick", "Fn.Events.Tick");
        let tick = spec(json!({"Schedule": "rate(1 minute)"})).unwrap();
        assert_eq!(tick.rule_name, "FnTick");
        assert_eq!(tick.every, Some(Duration::from_secs(60)));
        assert!(tick.enabled && tick.input.is_none());
        let named = spec(json!({"Schedule": "cron(0 12 * * ? *)", "Name": "noon", "Input": "{\"a\": 1}", "Enabled": false}))
            .unwrap();
        assert_eq!(named.rule_name, "noon");
        assert_eq!(named.every, None, "cron runs only with --schedule-every");
        assert_eq!(named.input, Some(json!({"a": 1})));
        assert!(!named.enabled);
        assert!(
            !spec(json!({"Schedule": "rate(1 minute)", "State": "DISABLED"}))
                .unwrap()
                .enabled
        );
        assert!(spec(json!({"Schedule": "every minute"})).is_err());
        assert!(spec(json!({})).is_err());
    }
}
