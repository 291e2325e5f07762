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

/// The one event recording that `new` replaces `current` (given both, so it can keep the
/// previous value), or nothing when they are the same: setting a value again is harmless.
pub(crate) fn replaced<T: PartialEq, E>(
    new: T,
    current: T,
    event: impl FnOnce(T, T) -> E,
) -> Vec<E> {
    if new == current {
        Vec::new()
    } else {
        vec![event(new, current)]
    }
}
