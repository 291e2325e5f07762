//! PATCH /radars/{radar_id}.

http_api::main!(radar_functions::commands::change_radar_details);
