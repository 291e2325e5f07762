//! PATCH /infractions/{infraction_id}: changes the fine or the notes, until it is paid.

use http_api::{serve, ApiResponse};
use traffic_domain::{AmendInfraction, Infraction};

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    serve("amend-infraction", |app, request| async move {
        let infraction_id = request.uuid_parameter("infraction_id", "infraction")?;
        let command = AmendInfraction::from_json(&request.json()?)?;
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
