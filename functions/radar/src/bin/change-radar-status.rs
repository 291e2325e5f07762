//! PUT /radars/{radar_id}/status.

http_api::main!(radar_functions::commands::change_radar_status);
