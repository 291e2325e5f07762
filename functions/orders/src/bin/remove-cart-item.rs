//! DELETE /customers/{customer_id}/cart/items/{product_id}: a product out of the cart.

use http_api::{serve, ApiResponse};
use order_functions::cart::remove_item;
use order_views::CartView;

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    serve("remove-cart-item", |app, request| async move {
        let customer_id = request.uuid_parameter("customer_id", "customer")?;
        let product_id = request.uuid_parameter("product_id", "product")?;
        let ctx = request.command_context();
        let outcome = remove_item(
            &app.commands()?,
            customer_id,
            product_id,
            request.expected_version()?,
            &ctx,
        )
        .await?;
        let cart = CartView::of(customer_id, &outcome.state, outcome.version);
        Ok(ApiResponse::ok(cart).etag(outcome.version))
    })
    .await
}
