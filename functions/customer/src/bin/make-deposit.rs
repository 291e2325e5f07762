//! POST /customers/{customer_id}/deposits: money onto the balance.

use http_api::{serve, ApiResponse};
use order_domain::{Customer, MakeDeposit};

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    serve("make-deposit", |app, request| async move {
        let customer_id = request.uuid_parameter("customer_id", "customer")?;
        let command = MakeDeposit::from_json(&request.json()?)?;
        let outcome = app
            .execute::<Customer>(&request, &customer_id.to_string(), command.into())
            .await?;
        let body = serde_json::json!({
            "customer_id": customer_id,
            "balance_cents": outcome.state.balance_cents,
            "version": outcome.version,
        });
        Ok(ApiResponse::ok(body).etag(outcome.version))
    })
    .await
}
