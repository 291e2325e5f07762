//! POST /radars/{radar_id}/detections.

http_api::main!(radar_functions::commands::record_detection);
