//! POST /customers/{customer_id}/cart/checkout: the cart becomes a PENDING order, and the
//! saga starts (202: the order settles asynchronously, under this request's correlation id).

use http_api::{serve, ApiResponse};
use order_functions::cart::checkout;

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    serve("checkout-cart", |app, request| async move {
        let customer_id = request.uuid_parameter("customer_id", "customer")?;
        // A checkout takes no body; a malformed one is still refused.
        request.json()?;
        let ctx = request.command_context();
        let order_id = uuid::Uuid::new_v4();
        let checked_out = checkout(
            &app.commands()?,
            customer_id,
            order_id,
            request.expected_version()?,
            &ctx,
        )
        .await?;
        let location = format!("/orders/{order_id}");
        Ok(
            ApiResponse::accepted(checked_out)
                .header(lambda_http::http::header::LOCATION, location),
        )
    })
    .await
}
