//! POST /infractions/{infraction_id}/contest: the owner contests the infraction.

use traffic_domain::ContestInfraction;

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    infraction_functions::serve_command("contest-infraction", ContestInfraction::from_json).await
}
