//! POST /infractions/{infraction_id}/payments: pays the fine; the amount must equal it.

use http_api::{serve, ApiResponse};
use traffic_domain::{Infraction, PayInfraction};

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    serve("pay-infraction", |app, request| async move {
        let infraction_id = request.uuid_parameter("infraction_id", "infraction")?;
        let command = PayInfraction::from_json(&request.json()?)?;
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
