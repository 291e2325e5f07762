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

/// The largest version (or version-like count) the API accepts: 2^53 - 1, the largest integer
/// every JSON reader keeps exact.
pub const MAX_VERSION: u64 = (1 << 53) - 1;

/// What an email that [`is_email`] refuses is told.
pub const EMAIL_PROBLEM: &str = "must be an email address like name@example.com";
const EMAIL_LENGTH: RangeInclusive<usize> = 1..=254;

/// Deliberately loose: the only way to know an address works is to write to it, so this only
/// catches what is obviously not an address.
pub fn is_email(email: &str) -> bool {
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !email.chars().any(char::is_whitespace)
}

/// A JSON number that is an integer, as JSON Schema counts them: `80` and `80.0` alike (some
/// clients write every number with a fraction); `80.5`, or one outside `i64`, is not.
fn integer_of(value: &Value) -> Option<i64> {
    const BOUND: f64 = 9_223_372_036_854_775_808.0; // 2^63
    value.as_i64().or_else(|| {
        value
            .as_f64()
            .filter(|f| f.fract() == 0.0 && (-BOUND..BOUND).contains(f))
            .map(|f| f as i64)
    })
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

    /// The body of a command that has one field, `field`, read by `read` (e.g.
    /// `|input, field| input.uuid(field)`): the object check, the read and [`Input::finish`]
    /// that every such command's parser would otherwise repeat.
    pub fn single_field<T>(
        body: &'a Value,
        field: &str,
        read: impl FnOnce(&mut Self, &str) -> T,
    ) -> Result<T, ValidationError> {
        let mut input = Self::object(body, &[field]);
        let value = read(&mut input, field);
        input.finish()?;
        Ok(value)
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

    /// What a `PATCH` body must do: change at least one of `fields`. Recorded as a problem of
    /// the `body` naming them all; a body that is not an object already has its problem.
    pub fn require_any(&mut self, fields: &[&str]) {
        if self.fields.is_some() && !self.has_any(fields) {
            let problem = format!("must change at least one of {}", fields.join(", "));
            self.problem("body", problem);
        }
    }

    fn get(&self, field: &str) -> Option<&'a Value> {
        self.fields?.get(field).filter(|v| !v.is_null())
    }

    /// The field converted by `convert`, which every `opt_*` reader starts with: `None` when
    /// it is absent, and `problem` recorded when it is present but `convert` refuses it.
    fn read_as<T>(
        &mut self,
        field: &str,
        problem: impl Into<String>,
        convert: impl FnOnce(&'a Value) -> Option<T>,
    ) -> Option<T> {
        let value = self.get(field)?;
        let converted = convert(value);
        if converted.is_none() {
            self.problem(field, problem);
        }
        converted
    }

    fn missing(&mut self, field: &str) {
        if self.fields.is_some() {
            self.problem(field, "is required");
        }
    }

    /// A required field read with one of the `opt_*` readers: `None` means it was absent or
    /// invalid, and the problem is recorded either way ("is required" only for an object body,
    /// so a body that is not an object keeps its single "body" problem).
    pub fn required<T>(
        &mut self,
        field: &str,
        read: impl FnOnce(&mut Self, &str) -> Option<T>,
    ) -> Option<T> {
        let value = read(self, field);
        if value.is_none() && self.get(field).is_none() {
            self.missing(field);
        }
        value
    }

    /// A field read with one of the `opt_*` readers, and [`Input::required`] if `is_required`:
    /// for parsers that read the same fields for a creation, which requires them, and for a
    /// `PATCH`, which does not.
    pub fn required_if<T>(
        &mut self,
        field: &str,
        is_required: bool,
        read: impl FnOnce(&mut Self, &str) -> Option<T>,
    ) -> Option<T> {
        if is_required {
            self.required(field, read)
        } else {
            read(self, field)
        }
    }

    /// A required field read with one of the `opt_*` readers, or a placeholder (`Default`) when
    /// it is absent or invalid: the problem is recorded, so [`Input::finish`] never lets the
    /// placeholder escape.
    fn or_placeholder<T: Default>(
        &mut self,
        field: &str,
        read: impl FnOnce(&mut Self, &str) -> Option<T>,
    ) -> T {
        self.required(field, read).unwrap_or_default()
    }

    /// An email address (1 to 254 characters, checked by [`is_email`]).
    pub fn opt_email(&mut self, field: &str) -> Option<String> {
        let email = self.opt_string(field, EMAIL_LENGTH)?;
        if is_email(&email) {
            Some(email)
        } else {
            self.problem(field, EMAIL_PROBLEM);
            None
        }
    }

    /// A required email address.
    pub fn email(&mut self, field: &str) -> Option<String> {
        self.required(field, |input, field| input.opt_email(field))
    }

    /// A string of `len` characters once trimmed.
    pub fn string(&mut self, field: &str, len: RangeInclusive<usize>) -> String {
        self.or_placeholder(field, |input, field| input.opt_string(field, len))
    }

    pub fn opt_string(&mut self, field: &str, len: RangeInclusive<usize>) -> Option<String> {
        let text = self
            .read_as(field, "must be a string", Value::as_str)?
            .trim();
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
        self.or_placeholder(field, |input, field| input.opt_int(field, range))
    }

    pub fn opt_int(&mut self, field: &str, range: RangeInclusive<i64>) -> Option<i64> {
        let n = self.read_as(field, "must be an integer", integer_of)?;
        self.within(field, n, &range)
    }

    /// `n` if it is within `range`, else the problem is recorded.
    fn within<T: PartialOrd + std::fmt::Display>(
        &mut self,
        field: &str,
        n: T,
        range: &RangeInclusive<T>,
    ) -> Option<T> {
        if range.contains(&n) {
            return Some(n);
        }
        let problem = format!("must be between {} and {}", range.start(), range.end());
        self.problem(field, problem);
        None
    }

    /// A number within `range`.
    pub fn number(&mut self, field: &str, range: RangeInclusive<f64>) -> f64 {
        self.or_placeholder(field, |input, field| input.opt_number(field, range))
    }

    pub fn opt_number(&mut self, field: &str, range: RangeInclusive<f64>) -> Option<f64> {
        let n = self.read_as(field, "must be a number", Value::as_f64)?;
        self.within(field, n, &range)
    }

    /// An RFC 3339 time, converted to UTC.
    pub fn time(&mut self, field: &str) -> DateTime<Utc> {
        self.or_placeholder(field, Self::opt_time)
    }

    pub fn opt_time(&mut self, field: &str) -> Option<DateTime<Utc>> {
        self.read_as(
            field,
            "must be an RFC 3339 time, e.g. 2026-11-22T10:15:00.123Z",
            |value| value.as_str().and_then(crate::time::parse),
        )
    }

    /// A calendar date `YYYY-MM-DD`.
    pub fn date(&mut self, field: &str) -> NaiveDate {
        self.or_placeholder(field, Self::opt_date)
    }

    pub fn opt_date(&mut self, field: &str) -> Option<NaiveDate> {
        self.read_as(field, "must be a date YYYY-MM-DD", |value| {
            value
                .as_str()
                .and_then(|s| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok())
        })
    }

    /// A UUID.
    pub fn uuid(&mut self, field: &str) -> uuid::Uuid {
        self.or_placeholder(field, Self::opt_uuid)
    }

    /// A stream version (or a count like it) of at least `min`, given as a JSON integer or, in
    /// a query string, as its digits. At most [`MAX_VERSION`], so that arithmetic on it
    /// never overflows and it survives a JSON round trip.
    pub fn opt_version(&mut self, field: &str, min: u64) -> Option<u64> {
        let problem = format!("must be an integer between {min} and {MAX_VERSION}");
        self.read_as(field, problem, |value| {
            match value {
                Value::String(text) => text.parse::<u64>().ok(),
                other => integer_of(other).and_then(|n| u64::try_from(n).ok()),
            }
            .filter(|n| (min..=MAX_VERSION).contains(n))
        })
    }

    pub fn opt_uuid(&mut self, field: &str) -> Option<uuid::Uuid> {
        self.read_as(field, "must be a UUID", |value| {
            value.as_str().and_then(|s| uuid::Uuid::parse_str(s).ok())
        })
    }

    /// One of a fixed set of names, e.g. a status: `choices` are the values (an enum's
    /// `strum::VariantArray::VARIANTS`), each named by its `Into<&str>` (strum's
    /// `IntoStaticStr`, which the enums derive with the same names as serde).
    pub fn one_of<T: Copy + Default + Into<&'static str>>(
        &mut self,
        field: &str,
        choices: &[T],
    ) -> T {
        self.or_placeholder(field, |input, field| input.opt_one_of(field, choices))
    }

    pub fn opt_one_of<T: Copy + Into<&'static str>>(
        &mut self,
        field: &str,
        choices: &[T],
    ) -> Option<T> {
        let names: Vec<&str> = choices.iter().map(|choice| (*choice).into()).collect();
        self.read_as(
            field,
            format!("must be one of {}", names.join(", ")),
            |value| {
                let name = value.as_str()?;
                choices
                    .iter()
                    .find(|choice| (**choice).into() == name)
                    .copied()
            },
        )
    }
}

/// Declares a command whose request body is one field, named like the command's one field,
/// and its `from_json`, which reads that field with `read` through [`Input::single_field`]:
///
/// ```
/// es_core::single_field_command! {
///     /// `PUT /lamps/{id}/brightness`
///     #[derive(Debug, PartialEq)]
///     pub struct SetBrightness {
///         pub percent: u8 = |input, field| input.int(field, 0..=100) as u8
///     }
/// }
///
/// let body = serde_json::json!({"percent": 40});
/// assert_eq!(SetBrightness::from_json(&body), Ok(SetBrightness { percent: 40 }));
/// assert!(SetBrightness::from_json(&serde_json::json!({"percent": 101})).is_err());
/// ```
#[macro_export]
macro_rules! single_field_command {
    (
        $(#[$meta:meta])*
        $vis:vis struct $name:ident {
            $(#[$field_meta:meta])*
            $field_vis:vis $field:ident: $ty:ty = $read:expr
        }
    ) => {
        $(#[$meta])*
        $vis struct $name {
            $(#[$field_meta])*
            $field_vis $field: $ty,
        }

        impl $name {
            pub fn from_json(
                body: &::serde_json::Value,
            ) -> ::std::result::Result<Self, $crate::ValidationError> {
                let $field = $crate::Input::single_field(body, stringify!($field), $read)?;
                Ok(Self { $field })
            }
        }
    };
}

#[cfg(test)]
mod tests;
