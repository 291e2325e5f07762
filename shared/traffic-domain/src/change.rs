//! What a partial update (a PATCH) actually changes: only the fields whose new value differs
//! from the current one are recorded, so a PATCH that changes nothing records nothing.

/// `new` if it is given and differs from `current`.
pub(crate) fn changed<T: Clone + PartialEq>(new: &Option<T>, current: &T) -> Option<T> {
    new.as_ref().filter(|new| *new != current).cloned()
}

/// `new` if it is given and differs from an optional `current` (a `None` is never set back).
pub(crate) fn changed_opt<T: Clone + PartialEq>(new: &Option<T>, current: &Option<T>) -> Option<T> {
    new.as_ref()
        .filter(|new| Some(*new) != current.as_ref())
        .cloned()
}
