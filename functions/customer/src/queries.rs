//! The customer's query routes: each an `async fn(&App, ApiRequest)`, which its binary serves
//! with `http_api::main!`.

use http_api::{ApiError, ApiRequest, ApiResponse, App};
use order_views::{tables::env::CUSTOMERS_TABLE, CustomerView};

use crate::{customer_subject, reveal_customer};

/// GET /customers/{customer_id}: name, email and balance; the name and email revealed with
/// the customer's key (`null` once erased, SPEC §7).
pub async fn get_customer(app: &App, request: ApiRequest) -> Result<ApiResponse, ApiError> {
    let customer = app
        .find_path_view::<CustomerView>(&request, CUSTOMERS_TABLE, ("customer_id", "customer"))
        .await?;
    let key = app
        .personal_data()?
        .load(&customer_subject(customer.id))
        .await?;
    let revealed = reveal_customer(&customer.view, key.as_ref());
    Ok(ApiResponse::ok(revealed).etag(customer.version))
}
