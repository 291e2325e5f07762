//! POST /products: a product with its opening stock.

use http_api::{serve, ApiResponse};
use order_domain::{CreateProduct, Product};

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    serve("create-product", |app, request| async move {
        let product_id = uuid::Uuid::new_v4();
        let command = CreateProduct::from_json(product_id, &request.json()?)?;
        let outcome = app
            .create::<Product>(&request, &product_id.to_string(), command.into())
            .await?;
        let body = serde_json::json!({"product_id": product_id, "version": outcome.version});
        Ok(ApiResponse::created(body, format!("/inventory/{product_id}")).etag(outcome.version))
    })
    .await
}
