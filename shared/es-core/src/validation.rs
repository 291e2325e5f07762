//! Turns untrusted JSON into typed values while collecting every problem at once (SPEC §2:
//! "all problems listed at once"), which a derive-based deserialiser cannot do: it stops at the
//! first wrong type.
//!
//! Readers return a placeholder (`Default`) for a bad field and record the problem; the caller
//! reads every field, then calls [`Input::finish`], which fails if anything was recorded, so a
//! placeholder never escapes.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use serde_json::{Map, Value};
use std::ops::RangeInclusive;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldProblem {
    pub field: String,
    pub problem: String,
}

impl FieldProblem {
    pub fn new(field: impl Into<String>, problem: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            problem: problem.into(),
        }
    }
}

/// Every problem found in one input.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid input: {}", summary(.0))]
pub struct ValidationError(pub Vec<FieldProblem>);

fn summary(problems: &[FieldProblem]) -> String {
    problems
        .iter()
        .map(|p| format!("{}: {}", p.field, p.problem))
        .collect::<Vec<_>>()
        .join("; ")
}

impl ValidationError {
    pub fn single(field: &str, problem: &str) -> Self {
        Self(vec![FieldProblem::new(field, problem)])
    }

    pub fn rejection(&self) -> crate::Rejection {
        crate::Rejection {
            kind: crate::RejectionKind::InvalidInput,
            code: "invalid_input".into(),
            message: format!("the request has {} invalid field(s)", self.0.len()),
            details: self.0.clone(),
        }
    }
}

/// A JSON object being read field by field.
pub struct Input<'a> {
    fields: Option<&'a Map<String, Value>>,
    problems: Vec<FieldProblem>,
}

impl<'a> Input<'a> {
    /// Only the listed fields are accepted: an unknown field is usually a typo that would
    /// otherwise be silently ignored.
    pub fn object(body: &'a Value, allowed: &[&str]) -> Self {
        let mut input = Self {
            fields: body.as_object(),
            problems: Vec::new(),
        };
        match input.fields {
            None => input.problem("body", "must be a JSON object"),
            Some(fields) => {
                let mut unknown: Vec<&String> = fields
                    .keys()
                    .filter(|k| !allowed.contains(&k.as_str()))
                    .collect();
                unknown.sort();
                for field in unknown {
                    input.problem(field, "unknown field");
                }
            }
        }
        input
    }

    pub fn problem(&mut self, field: &str, problem: impl Into<String>) {
        self.problems.push(FieldProblem::new(field, problem));
    }

    /// Fails with every problem recorded so far.
    pub fn finish(self) -> Result<(), ValidationError> {
        if self.problems.is_empty() {
            Ok(())
        } else {
            Err(ValidationError(self.problems))
        }
    }

    pub fn has_problems(&self) -> bool {
        !self.problems.is_empty()
    }

    /// True when at least one of `fields` is present (PATCH bodies must change something).
    pub fn has_any(&self, fields: &[&str]) -> bool {
        self.fields.is_some_and(|f| {
            fields
                .iter()
                .any(|name| f.get(*name).is_some_and(|v| !v.is_null()))
        })
    }

    fn get(&self, field: &str) -> Option<&'a Value> {
        self.fields?.get(field).filter(|v| !v.is_null())
    }

    fn missing(&mut self, field: &str) {
        if self.fields.is_some() {
            self.problem(field, "is required");
        }
    }

    /// A string of `len` characters once trimmed.
    pub fn string(&mut self, field: &str, len: RangeInclusive<usize>) -> String {
        self.opt_string(field, len).unwrap_or_else(|| {
            if self.get(field).is_none() {
                self.missing(field);
            }
            String::new()
        })
    }

    pub fn opt_string(&mut self, field: &str, len: RangeInclusive<usize>) -> Option<String> {
        let value = self.get(field)?;
        let Some(text) = value.as_str() else {
            self.problem(field, "must be a string");
            return None;
        };
        let text = text.trim();
        let count = text.chars().count();
        if !len.contains(&count) {
            self.problem(
                field,
                format!("must be {} to {} characters long", len.start(), len.end()),
            );
            return None;
        }
        Some(text.to_owned())
    }

    /// An integer within `range` (a JSON number with no fractional part).
    pub fn int(&mut self, field: &str, range: RangeInclusive<i64>) -> i64 {
        match self.get(field) {
            None => {
                self.missing(field);
                0
            }
            Some(_) => self.opt_int(field, range).unwrap_or_default(),
        }
    }

    pub fn opt_int(&mut self, field: &str, range: RangeInclusive<i64>) -> Option<i64> {
        let value = self.get(field)?;
        let Some(n) = value.as_i64() else {
            self.problem(field, "must be an integer");
            return None;
        };
        if !range.contains(&n) {
            self.problem(
                field,
                format!("must be between {} and {}", range.start(), range.end()),
            );
            return None;
        }
        Some(n)
    }

    /// A number within `range`.
    pub fn number(&mut self, field: &str, range: RangeInclusive<f64>) -> f64 {
        match self.get(field) {
            None => {
                self.missing(field);
                0.0
            }
            Some(_) => self.opt_number(field, range).unwrap_or_default(),
        }
    }

    pub fn opt_number(&mut self, field: &str, range: RangeInclusive<f64>) -> Option<f64> {
        let value = self.get(field)?;
        let Some(n) = value.as_f64() else {
            self.problem(field, "must be a number");
            return None;
        };
        if !range.contains(&n) {
            self.problem(
                field,
                format!("must be between {} and {}", range.start(), range.end()),
            );
            return None;
        }
        Some(n)
    }

    /// An RFC 3339 time, converted to UTC.
    pub fn time(&mut self, field: &str) -> DateTime<Utc> {
        match self.get(field) {
            None => {
                self.missing(field);
                DateTime::<Utc>::default()
            }
            Some(_) => self.opt_time(field).unwrap_or_default(),
        }
    }

    pub fn opt_time(&mut self, field: &str) -> Option<DateTime<Utc>> {
        let value = self.get(field)?;
        let parsed = value.as_str().and_then(crate::time::parse);
        if parsed.is_none() {
            self.problem(
                field,
                "must be an RFC 3339 time, e.g. 2026-11-22T10:15:00.123Z",
            );
        }
        parsed
    }

    /// A calendar date `YYYY-MM-DD`.
    pub fn date(&mut self, field: &str) -> NaiveDate {
        match self.get(field) {
            None => {
                self.missing(field);
                NaiveDate::default()
            }
            Some(_) => self.opt_date(field).unwrap_or_default(),
        }
    }

    pub fn opt_date(&mut self, field: &str) -> Option<NaiveDate> {
        let value = self.get(field)?;
        let parsed = value
            .as_str()
            .and_then(|s| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok());
        if parsed.is_none() {
            self.problem(field, "must be a date YYYY-MM-DD");
        }
        parsed
    }

    /// A UUID.
    pub fn uuid(&mut self, field: &str) -> uuid::Uuid {
        match self.get(field) {
            None => {
                self.missing(field);
                uuid::Uuid::nil()
            }
            Some(_) => self.opt_uuid(field).unwrap_or_default(),
        }
    }

    pub fn opt_uuid(&mut self, field: &str) -> Option<uuid::Uuid> {
        let value = self.get(field)?;
        let parsed = value.as_str().and_then(|s| uuid::Uuid::parse_str(s).ok());
        if parsed.is_none() {
            self.problem(field, "must be a UUID");
        }
        parsed
    }

    /// One of a fixed set of upper-case names, e.g. a status.
    pub fn one_of<T: Copy + Default>(&mut self, field: &str, choices: &[(&str, T)]) -> T {
        match self.get(field) {
            None => {
                self.missing(field);
                T::default()
            }
            Some(_) => self.opt_one_of(field, choices).unwrap_or_default(),
        }
    }

    pub fn opt_one_of<T: Copy>(&mut self, field: &str, choices: &[(&str, T)]) -> Option<T> {
        let value = self.get(field)?;
        let found = value
            .as_str()
            .and_then(|s| choices.iter().find(|(name, _)| *name == s))
            .map(|(_, v)| *v);
        if found.is_none() {
            let names: Vec<&str> = choices.iter().map(|(n, _)| *n).collect();
            self.problem(field, format!("must be one of {}", names.join(", ")));
        }
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn collects_every_problem_at_once() {
        let body = json!({"name": 3, "max_speed_kmh": 999, "latitude": "north", "extra": true});
        let mut input = Input::object(&body, &["name", "max_speed_kmh", "latitude", "road"]);
        input.string("name", 1..=100);
        input.string("road", 1..=100);
        input.int("max_speed_kmh", 5..=300);
        input.number("latitude", -90.0..=90.0);
        let problems = input.finish().unwrap_err().0;
        let fields: Vec<&str> = problems.iter().map(|p| p.field.as_str()).collect();
        assert_eq!(
            fields,
            ["extra", "name", "road", "max_speed_kmh", "latitude"]
        );
        assert_eq!(problems[2].problem, "is required");
    }

    #[test]
    fn accepts_valid_input() {
        let body = json!({"name": "  A1 north  ", "speed": 90, "at": "2026-11-22T10:15:00.123Z"});
        let mut input = Input::object(&body, &["name", "speed", "at"]);
        let name = input.string("name", 1..=100);
        let speed = input.int("speed", 1..=500);
        let at = input.time("at");
        input.finish().unwrap();
        assert_eq!(name, "A1 north");
        assert_eq!(speed, 90);
        assert_eq!(crate::time::format(&at), "2026-11-22T10:15:00.123Z");
    }

    #[test]
    fn fractional_number_is_not_an_integer() {
        let body = json!({"n": 1.5});
        let mut input = Input::object(&body, &["n"]);
        input.int("n", 0..=10);
        assert_eq!(
            input.finish().unwrap_err().0[0].problem,
            "must be an integer"
        );
    }

    #[test]
    fn non_object_body_is_one_problem() {
        let body = json!([1, 2]);
        let mut input = Input::object(&body, &["a"]);
        input.string("a", 1..=3);
        let problems = input.finish().unwrap_err().0;
        assert_eq!(
            problems,
            vec![FieldProblem::new("body", "must be a JSON object")]
        );
    }

    #[test]
    fn null_counts_as_absent() {
        let body = json!({"a": null});
        let mut input = Input::object(&body, &["a"]);
        assert_eq!(input.opt_string("a", 1..=3), None);
        assert!(!input.has_any(&["a"]));
        input.finish().unwrap();
    }
}
