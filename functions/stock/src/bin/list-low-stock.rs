//! GET /inventory/low-stock: the products whose `available <= reorder_level`, paged (read from
//! the sparse `low_stock` index, which holds only those).

use http_api::{serve, ApiResponse};
use order_views::tables::{env::INVENTORY_TABLE, LOW, LOW_STOCK};
use order_views::InventoryView;

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    serve("list-low-stock", |app, request| async move {
        request.query_input(&[], |_| ())?;
        let page = request.page()?;
        let products = app
            .view::<InventoryView>(INVENTORY_TABLE)?
            .query(&LOW_STOCK, LOW, &[], page.limit, page.cursor.as_deref())
            .await?;
        Ok(ApiResponse::ok(products))
    })
    .await
}
