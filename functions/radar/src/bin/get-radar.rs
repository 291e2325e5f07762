//! GET /radars/{radar_id}.

http_api::main!(radar_functions::queries::get_radar);
