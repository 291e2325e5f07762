//! The radar's command routes: each an `async fn(&App, ApiRequest)`, which its binary serves
//! with `http_api::main!`.

use http_api::{ApiError, ApiRequest, ApiResponse, App};
use traffic_domain::{
    ChangeRadarDetails, ChangeRadarStatus, ChangeSpeedLimit, InstallRadar, Radar, RecordDetection,
};

use crate::detection;

/// The radar of the path: its parameter, and what a 404 calls it.
const RADAR_ID: (&str, &str) = ("radar_id", "radar");

/// POST /radars: installs a radar.
pub async fn install_radar(app: &App, request: ApiRequest) -> Result<ApiResponse, ApiError> {
    app.create_from_body::<Radar, _>(&request, "radar_id", "/radars", InstallRadar::from_json)
        .await
}

/// PATCH /radars/{radar_id}: changes a radar's name, road or position.
pub async fn change_radar_details(app: &App, request: ApiRequest) -> Result<ApiResponse, ApiError> {
    app.execute_on_path::<Radar, _>(&request, RADAR_ID, ChangeRadarDetails::from_json)
        .await
}

/// PUT /radars/{radar_id}/speed-limit: sets the radar's `max_speed_kmh`.
pub async fn change_radar_speed_limit(
    app: &App,
    request: ApiRequest,
) -> Result<ApiResponse, ApiError> {
    app.execute_on_path::<Radar, _>(&request, RADAR_ID, ChangeSpeedLimit::from_json)
        .await
}

/// PUT /radars/{radar_id}/status: ACTIVE, OUT_OF_ORDER or OFF.
pub async fn change_radar_status(app: &App, request: ApiRequest) -> Result<ApiResponse, ApiError> {
    app.execute_on_path::<Radar, _>(&request, RADAR_ID, ChangeRadarStatus::from_json)
        .await
}

/// POST /radars/{radar_id}/detections: records a detection; an overspeed causes an infraction.
pub async fn record_detection(app: &App, request: ApiRequest) -> Result<ApiResponse, ApiError> {
    let radar_id = request.uuid_parameter("radar_id", "radar")?;
    let ctx = request.command_context();
    let detection = RecordDetection::from_json(&request.json()?, ctx.now, uuid::Uuid::new_v4())?;
    let accepted = detection::record_detection(&app.commands()?, radar_id, detection, &ctx).await?;
    Ok(ApiResponse::accepted(accepted))
}
