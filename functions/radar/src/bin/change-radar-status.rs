//! PUT /radars/{radar_id}/status: ACTIVE, OUT_OF_ORDER or OFF.

use http_api::{serve, ApiResponse};
use traffic_domain::{ChangeRadarStatus, Radar};

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    serve("change-radar-status", |app, request| async move {
        let radar_id = request.uuid_parameter("radar_id", "radar")?;
        let command = ChangeRadarStatus::from_json(&request.json()?)?;
        let outcome = app
            .execute::<Radar>(&request, &radar_id.to_string(), command.into())
            .await?;
        Ok(ApiResponse::version("radar_id", radar_id, outcome.version))
    })
    .await
}
