//! The stock's command routes: each an `async fn(&App, ApiRequest)`, which its binary serves
//! with `http_api::main!`.

use http_api::{ApiError, ApiRequest, ApiResponse, App};
use order_domain::{CreateProduct, Product, RestockProduct};
use serde_json::json;

/// POST /products: a product with its opening stock.
pub async fn create_product(app: &App, request: ApiRequest) -> Result<ApiResponse, ApiError> {
    let parse = CreateProduct::from_json;
    app.create_from_body::<Product, _>(&request, "product_id", "/inventory", parse)
        .await
}

/// POST /products/{product_id}/restock: more stock on hand.
pub async fn restock_product(app: &App, request: ApiRequest) -> Result<ApiResponse, ApiError> {
    let quantities =
        |product: &Product| json!({ "stock": product.stock, "available": product.available() });
    let product = ("product_id", "product");
    app.execute_on_path_answered(&request, product, RestockProduct::from_json, quantities)
        .await
}
