//! GET /aggregates/{aggregate_type}/{aggregate_id}/state?at_version=|at_time=.

http_api::main!(platform_functions::queries::get_aggregate_state);
