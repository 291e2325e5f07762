//! Field readers that `es_core::Input` lacks, shared by the command parsers.

use es_core::Input;
use std::ops::RangeInclusive;

const EMAIL_LEN: RangeInclusive<usize> = 1..=254;
pub(crate) const EMAIL_PROBLEM: &str = "must be an email address like name@example.com";

/// Reads a required field with one of `Input`'s `opt_*` readers; the problem is recorded
/// whether the field is absent or invalid.
pub(crate) fn required<T>(
    input: &mut Input<'_>,
    field: &str,
    read: impl FnOnce(&mut Input<'_>, &str) -> Option<T>,
) -> Option<T> {
    let value = read(input, field);
    if value.is_none() && !input.has_any(&[field]) {
        // `string` records "is required" only when the body is an object.
        input.string(field, 0..=usize::MAX);
    }
    value
}

/// A required email address, with the same rule as a traffic owner's email.
pub(crate) fn email(input: &mut Input<'_>) -> Option<String> {
    let field = "email";
    let email = required(input, field, |i, f| i.opt_string(f, EMAIL_LEN))?;
    if is_email(&email) {
        Some(email)
    } else {
        input.problem(field, EMAIL_PROBLEM);
        None
    }
}

/// Deliberately loose: only catches what is obviously not an address.
pub(crate) fn is_email(email: &str) -> bool {
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

#[cfg(test)]
mod tests {
    use super::is_email;

    #[test]
    fn email_shapes() {
        for good in ["a@b.co", "first.last+tag@mail.example.org", "x@y.z"] {
            assert!(is_email(good), "{good}");
        }
        for bad in [
            "plain", "@b.co", "a@b", "a@.b", "a@b.", "a@@b.co", "a@b@c.co", "a b@c.co", "a@b\t.co",
        ] {
            assert!(!is_email(bad), "{bad}");
        }
    }
}
