//! GET /radars/{radar_id}: one radar, with its detections count, version and last update.

use http_api::{serve, ApiError, ApiResponse};
use traffic_views::{tables::env::RADARS_TABLE, RadarView};

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    serve("get-radar", |app, request| async move {
        let radar_id = request.uuid_parameter("radar_id", "radar")?.to_string();
        let radar = app
            .read_view::<RadarView>(&request, RADARS_TABLE, &radar_id)
            .await?
            .ok_or_else(|| ApiError::not_found("radar", &radar_id))?;
        let version = radar.version;
        Ok(ApiResponse::ok(radar).etag(version))
    })
    .await
}
