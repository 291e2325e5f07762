//! GET /orders/{order_id}: the order, its status in the saga, and its timeline.

use http_api::{serve, ApiError, ApiResponse};
use order_views::{tables::env::ORDERS_TABLE, OrderView};

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    serve("get-order", |app, request| async move {
        let order_id = request.uuid_parameter("order_id", "order")?.to_string();
        let orders = app.view::<OrderView>(ORDERS_TABLE)?;
        // The joined item holds other streams' events too: `min_version` is the order's own.
        let order = request
            .read_fresh(|| async {
                let order = orders.get(&order_id).await?.filter(OrderView::is_placed);
                Ok(order.map(|order| {
                    let version = order.order_version();
                    (order, version)
                }))
            })
            .await?
            .ok_or_else(|| ApiError::not_found("order", &order_id))?;
        let customer = order.customer_id.map(|id| id.to_string());
        request.ensure_subject(customer.as_deref(), "order", &order_id)?;
        Ok(ApiResponse::ok(order))
    })
    .await
}
