//! POST /radars: installs a radar.

use http_api::{serve, ApiResponse};
use traffic_domain::{InstallRadar, Radar};

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    serve("install-radar", |app, request| async move {
        let radar_id = uuid::Uuid::new_v4();
        let command = InstallRadar::from_json(radar_id, &request.json()?)?;
        let outcome = app
            .create::<Radar>(&request, &radar_id.to_string(), command.into())
            .await?;
        let body = serde_json::json!({"radar_id": radar_id, "version": outcome.version});
        Ok(ApiResponse::created(body, format!("/radars/{radar_id}")).etag(outcome.version))
    })
    .await
}
