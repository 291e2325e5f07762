//! Which service publishes which aggregate type: the EventBridge `source` of its events.
//!
//! The one place that knows it. The publisher stamps it on every event and the rules of the
//! template route on it, so a second copy could only drift.

/// The `source` of events whose aggregate type no service claims (yet).
///
/// They are still published (under this name no rule listens to), not held back: one event of
/// a new type must not stop the whole stream behind it, and an archive or a catch-all rule can
/// still see it. The publisher logs a warning for each.
pub const UNKNOWN_SERVICE: &str = "unknown-service";

/// The services of both business systems, by aggregate type (the contract's names).
const SERVICES: &[(&str, &str)] = &[
    ("radar", "radar-service"),
    ("owner", "registration-service"),
    ("vehicle", "registration-service"),
    ("infraction", "infraction-service"),
    ("product", "stock-service"),
    ("customer", "customer-service"),
    ("cart", "order-service"),
    ("order", "order-service"),
];

/// The service that owns `aggregate_type`, if any does.
pub fn known_service(aggregate_type: &str) -> Option<&'static str> {
    SERVICES
        .iter()
        .find(|(kind, _)| *kind == aggregate_type)
        .map(|(_, service)| *service)
}

/// The EventBridge `source` for events of `aggregate_type`; [`UNKNOWN_SERVICE`] when no
/// service owns it.
pub fn service_for(aggregate_type: &str) -> &'static str {
    known_service(aggregate_type).unwrap_or(UNKNOWN_SERVICE)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_contract_names() {
        assert_eq!(service_for("radar"), "radar-service");
        assert_eq!(service_for("owner"), "registration-service");
        assert_eq!(service_for("vehicle"), "registration-service");
        assert_eq!(service_for("infraction"), "infraction-service");
        assert_eq!(service_for("product"), "stock-service");
        assert_eq!(service_for("customer"), "customer-service");
        assert_eq!(service_for("cart"), "order-service");
        assert_eq!(service_for("order"), "order-service");
    }

    #[test]
    fn unknown_types_fall_back() {
        assert_eq!(known_service("invoice"), None);
        assert_eq!(service_for("invoice"), UNKNOWN_SERVICE);
        assert_eq!(service_for(""), UNKNOWN_SERVICE);
        assert_eq!(service_for("Radar"), UNKNOWN_SERVICE);
    }
}
