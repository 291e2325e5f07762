//! POST /radars.

http_api::main!(radar_functions::commands::install_radar);
