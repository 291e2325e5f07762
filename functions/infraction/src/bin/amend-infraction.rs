//! PATCH /infractions/{infraction_id}: changes the fine or the notes, until it is paid.

use traffic_domain::AmendInfraction;

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    infraction_functions::serve_command("amend-infraction", AmendInfraction::from_json).await
}
