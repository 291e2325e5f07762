//! GET /radars/{radar_id}/events.

http_api::main!(radar_functions::queries::list_radar_events);
