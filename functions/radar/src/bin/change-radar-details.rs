//! PATCH /radars/{radar_id}: changes a radar's name, road or position.

use http_api::{serve, ApiResponse};
use traffic_domain::{ChangeRadarDetails, Radar};

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    serve("change-radar-details", |app, request| async move {
        let radar_id = request.uuid_parameter("radar_id", "radar")?;
        let command = ChangeRadarDetails::from_json(&request.json()?)?;
        let outcome = app
            .execute::<Radar>(&request, &radar_id.to_string(), command.into())
            .await?;
        Ok(ApiResponse::version("radar_id", radar_id, outcome.version))
    })
    .await
}
