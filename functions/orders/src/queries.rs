//! Reading orders: a customer's orders (the `by_customer` index, newest first), and the orders
//! placed in a period (a scan filtered on `placed_at`), for the summary and the statistics.

use aws_sdk_dynamodb::types::AttributeValue;
use chrono::{DateTime, Utc};
use http_api::{ApiError, ApiRequest, App};
use order_views::tables::env::{CUSTOMERS_TABLE, ORDERS_TABLE};
use order_views::tables::ORDERS_BY_CUSTOMER;
use order_views::{CustomerView, OrderView, OrderViewStatus};
use projection::{ViewTable, MAX_PAGE_SIZE};
use uuid::Uuid;

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
    let statuses: Vec<(&str, OrderViewStatus)> = OrderViewStatus::ALL
        .iter()
        .map(|s| (s.as_str(), *s))
        .collect();
    request.query_input(&["status"], |input| input.opt_one_of("status", &statuses))
}

/// Every order of a customer, newest first.
pub async fn all_orders_of(app: &App, customer_id: Uuid) -> Result<Vec<OrderView>, ApiError> {
    let table = app.view::<OrderView>(ORDERS_TABLE)?;
    let customer = customer_id.to_string();
    let mut orders = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let page = table
            .query(
                &ORDERS_BY_CUSTOMER,
                &customer,
                &[],
                MAX_PAGE_SIZE,
                cursor.as_deref(),
            )
            .await?;
        orders.extend(page.items);
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => return Ok(orders),
        }
    }
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

    fn text(at: Option<DateTime<Utc>>) -> Option<String> {
        at.as_ref().map(es_core::time::format)
    }

    pub fn from_text(&self) -> Option<String> {
        Self::text(self.from)
    }

    pub fn to_text(&self) -> Option<String> {
        Self::text(self.to)
    }
}

/// Every placed order whose `placed_at` is in `period`. `placed_at` is stored in one fixed
/// format (UTC, milliseconds), so text comparison is time comparison.
pub async fn orders_placed_in(
    table: &ViewTable<OrderView>,
    period: Period,
) -> Result<Vec<OrderView>, ApiError> {
    let mut conditions = vec!["attribute_exists(#placed_at)".to_owned()];
    let mut request = table
        .client()
        .scan()
        .table_name(table.name())
        .expression_attribute_names("#placed_at", "placed_at");
    if let Some(from) = period.from_text() {
        conditions.push("#placed_at >= :from".into());
        request = request.expression_attribute_values(":from", AttributeValue::S(from));
    }
    if let Some(to) = period.to_text() {
        conditions.push("#placed_at < :to".into());
        request = request.expression_attribute_values(":to", AttributeValue::S(to));
    }
    let request = request.filter_expression(conditions.join(" AND "));
    let mut orders = Vec::new();
    let mut start = None;
    loop {
        let page = request
            .clone()
            .set_exclusive_start_key(start)
            .send()
            .await
            .map_err(|e| ApiError::internal(format!("scan {}: {e}", table.name())))?;
        for item in page.items.unwrap_or_default() {
            let order: OrderView = serde_dynamo::from_item(item)
                .map_err(|e| ApiError::internal(format!("an order item: {e}")))?;
            orders.push(order);
        }
        match page.last_evaluated_key {
            Some(key) if !key.is_empty() => start = Some(key),
            _ => return Ok(orders),
        }
    }
}
