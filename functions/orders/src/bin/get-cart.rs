//! GET /customers/{customer_id}/cart: the cart's lines with their totals (a cart nobody has
//! filled yet is empty).

use http_api::{serve, ApiResponse};
use order_views::{tables::env::CARTS_TABLE, CartView};

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    serve("get-cart", |app, request| async move {
        let customer_id = request.uuid_parameter("customer_id", "customer")?;
        let cart = app
            .read_view::<CartView>(&request, CARTS_TABLE, &customer_id.to_string())
            .await?
            .unwrap_or_else(|| CartView {
                customer_id,
                ..CartView::default()
            });
        let version = cart.version;
        Ok(ApiResponse::ok(cart).etag(version))
    })
    .await
}
