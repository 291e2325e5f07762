//! The radar's command routes: each an `async fn(&App, ApiRequest)`, which its binary serves
//! with `http_api::main!`.

use es_core::ValidationError;
use http_api::{ApiError, ApiRequest, ApiResponse, App};
use traffic_domain::{
    ChangeRadarDetails, ChangeRadarStatus, ChangeSpeedLimit, InstallRadar, Radar, RadarCommand,
    RecordDetection,
};

use crate::detection;

/// POST /radars: installs a radar.
pub async fn install_radar(app: &App, request: ApiRequest) -> Result<ApiResponse, ApiError> {
    let radar_id = uuid::Uuid::new_v4();
    let command = InstallRadar::from_json(radar_id, &request.json()?)?;
    let outcome = app
        .create::<Radar>(&request, &radar_id.to_string(), command.into())
        .await?;
    Ok(ApiResponse::created_version(
        "radar_id",
        radar_id,
        format!("/radars/{radar_id}"),
        outcome.version,
    ))
}

/// PATCH /radars/{radar_id}: changes a radar's name, road or position.
pub async fn change_radar_details(app: &App, request: ApiRequest) -> Result<ApiResponse, ApiError> {
    change_radar(app, request, ChangeRadarDetails::from_json).await
}

/// PUT /radars/{radar_id}/speed-limit: sets the radar's `max_speed_kmh`.
pub async fn change_radar_speed_limit(
    app: &App,
    request: ApiRequest,
) -> Result<ApiResponse, ApiError> {
    change_radar(app, request, ChangeSpeedLimit::from_json).await
}

/// PUT /radars/{radar_id}/status: ACTIVE, OUT_OF_ORDER or OFF.
pub async fn change_radar_status(app: &App, request: ApiRequest) -> Result<ApiResponse, ApiError> {
    change_radar(app, request, ChangeRadarStatus::from_json).await
}

/// POST /radars/{radar_id}/detections: records a detection; an overspeed causes an infraction.
pub async fn record_detection(app: &App, request: ApiRequest) -> Result<ApiResponse, ApiError> {
    let radar_id = request.uuid_parameter("radar_id", "radar")?;
    let ctx = request.command_context();
    let detection = RecordDetection::from_json(&request.json()?, ctx.now, uuid::Uuid::new_v4())?;
    let accepted = detection::record_detection(&app.commands()?, radar_id, detection, &ctx).await?;
    Ok(ApiResponse::accepted(accepted))
}

/// A command on the radar of the path, parsed from the body: answers the radar's version.
async fn change_radar<C: Into<RadarCommand>>(
    app: &App,
    request: ApiRequest,
    parse: fn(&serde_json::Value) -> Result<C, ValidationError>,
) -> Result<ApiResponse, ApiError> {
    let radar_id = request.uuid_parameter("radar_id", "radar")?;
    let command = parse(&request.json()?)?;
    let outcome = app
        .execute::<Radar>(&request, &radar_id.to_string(), command.into())
        .await?;
    Ok(ApiResponse::version("radar_id", radar_id, outcome.version))
}
