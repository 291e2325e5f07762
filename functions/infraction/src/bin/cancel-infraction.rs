//! POST /infractions/{infraction_id}/cancel: cancels an infraction that is not paid.

use traffic_domain::CancelInfraction;

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    infraction_functions::serve_command("cancel-infraction", CancelInfraction::from_json).await
}
