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
        assert!(allowed_methods("/nothing/here").is_empty());
    }
}
