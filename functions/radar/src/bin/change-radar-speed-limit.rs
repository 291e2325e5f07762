//! PUT /radars/{radar_id}/speed-limit.

http_api::main!(radar_functions::commands::change_radar_speed_limit);
