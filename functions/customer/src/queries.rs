//! The customer's query routes: each an `async fn(&App, ApiRequest)`, which its binary serves
//! with `http_api::main!`.

use http_api::{ApiError, ApiRequest, ApiResponse, App};
use order_views::{tables::env::CUSTOMERS_TABLE, CustomerView};

use crate::{customer_subject, reveal_customer};

/// GET /customers/{customer_id}: name, email and balance; the name and email revealed with
/// the customer's key (`null` once erased, SPEC §7).
pub async fn get_customer(app: &App, request: ApiRequest) -> Result<ApiResponse, ApiError> {
    let customer_uuid = request.uuid_parameter("customer_id", "customer")?;
    let customer_id = customer_uuid.to_string();
    let customer: CustomerView = app
        .find_view(&request, CUSTOMERS_TABLE, "customer", &customer_id)
        .await?;
    let key = app
        .personal_data()?
        .load(&customer_subject(customer_uuid))
        .await?;
    let version = customer.version;
    Ok(ApiResponse::ok(reveal_customer(&customer, key.as_ref())).etag(version))
}
