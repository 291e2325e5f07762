//! The functions' EMF metrics (see the `metrics` crate) aggregated and written as Prometheus
//! text (exposition format 0.0.4), for `GET /_local/metrics`.
//!
//! Each EMF metric of namespace `EsServerless` becomes a family named `es_` + its name in
//! snake case, its dimensions the labels (in snake case too, in the document's order):
//! - a `Count` is a counter, `_total`, the sum of every value since the runner started:
//!   `es_commands_total{route="POST /radars",outcome="2xx"} 3`;
//! - any other unit is a gauge with the unit as suffix, holding the latest value, beside a
//!   second gauge `_max_` holding the largest since the runner started:
//!   `es_consumer_lag_milliseconds{consumer="publish-events"} 42` and
//!   `es_consumer_lag_max_milliseconds{consumer="publish-events"} 310`. A lag is a level, not
//!   an amount: its latest value says how far behind a consumer is now, the largest how far it
//!   ever fell behind.
//!
//! Counters start at zero when the runner starts, as a restarted Prometheus target's do.

use std::collections::BTreeMap;
use std::fmt::Write;

use metrics::Sample;

/// Labels in the order of the document's dimensions.
type Labels = Vec<(String, String)>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Counter,
    Gauge,
}

#[derive(Debug)]
struct Family {
    kind: Kind,
    help: String,
    series: BTreeMap<Labels, f64>,
}

/// Every series seen, by family name.
#[derive(Debug, Default)]
pub struct Registry {
    families: BTreeMap<String, Family>,
}

impl Registry {
    /// Takes the metrics of one line of a function's output (nothing if it is not EMF).
    pub fn ingest_line(&mut self, line: &str) {
        for sample in metrics::read_line(line) {
            self.ingest(&sample);
        }
    }

    pub fn ingest(&mut self, sample: &Sample) {
        if sample.namespace != metrics::NAMESPACE || sample.values.is_empty() {
            return;
        }
        let labels: Labels = sample
            .dimensions
            .iter()
            .map(|(name, value)| (snake_case(name), value.clone()))
            .collect();
        let base = format!("es_{}", snake_case(&sample.name));
        let origin = format!("{}/{} ({})", sample.namespace, sample.name, sample.unit);
        if sample.unit == "Count" {
            let family = self.family(
                format!("{base}_total"),
                Kind::Counter,
                format!("{origin}: the sum since the local cloud started."),
            );
            *family.series.entry(labels).or_default() += sample.values.iter().sum::<f64>();
            return;
        }
        let suffix = unit_suffix(&sample.unit);
        let latest = *sample.values.last().expect("not empty");
        let largest = sample.values.iter().copied().fold(f64::MIN, f64::max);
        let family = self.family(
            format!("{base}{suffix}"),
            Kind::Gauge,
            format!("{origin}: the latest value."),
        );
        family.series.insert(labels.clone(), latest);
        let family = self.family(
            format!("{base}_max{suffix}"),
            Kind::Gauge,
            format!("{origin}: the largest value since the local cloud started."),
        );
        let max = family.series.entry(labels).or_insert(largest);
        *max = max.max(largest);
    }

    fn family(&mut self, name: String, kind: Kind, help: String) -> &mut Family {
        self.families.entry(name).or_insert_with(|| Family {
            kind,
            help,
            series: BTreeMap::new(),
        })
    }

    /// The Prometheus text exposition of every series.
    pub fn render(&self) -> String {
        let mut text = String::new();
        for (name, family) in &self.families {
            let kind = match family.kind {
                Kind::Counter => "counter",
                Kind::Gauge => "gauge",
            };
            let _ = writeln!(text, "# HELP {name} {}", family.help);
            let _ = writeln!(text, "# TYPE {name} {kind}");
            for (labels, value) in &family.series {
                let _ = writeln!(text, "{name}{} {}", render_labels(labels), number(*value));
            }
        }
        text
    }
}

/// `{a="x",b="y"}`, nothing without labels.
fn render_labels(labels: &Labels) -> String {
    if labels.is_empty() {
        return String::new();
    }
    let pairs: Vec<String> = labels
        .iter()
        .map(|(name, value)| format!("{name}=\"{}\"", escape_label_value(value)))
        .collect();
    format!("{{{}}}", pairs.join(","))
}

/// The exposition format's escapes: backslash, double quote, line feed.
fn escape_label_value(value: &str) -> String {
    value
        .replace('\\', r"\\")
        .replace('"', "\\\"")
        .replace('\n', r"\n")
}

/// Whole numbers without a fraction.
fn number(value: f64) -> String {
    if value.fract() == 0.0 && value.abs() < 1e15 {
        format!("{}", value as i64)
    } else {
        format!("{value}")
    }
}

/// `EventsAppended` → `events_appended`; anything but letters and digits becomes `_`.
fn snake_case(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 4);
    let mut previous_lower = false;
    for c in name.chars() {
        if c.is_ascii_uppercase() {
            if previous_lower {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
            previous_lower = false;
        } else if c.is_ascii_alphanumeric() {
            out.push(c);
            previous_lower = true;
        } else {
            out.push('_');
            previous_lower = false;
        }
    }
    out
}

/// The Prometheus base-unit suffix of a CloudWatch unit.
fn unit_suffix(unit: &str) -> &'static str {
    match unit {
        "Milliseconds" => "_milliseconds",
        "Microseconds" => "_microseconds",
        "Seconds" => "_seconds",
        "Bytes" => "_bytes",
        "Percent" => "_percent",
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use metrics::{Metrics, Unit};

    /// The lines a function prints for `fill`.
    fn lines(fill: impl FnOnce(&mut Metrics)) -> Vec<String> {
        let mut metrics = Metrics::new();
        fill(&mut metrics);
        metrics
            .documents(1)
            .iter()
            .map(|document| document.to_string())
            .collect()
    }

    #[test]
    fn emf_lines_become_prometheus_text() {
        let mut registry = Registry::default();
        let checkout = "POST /customers/{customer_id}/cart/checkout";
        let output = [
            lines(|m| {
                m.count(
                    metrics::COMMANDS,
                    &[("Route", checkout), ("Outcome", "2xx")],
                    1,
                )
            }),
            lines(|m| {
                m.count(
                    metrics::COMMANDS,
                    &[("Route", checkout), ("Outcome", "2xx")],
                    1,
                )
            }),
            lines(|m| {
                m.count(
                    metrics::COMMANDS,
                    &[("Route", checkout), ("Outcome", "4xx")],
                    1,
                )
            }),
            lines(|m| {
                m.count(metrics::EVENTS_APPENDED, &[("EventType", "OrderPlaced")], 2);
                m.count(
                    metrics::EVENTS_APPENDED,
                    &[("EventType", "SaleConfirmed")],
                    1,
                );
                m.max(
                    metrics::CONSUMER_LAG,
                    Unit::Milliseconds,
                    &[("Consumer", "p")],
                    300.0,
                );
            }),
            lines(|m| {
                m.count(metrics::EVENTS_APPENDED, &[("EventType", "OrderPlaced")], 1);
                m.count(metrics::SAGA_OUTCOMES, &[("Outcome", "confirmed")], 1);
                m.max(
                    metrics::CONSUMER_LAG,
                    Unit::Milliseconds,
                    &[("Consumer", "p")],
                    40.5,
                );
            }),
        ];
        let mut log = vec!["plain text".to_owned(), r#"{"level":"INFO"}"#.to_owned()];
        log.extend(output.into_iter().flatten());
        for line in &log {
            registry.ingest_line(line);
        }
        let text = registry.render();
        let expected = r#"# HELP es_commands_total EsServerless/Commands (Count): the sum since the local cloud started.
# TYPE es_commands_total counter
es_commands_total{route="POST /customers/{customer_id}/cart/checkout",outcome="2xx"} 2
es_commands_total{route="POST /customers/{customer_id}/cart/checkout",outcome="4xx"} 1
# HELP es_consumer_lag_max_milliseconds EsServerless/ConsumerLag (Milliseconds): the largest value since the local cloud started.
# TYPE es_consumer_lag_max_milliseconds gauge
es_consumer_lag_max_milliseconds{consumer="p"} 300
# HELP es_consumer_lag_milliseconds EsServerless/ConsumerLag (Milliseconds): the latest value.
# TYPE es_consumer_lag_milliseconds gauge
es_consumer_lag_milliseconds{consumer="p"} 40.5
# HELP es_events_appended_total EsServerless/EventsAppended (Count): the sum since the local cloud started.
# TYPE es_events_appended_total counter
es_events_appended_total{event_type="OrderPlaced"} 3
es_events_appended_total{event_type="SaleConfirmed"} 1
# HELP es_saga_outcomes_total EsServerless/SagaOutcomes (Count): the sum since the local cloud started.
# TYPE es_saga_outcomes_total counter
es_saga_outcomes_total{outcome="confirmed"} 1
"#;
        assert_eq!(text, expected);
    }

    #[test]
    fn other_namespaces_and_nothing_render_nothing() {
        let mut registry = Registry::default();
        assert_eq!(registry.render(), "");
        registry.ingest_line(r#"{"_aws": {"Timestamp": 1, "CloudWatchMetrics": [{"Namespace": "Other", "Dimensions": [[]], "Metrics": [{"Name": "M", "Unit": "Count"}]}]}, "M": 1}"#);
        assert_eq!(registry.render(), "");
    }

    #[test]
    fn label_values_are_escaped_and_names_snake_cased() {
        assert_eq!(escape_label_value(r#"a"b\c"#), r#"a\"b\\c"#);
        assert_eq!(escape_label_value("a\nb"), r"a\nb");
        assert_eq!(snake_case("EventsAppended"), "events_appended");
        assert_eq!(snake_case("EventType"), "event_type");
        assert_eq!(snake_case("Route"), "route");
        assert_eq!(snake_case("Some-Name 2"), "some_name_2");
        assert_eq!(number(3.0), "3");
        assert_eq!(number(2.5), "2.5");
    }
}
