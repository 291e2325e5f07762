//! Field readers that `es_core::Input` lacks, shared by the command parsers.

use es_core::Input;

/// Reads a required field with one of `Input`'s `opt_*` readers. `None` means the field was
/// absent or invalid, and the problem is recorded either way.
///
/// `Input` only says "is required" through its required readers; `string` records it exactly
/// when the body is an object, so a non-object body keeps its single "body" problem.
pub(crate) fn required<T>(
    input: &mut Input<'_>,
    field: &str,
    read: impl FnOnce(&mut Input<'_>, &str) -> Option<T>,
) -> Option<T> {
    let value = read(input, field);
    if value.is_none() && !input.has_any(&[field]) {
        input.string(field, 0..=usize::MAX);
    }
    value
}

/// Records `problem` and drops the value when `valid` says no.
pub(crate) fn check<T>(
    input: &mut Input<'_>,
    field: &str,
    value: Option<T>,
    valid: impl FnOnce(&T) -> bool,
    problem: &str,
) -> Option<T> {
    let value = value?;
    if valid(&value) {
        Some(value)
    } else {
        input.problem(field, problem);
        None
    }
}

/// Records `problem` when a field that may not appear in this body is present.
pub(crate) fn forbid(input: &mut Input<'_>, field: &str, problem: &str) {
    if input.has_any(&[field]) {
        input.problem(field, problem);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn required_records_absence_once() {
        let body = json!({"present": "2026-01-01", "bad": "x"});
        let mut input = Input::object(&body, &["present", "bad", "absent"]);
        assert!(required(&mut input, "present", |i, f| i.opt_date(f)).is_some());
        assert!(required(&mut input, "bad", |i, f| i.opt_date(f)).is_none());
        assert!(required(&mut input, "absent", |i, f| i.opt_date(f)).is_none());
        let problems = input.finish().unwrap_err().0;
        let got: Vec<(&str, &str)> = problems
            .iter()
            .map(|p| (p.field.as_str(), p.problem.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("bad", "must be a date YYYY-MM-DD"),
                ("absent", "is required")
            ]
        );
    }

    #[test]
    fn required_adds_nothing_to_a_non_object_body() {
        let body = json!(3);
        let mut input = Input::object(&body, &["a"]);
        assert!(required(&mut input, "a", |i, f| i.opt_date(f)).is_none());
        assert_eq!(input.finish().unwrap_err().0.len(), 1);
    }
}
