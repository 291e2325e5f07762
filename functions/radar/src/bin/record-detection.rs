//! POST /radars/{radar_id}/detections: records a detection; an overspeed causes an infraction.

use http_api::{serve, ApiResponse};
use radar_functions::detection::record_detection;
use traffic_domain::RecordDetection;

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    serve("record-detection", |app, request| async move {
        let radar_id = request.uuid_parameter("radar_id", "radar")?;
        let ctx = request.command_context();
        let detection =
            RecordDetection::from_json(&request.json()?, ctx.now, uuid::Uuid::new_v4())?;
        let accepted = record_detection(&app.commands()?, radar_id, detection, &ctx).await?;
        Ok(ApiResponse::accepted(accepted))
    })
    .await
}
