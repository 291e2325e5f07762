//! GET /aggregates/{aggregate_type}/{aggregate_id}/events?from_version=&to_version=.

http_api::main!(platform_functions::queries::get_aggregate_events);
