//! PUT /radars/{radar_id}/speed-limit: sets the radar's `max_speed_kmh`.

use http_api::{serve, ApiResponse};
use traffic_domain::{ChangeSpeedLimit, Radar};

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    serve("change-radar-speed-limit", |app, request| async move {
        let radar_id = request.uuid_parameter("radar_id", "radar")?;
        let command = ChangeSpeedLimit::from_json(&request.json()?)?;
        let outcome = app
            .execute::<Radar>(&request, &radar_id.to_string(), command.into())
            .await?;
        Ok(ApiResponse::version("radar_id", radar_id, outcome.version))
    })
    .await
}
