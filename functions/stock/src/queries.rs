//! The stock's query routes: each an `async fn(&App, ApiRequest)`, which its binary serves
//! with `http_api::main!`.

use http_api::{ApiError, ApiRequest, ApiResponse, App};
use order_views::tables::{env::INVENTORY_TABLE, LOW, LOW_STOCK};
use order_views::InventoryView;

/// GET /inventory/{product_id}: a product's stock, reserved and available quantities.
pub async fn get_inventory(app: &App, request: ApiRequest) -> Result<ApiResponse, ApiError> {
    app.get_view::<InventoryView>(&request, INVENTORY_TABLE, ("product_id", "product"))
        .await
}

/// GET /inventory: every product's stock, paged.
pub async fn list_inventory(app: &App, request: ApiRequest) -> Result<ApiResponse, ApiError> {
    let products = app
        .list_view::<InventoryView>(&request, INVENTORY_TABLE)
        .await?;
    Ok(ApiResponse::ok(products))
}

/// GET /inventory/low-stock: the products whose `available <= reorder_level`, paged (read from
/// the sparse `low_stock` index, which holds only those).
pub async fn list_low_stock(app: &App, request: ApiRequest) -> Result<ApiResponse, ApiError> {
    request.query_input(&[], |_| ())?;
    let page = request.page()?;
    let products = app
        .view::<InventoryView>(INVENTORY_TABLE)?
        .query(&LOW_STOCK, LOW, &[], page.limit, page.cursor.as_deref())
        .await?;
    Ok(ApiResponse::ok(products))
}
