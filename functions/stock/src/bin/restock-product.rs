//! POST /products/{product_id}/restock: more stock on hand.

use http_api::{serve, ApiResponse};
use order_domain::{Product, RestockProduct};

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    serve("restock-product", |app, request| async move {
        let product_id = request.uuid_parameter("product_id", "product")?;
        let command = RestockProduct::from_json(&request.json()?)?;
        let outcome = app
            .execute::<Product>(&request, &product_id.to_string(), command.into())
            .await?;
        let body = serde_json::json!({
            "product_id": product_id,
            "stock": outcome.state.stock,
            "available": outcome.state.available(),
            "version": outcome.version,
        });
        Ok(ApiResponse::ok(body).etag(outcome.version))
    })
    .await
}
