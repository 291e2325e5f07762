//! POST /infractions/{infraction_id}/payments: pays the fine; the amount must equal it.

use traffic_domain::PayInfraction;

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    infraction_functions::serve_command("pay-infraction", PayInfraction::from_json).await
}
