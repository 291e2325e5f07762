//! One invocation's metric values, gathered, then printed as EMF lines.

use std::collections::BTreeMap;
use std::io::Write;

use crate::document::{self, Recorded};
use crate::Unit;

/// Dimension names and values, in the order given.
pub(crate) type DimensionSet = Vec<(&'static str, String)>;

/// CloudWatch refuses longer dimension values.
const MAX_DIMENSION_VALUE: usize = 1024;

/// The values of one invocation or batch: counts summed, other values kept at their largest,
/// per metric and set of dimension values.
#[derive(Debug, Default)]
pub struct Metrics {
    groups: BTreeMap<DimensionSet, BTreeMap<&'static str, Recorded>>,
}

impl Metrics {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds `n` to the count `name` with `dimensions`.
    pub fn count(&mut self, name: &'static str, dimensions: &[(&'static str, &str)], n: u64) {
        let recorded = self.slot(name, dimensions, Unit::Count);
        recorded.value += n as f64;
    }

    /// Keeps the largest `value` seen for `name` with `dimensions` (a batch's lag is its
    /// oldest event's).
    pub fn max(
        &mut self,
        name: &'static str,
        unit: Unit,
        dimensions: &[(&'static str, &str)],
        value: f64,
    ) {
        let recorded = self.slot(name, dimensions, unit);
        recorded.value = recorded.value.max(value);
    }

    fn slot(
        &mut self,
        name: &'static str,
        dimensions: &[(&'static str, &str)],
        unit: Unit,
    ) -> &mut Recorded {
        let set = dimensions
            .iter()
            .map(|(name, value)| (*name, dimension_value(value)))
            .collect();
        self.groups
            .entry(set)
            .or_default()
            .entry(name)
            .or_insert(Recorded {
                unit,
                value: if unit == Unit::Count { 0.0 } else { f64::MIN },
            })
    }

    pub fn is_empty(&self) -> bool {
        self.groups.is_empty()
    }

    /// The EMF documents, one per set of dimension values, stamped `timestamp_ms` (ms since
    /// the Unix epoch).
    pub fn documents(&self, timestamp_ms: u64) -> Vec<serde_json::Value> {
        self.groups
            .iter()
            .map(|(dimensions, metrics)| document::write(dimensions, metrics, timestamp_ms))
            .collect()
    }

    /// Prints the documents on standard output, one line each, stamped now; nothing when
    /// nothing was recorded.
    pub fn emit(&self) {
        if self.is_empty() {
            return;
        }
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |since| since.as_millis() as u64);
        for document in self.documents(now) {
            // One `print!` of the whole line, newline included: one write, so lines of the
            // instances sharing a log file do not interleave. `print!` rather than a locked
            // `stdout()`: tests capture it.
            let line = format!("{document}\n");
            print!("{line}");
        }
        let _ = std::io::stdout().flush();
    }
}

/// A value CloudWatch takes as a dimension value: not empty, not too long.
fn dimension_value(value: &str) -> String {
    if value.trim().is_empty() {
        return "none".to_owned();
    }
    match value.char_indices().nth(MAX_DIMENSION_VALUE) {
        Some((end, _)) => value[..end].to_owned(),
        None => value.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{CONSUMER, CONSUMER_LAG, EVENTS_APPENDED, EVENT_TYPE};

    #[test]
    fn counts_add_up_and_lags_keep_their_largest() {
        let mut metrics = Metrics::new();
        metrics.count(EVENTS_APPENDED, &[(EVENT_TYPE, "OrderPlaced")], 1);
        metrics.count(EVENTS_APPENDED, &[(EVENT_TYPE, "OrderPlaced")], 2);
        metrics.count(EVENTS_APPENDED, &[(EVENT_TYPE, "SaleConfirmed")], 1);
        for lag in [120.0, 480.0, 30.0] {
            metrics.max(CONSUMER_LAG, Unit::Milliseconds, &[(CONSUMER, "f")], lag);
        }
        let documents = metrics.documents(1);
        assert_eq!(
            documents.len(),
            3,
            "one document per set of dimension values"
        );
        let value = |dimension: &str, value: &str, metric: &str| {
            documents
                .iter()
                .find(|d| d[dimension] == value)
                .map(|d| d[metric].as_f64().unwrap())
        };
        assert_eq!(value(EVENT_TYPE, "OrderPlaced", EVENTS_APPENDED), Some(3.0));
        assert_eq!(
            value(EVENT_TYPE, "SaleConfirmed", EVENTS_APPENDED),
            Some(1.0)
        );
        assert_eq!(value(CONSUMER, "f", CONSUMER_LAG), Some(480.0));
    }

    #[test]
    fn nothing_recorded_prints_nothing() {
        assert!(Metrics::new().is_empty());
        assert!(Metrics::new().documents(1).is_empty());
    }

    #[test]
    fn dimension_values_are_never_empty_nor_too_long() {
        assert_eq!(dimension_value(""), "none");
        assert_eq!(dimension_value("  "), "none");
        assert_eq!(dimension_value("GET /radars"), "GET /radars");
        assert_eq!(dimension_value(&"é".repeat(2000)).chars().count(), 1024);
    }
}
