//! The routes of the HTTP API, for the fallback that answers requests no route matched:
//! 405 when the path exists with other methods, 404 otherwise. `template.yaml` declares the
//! same routes; a test keeps the two in step.

pub const ROUTES: &[(&str, &str)] = &[
    ("POST", "/radars"),
    ("GET", "/radars"),
    ("PATCH", "/radars/{radar_id}"),
    ("GET", "/radars/{radar_id}"),
    ("PUT", "/radars/{radar_id}/speed-limit"),
    ("PUT", "/radars/{radar_id}/status"),
    ("POST", "/radars/{radar_id}/detections"),
    ("GET", "/radars/{radar_id}/events"),
    ("POST", "/owners"),
    ("GET", "/owners"),
    ("PATCH", "/owners/{owner_id}"),
    ("GET", "/owners/{owner_id}"),
    ("GET", "/owners/{owner_id}/infractions"),
    ("POST", "/vehicles"),
    ("GET", "/vehicles"),
    ("PATCH", "/vehicles/{plate}"),
    ("GET", "/vehicles/{plate}"),
    ("PUT", "/vehicles/{plate}/owner"),
    ("POST", "/infractions/{infraction_id}/payments"),
    ("POST", "/infractions/{infraction_id}/contest"),
    ("POST", "/infractions/{infraction_id}/cancel"),
    ("PATCH", "/infractions/{infraction_id}"),
    ("GET", "/infractions/{infraction_id}"),
    ("GET", "/infractions"),
    ("POST", "/products"),
    ("POST", "/products/{product_id}/restock"),
    ("GET", "/inventory"),
    ("GET", "/inventory/{product_id}"),
    ("GET", "/inventory/low-stock"),
    ("POST", "/customers"),
    ("POST", "/customers/{customer_id}/deposits"),
    ("GET", "/customers/{customer_id}"),
    ("POST", "/customers/{customer_id}/cart/items"),
    ("DELETE", "/customers/{customer_id}/cart/items/{product_id}"),
    ("POST", "/customers/{customer_id}/cart/checkout"),
    ("GET", "/customers/{customer_id}/cart"),
    ("GET", "/orders/{order_id}"),
    ("GET", "/customers/{customer_id}/orders"),
    ("GET", "/customers/{customer_id}/summary"),
    ("GET", "/statistics/orders"),
    ("GET", "/events"),
    ("GET", "/aggregates/{aggregate_type}/{aggregate_id}/events"),
    ("GET", "/aggregates/{aggregate_type}/{aggregate_id}/state"),
];

/// Whether `path` matches a route template (`{name}` stands for one non-empty segment).
pub fn matches(template: &str, path: &str) -> bool {
    let mut template = template.trim_end_matches('/').split('/');
    let mut path = path.trim_end_matches('/').split('/');
    loop {
        match (template.next(), path.next()) {
            (None, None) => return true,
            (Some(t), Some(p)) if t.starts_with('{') && t.ends_with('}') && !p.is_empty() => {}
            (Some(t), Some(p)) if t == p => {}
            _ => return false,
        }
    }
}

/// The methods the API serves on `path`, sorted; empty when no route has that path.
pub fn allowed_methods(path: &str) -> Vec<&'static str> {
    let mut methods: Vec<&str> = ROUTES
        .iter()
        .filter(|(_, template)| matches(template, path))
        .map(|(method, _)| *method)
        .collect();
    methods.sort_unstable();
    methods.dedup();
    methods
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_match_one_segment() {
        assert!(matches("/radars/{radar_id}", "/radars/abc"));
        assert!(matches("/radars/{radar_id}", "/radars/abc/"));
        assert!(!matches("/radars/{radar_id}", "/radars"));
        assert!(!matches("/radars/{radar_id}", "/radars/abc/status"));
        assert!(!matches("/radars", "/owners"));
    }

    #[test]
    fn allowed_methods_of_known_and_unknown_paths() {
        assert_eq!(allowed_methods("/radars"), ["GET", "POST"]);
        assert_eq!(allowed_methods("/radars/r1"), ["GET", "PATCH"]);
        assert_eq!(allowed_methods("/infractions/i1/payments"), ["POST"]);
        assert_eq!(allowed_methods("/customers/c1/cart/items/p1"), ["DELETE"]);
        assert_eq!(allowed_methods("/customers/c1/cart/items"), ["POST"]);
        assert_eq!(allowed_methods("/customers/c1"), ["GET"]);
        assert_eq!(allowed_methods("/inventory/low-stock"), ["GET"]);
        assert_eq!(allowed_methods("/products"), ["POST"]);
        assert!(allowed_methods("/nothing/here").is_empty());
    }
}
