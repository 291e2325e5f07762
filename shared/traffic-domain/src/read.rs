//! Field readers that `es_core::Input` lacks, shared by the command parsers.

use es_core::Input;

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
