//! The EMF document: written for CloudWatch, read back by the local cloud.
//!
//! ```json
//! {"_aws": {"Timestamp": 1795000000000, "CloudWatchMetrics": [{"Namespace": "EsServerless",
//!   "Dimensions": [["Route", "Outcome"]], "Metrics": [{"Name": "Commands", "Unit": "Count"}]}]},
//!  "Route": "POST /radars", "Outcome": "2xx", "Commands": 1}
//! ```
//!
//! The `_aws` member says which members are metrics (their values at the top level) and which
//! are dimensions (their values too), under which namespace and unit.
//! See <https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html>.

use std::collections::BTreeMap;

use serde_json::{json, Map, Value};

use crate::batch::DimensionSet;
use crate::{Unit, NAMESPACE};

/// A metric's value in a batch.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Recorded {
    pub unit: Unit,
    pub value: f64,
}

/// The document of one set of dimension values and its metrics.
pub(crate) fn write(
    dimensions: &DimensionSet,
    metrics: &BTreeMap<&'static str, Recorded>,
    timestamp_ms: u64,
) -> Value {
    let names: Vec<&str> = dimensions.iter().map(|(name, _)| *name).collect();
    let definitions: Vec<Value> = metrics
        .iter()
        .map(|(name, recorded)| json!({"Name": name, "Unit": recorded.unit.as_str()}))
        .collect();
    let mut document = Map::new();
    document.insert(
        "_aws".into(),
        json!({
            "Timestamp": timestamp_ms,
            "CloudWatchMetrics": [{
                "Namespace": NAMESPACE,
                "Dimensions": [names],
                "Metrics": definitions,
            }],
        }),
    );
    for (name, value) in dimensions {
        document.insert((*name).into(), Value::String(value.clone()));
    }
    for (name, recorded) in metrics {
        document.insert((*name).into(), number(recorded.value));
    }
    Value::Object(document)
}

/// Whole numbers as integers (`3`, not `3.0`).
fn number(value: f64) -> Value {
    if value.fract() == 0.0 && value.abs() < 9.0e15 {
        json!(value as i64)
    } else {
        json!(value)
    }
}

/// One metric value of a document, as CloudWatch would record it.
#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    pub namespace: String,
    pub name: String,
    /// `None` when the document gives no unit (CloudWatch's default).
    pub unit: String,
    /// Names and values, in the order of the document's dimension set.
    pub dimensions: Vec<(String, String)>,
    /// EMF allows an array of values (up to 100) for one metric.
    pub values: Vec<f64>,
}

/// The metric values of a line of a function's output: nothing unless the line is an EMF
/// document. Text before the first `{` is skipped (a log prefix).
pub fn read_line(line: &str) -> Vec<Sample> {
    if !line.contains("\"_aws\"") {
        return vec![];
    }
    let Some(start) = line.find('{') else {
        return vec![];
    };
    let Ok(Value::Object(document)) = serde_json::from_str::<Value>(line[start..].trim_end())
    else {
        return vec![];
    };
    let directives = document
        .get("_aws")
        .and_then(|aws| aws.get("CloudWatchMetrics"))
        .and_then(Value::as_array);
    let mut samples = vec![];
    for directive in directives.into_iter().flatten() {
        let Some(namespace) = directive.get("Namespace").and_then(Value::as_str) else {
            continue;
        };
        let mut sets: Vec<Vec<&str>> = directive
            .get("Dimensions")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|set| set.as_array())
            .map(|set| set.iter().filter_map(Value::as_str).collect())
            .collect();
        if sets.is_empty() {
            sets.push(vec![]);
        }
        let metrics = directive.get("Metrics").and_then(Value::as_array);
        for metric in metrics.into_iter().flatten() {
            let Some(name) = metric.get("Name").and_then(Value::as_str) else {
                continue;
            };
            let unit = metric.get("Unit").and_then(Value::as_str).unwrap_or("None");
            let values = values_of(document.get(name));
            if values.is_empty() {
                continue;
            }
            for set in &sets {
                let dimensions: Option<Vec<(String, String)>> = set
                    .iter()
                    .map(|dimension| {
                        let value = document.get(*dimension)?.as_str()?;
                        Some((dimension.to_string(), value.to_string()))
                    })
                    .collect();
                // A dimension without a value: CloudWatch rejects the set.
                let Some(dimensions) = dimensions else {
                    continue;
                };
                samples.push(Sample {
                    namespace: namespace.to_string(),
                    name: name.to_string(),
                    unit: unit.to_string(),
                    dimensions,
                    values: values.clone(),
                });
            }
        }
    }
    samples
}

fn values_of(value: Option<&Value>) -> Vec<f64> {
    match value {
        Some(Value::Number(n)) => n.as_f64().into_iter().collect(),
        Some(Value::Array(values)) => values.iter().filter_map(Value::as_f64).collect(),
        _ => vec![],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        Metrics, COMMANDS, CONSUMER, CONSUMER_LAG, EVENTS_APPENDED, EVENT_TYPE, OUTCOME, ROUTE,
    };

    #[test]
    fn a_document_is_valid_emf() {
        let mut metrics = Metrics::new();
        metrics.count(
            COMMANDS,
            &[
                (ROUTE, "POST /radars/{radar_id}/detections"),
                (OUTCOME, "2xx"),
            ],
            1,
        );
        let documents = metrics.documents(1_795_000_000_123);
        assert_eq!(
            documents,
            vec![json!({
                "_aws": {
                    "Timestamp": 1_795_000_000_123_u64,
                    "CloudWatchMetrics": [{
                        "Namespace": "EsServerless",
                        "Dimensions": [["Route", "Outcome"]],
                        "Metrics": [{"Name": "Commands", "Unit": "Count"}]
                    }]
                },
                "Route": "POST /radars/{radar_id}/detections",
                "Outcome": "2xx",
                "Commands": 1
            })]
        );
        // The line as printed: one line, the count an integer.
        let line = documents[0].to_string();
        assert!(!line.contains('\n'));
        assert!(line.contains(r#""Commands":1"#), "{line}");
    }

    #[test]
    fn metrics_of_one_dimension_set_share_a_document() {
        let mut metrics = Metrics::new();
        metrics.count(EVENTS_APPENDED, &[(CONSUMER, "f")], 2);
        metrics.max(CONSUMER_LAG, Unit::Milliseconds, &[(CONSUMER, "f")], 12.5);
        let documents = metrics.documents(1);
        assert_eq!(documents.len(), 1);
        assert_eq!(
            documents[0]["_aws"]["CloudWatchMetrics"][0]["Metrics"],
            json!([
                {"Name": "ConsumerLag", "Unit": "Milliseconds"},
                {"Name": "EventsAppended", "Unit": "Count"}
            ])
        );
        assert_eq!(documents[0]["ConsumerLag"], 12.5);
    }

    #[test]
    fn what_is_written_reads_back() {
        let mut metrics = Metrics::new();
        metrics.count(EVENTS_APPENDED, &[(EVENT_TYPE, "OrderPlaced")], 3);
        metrics.max(
            CONSUMER_LAG,
            Unit::Milliseconds,
            &[(CONSUMER, "publish-events")],
            40.0,
        );
        let samples: Vec<Sample> = metrics
            .documents(1)
            .iter()
            .flat_map(|document| read_line(&document.to_string()))
            .collect();
        assert_eq!(
            samples,
            vec![
                Sample {
                    namespace: "EsServerless".into(),
                    name: "ConsumerLag".into(),
                    unit: "Milliseconds".into(),
                    dimensions: vec![("Consumer".into(), "publish-events".into())],
                    values: vec![40.0],
                },
                Sample {
                    namespace: "EsServerless".into(),
                    name: "EventsAppended".into(),
                    unit: "Count".into(),
                    dimensions: vec![("EventType".into(), "OrderPlaced".into())],
                    values: vec![3.0],
                },
            ]
        );
    }

    #[test]
    fn other_lines_read_as_nothing() {
        for line in [
            "",
            "plain text",
            r#"{"level":"INFO","fields":{"message":"handled"}}"#,
            r#"{"_aws": "not an object"}"#,
            r#"{"_aws": {"CloudWatchMetrics": [{"Namespace": "N", "Dimensions": [["D"]], "Metrics": [{"Name": "M"}]}]}}"#,
            r#"{"_aws": {"CloudWatchMetrics": [{"Namespace": "N", "Dimensions": [["D"]], "Metrics": [{"Name": "M"}]}]}, "M": 1}"#,
            r#"{"_aws": truncated"#,
        ] {
            assert!(read_line(line).is_empty(), "{line}");
        }
    }

    #[test]
    fn reads_value_arrays_prefixes_and_sets_without_dimensions() {
        let line = r#"INFO {"_aws": {"Timestamp": 1, "CloudWatchMetrics": [{"Namespace": "N", "Dimensions": [], "Metrics": [{"Name": "Latency", "Unit": "Milliseconds"}, {"Name": "Hits"}]}]}, "Latency": [1, 2.5], "Hits": 4}"#;
        let samples = read_line(line);
        assert_eq!(samples.len(), 2);
        assert_eq!(samples[0].values, vec![1.0, 2.5]);
        assert!(samples[0].dimensions.is_empty());
        assert_eq!(samples[1].unit, "None");
        assert_eq!(samples[1].values, vec![4.0]);
    }
}
