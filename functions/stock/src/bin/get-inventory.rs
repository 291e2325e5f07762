//! GET /inventory/{product_id}: a product's stock, reserved and available quantities.

use http_api::{serve, ApiError, ApiResponse};
use order_views::{tables::env::INVENTORY_TABLE, InventoryView};

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    serve("get-inventory", |app, request| async move {
        let product_id = request.uuid_parameter("product_id", "product")?.to_string();
        let product = app
            .read_view::<InventoryView>(&request, INVENTORY_TABLE, &product_id)
            .await?
            .ok_or_else(|| ApiError::not_found("product", &product_id))?;
        let version = product.version;
        Ok(ApiResponse::ok(product).etag(version))
    })
    .await
}
