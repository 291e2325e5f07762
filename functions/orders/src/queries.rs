//! The order queries: the routes, each an `async fn(&App, ApiRequest)` which its binary
//! serves with `http_api::main!`, and what they share: the customer check, the `?status=`
//! filter of a customer's orders, the report table and the `?from=&to=` period of the
//! statistics.

use chrono::{DateTime, Utc};
use http_api::{ApiError, ApiRequest, ApiResponse, App};
use order_views::reports::ReportsTable;
use order_views::tables::env::{CARTS_TABLE, CUSTOMERS_TABLE, ORDERS_TABLE, ORDER_REPORTS_TABLE};
use order_views::tables::ORDERS_BY_CUSTOMER;
use order_views::{CartView, CustomerView, OrderView, OrderViewStatus};
use uuid::Uuid;

/// GET /customers/{customer_id}/cart: the cart's lines with their totals (a cart nobody has
/// filled yet is empty).
pub async fn get_cart(app: &App, request: ApiRequest) -> Result<ApiResponse, ApiError> {
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
}

/// GET /orders/{order_id}: the order, its status in the saga, and its timeline.
pub async fn get_order(app: &App, request: ApiRequest) -> Result<ApiResponse, ApiError> {
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
}

/// GET /customers/{customer_id}/orders?status=: the customer's orders, newest first, paged.
pub async fn list_customer_orders(app: &App, request: ApiRequest) -> Result<ApiResponse, ApiError> {
    let customer_id = request.uuid_parameter("customer_id", "customer")?;
    let status = status_filter(&request)?;
    let page = request.page()?;
    ensure_customer(app, customer_id).await?;
    let filters: Vec<(&str, &str)> = status.iter().map(|s| ("status", s.as_str())).collect();
    let orders = app
        .view::<OrderView>(ORDERS_TABLE)?
        .query(
            &ORDERS_BY_CUSTOMER,
            &customer_id.to_string(),
            &filters,
            page.limit,
            page.cursor.as_deref(),
        )
        .await?;
    Ok(ApiResponse::ok(orders))
}

/// GET /customers/{customer_id}/summary: orders, spending and favourite products, from the
/// customer's counters in the report table (one read, whatever the number of orders).
pub async fn get_customer_summary(app: &App, request: ApiRequest) -> Result<ApiResponse, ApiError> {
    let customer_id = request.uuid_parameter("customer_id", "customer")?;
    request.query_input(&[], |_| ())?;
    ensure_customer(app, customer_id).await?;
    let summary = reports(app)?.customer_summary(customer_id).await?;
    Ok(ApiResponse::ok(summary))
}

/// GET /statistics/orders?from=&to=: orders placed in the period, by status, and the revenue,
/// summed from the time buckets of the report table (at most 7 queries, whatever the number of
/// orders).
pub async fn get_order_statistics(app: &App, request: ApiRequest) -> Result<ApiResponse, ApiError> {
    let period = Period::from_query(&request)?;
    let statistics = reports(app)?.statistics(period.from, period.to).await?;
    Ok(ApiResponse::ok(statistics))
}

/// 404 unless the customer is known to the customer view.
pub async fn ensure_customer(app: &App, customer_id: Uuid) -> Result<(), ApiError> {
    let id = customer_id.to_string();
    match app.view::<CustomerView>(CUSTOMERS_TABLE)?.get(&id).await? {
        Some(_) => Ok(()),
        None => Err(ApiError::not_found("customer", &id)),
    }
}

/// `?status=` of `GET /customers/{customer_id}/orders`, checked.
pub fn status_filter(request: &ApiRequest) -> Result<Option<OrderViewStatus>, ApiError> {
    request.query_input(&["status"], |input| {
        input.opt_one_of("status", OrderViewStatus::ALL)
    })
}

/// The report table (`ORDER_REPORTS_TABLE`): the counters behind the summary and the
/// statistics.
pub fn reports(app: &App) -> Result<ReportsTable, ApiError> {
    Ok(ReportsTable::new(
        app.dynamodb.clone(),
        app.table(ORDER_REPORTS_TABLE)?,
    ))
}

/// `?from=&to=` of `GET /statistics/orders`: RFC 3339 times, `from` inclusive, `to`
/// exclusive, each optional.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Period {
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
}

impl Period {
    pub fn from_query(request: &ApiRequest) -> Result<Self, ApiError> {
        let period = request.query_input(&["from", "to"], |input| {
            let from = input.opt_time("from");
            let to = input.opt_time("to");
            if let (Some(from), Some(to)) = (from, to) {
                if from > to {
                    input.problem("to", "must not be before from");
                }
            }
            Self { from, to }
        })?;
        Ok(period)
    }
}
