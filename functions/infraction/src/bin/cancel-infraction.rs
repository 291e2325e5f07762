//! POST /infractions/{infraction_id}/cancel: cancels an infraction that is not paid.

use http_api::{serve, ApiResponse};
use traffic_domain::{CancelInfraction, Infraction};

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    serve("cancel-infraction", |app, request| async move {
        let infraction_id = request.uuid_parameter("infraction_id", "infraction")?;
        let command = CancelInfraction::from_json(&request.json()?)?;
        let outcome = app
            .execute::<Infraction>(&request, &infraction_id.to_string(), command.into())
            .await?;
        Ok(ApiResponse::version(
            "infraction_id",
            infraction_id,
            outcome.version,
        ))
    })
    .await
}
