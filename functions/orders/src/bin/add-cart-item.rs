//! POST /customers/{customer_id}/cart/items: a product into the cart, at its current price.

use http_api::{serve, ApiResponse};
use order_domain::CartItemRequest;
use order_functions::cart::add_item;
use order_views::CartView;

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    serve("add-cart-item", |app, request| async move {
        let customer_id = request.uuid_parameter("customer_id", "customer")?;
        let item = CartItemRequest::from_json(&request.json()?)?;
        let ctx = request.command_context();
        let outcome = add_item(
            &app.commands()?,
            customer_id,
            item,
            request.expected_version()?,
            &ctx,
        )
        .await?;
        let cart = CartView::of(customer_id, &outcome.state, outcome.version);
        Ok(ApiResponse::ok(cart).etag(outcome.version))
    })
    .await
}
