//! The stock's command routes: each an `async fn(&App, ApiRequest)`, which its binary serves
//! with `http_api::main!`.

use http_api::{ApiError, ApiRequest, ApiResponse, App};
use order_domain::{CreateProduct, Product, RestockProduct};

/// POST /products: a product with its opening stock.
pub async fn create_product(app: &App, request: ApiRequest) -> Result<ApiResponse, ApiError> {
    let product_id = uuid::Uuid::new_v4();
    let command = CreateProduct::from_json(product_id, &request.json()?)?;
    let outcome = app
        .create::<Product>(&request, &product_id.to_string(), command.into())
        .await?;
    Ok(ApiResponse::created_version(
        "product_id",
        product_id,
        format!("/inventory/{product_id}"),
        outcome.version,
    ))
}

/// POST /products/{product_id}/restock: more stock on hand.
pub async fn restock_product(app: &App, request: ApiRequest) -> Result<ApiResponse, ApiError> {
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
}
