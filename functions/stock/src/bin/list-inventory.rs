//! GET /inventory: every product's stock, paged.

use http_api::{serve, ApiResponse};
use order_views::{tables::env::INVENTORY_TABLE, InventoryView};

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    serve("list-inventory", |app, request| async move {
        request.query_input(&[], |_| ())?;
        let page = request.page()?;
        let products = app
            .view::<InventoryView>(INVENTORY_TABLE)?
            .list(&[], page.limit, page.cursor.as_deref())
            .await?;
        Ok(ApiResponse::ok(products))
    })
    .await
}
