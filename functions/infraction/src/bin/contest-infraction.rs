//! POST /infractions/{infraction_id}/contest: the owner contests the infraction.

use http_api::{serve, ApiResponse};
use traffic_domain::{ContestInfraction, Infraction};

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    serve("contest-infraction", |app, request| async move {
        let infraction_id = request.uuid_parameter("infraction_id", "infraction")?;
        let command = ContestInfraction::from_json(&request.json()?)?;
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
