//! GET /events?type=&aggregate_type=&correlation_id=.

http_api::main!(platform_functions::queries::list_events);
