//! What the order queries share: the customer check, the `?status=` filter of a customer's
//! orders, the report table and the `?from=&to=` period of the statistics.

use chrono::{DateTime, Utc};
use http_api::{ApiError, ApiRequest, App};
use order_views::reports::ReportsTable;
use order_views::tables::env::{CUSTOMERS_TABLE, ORDER_REPORTS_TABLE};
use order_views::{CustomerView, OrderViewStatus};
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
