//! GET /radars.

http_api::main!(radar_functions::queries::list_radars);
