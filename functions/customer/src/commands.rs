//! The customer's command routes: each an `async fn(&App, ApiRequest)`, which its binary
//! serves with `http_api::main!`.

use http_api::{ApiError, ApiRequest, ApiResponse, App};
use order_domain::{Customer, CustomerCommand, MakeDeposit, RegisterCustomer};
use serde_json::json;

use crate::customer_subject;

/// POST /customers: a customer with an opening balance.
///
/// The name and email are sealed with the customer's own key (SPEC §7): made in memory,
/// stored only once the body is valid (a 400 leaves no key), before the event that needs it.
pub async fn register_customer(app: &App, request: ApiRequest) -> Result<ApiResponse, ApiError> {
    let customer_id = uuid::Uuid::new_v4();
    let body = request.json()?;
    let keys = app.personal_data()?;
    let key = keys.create(&customer_subject(customer_id))?;
    let sealer = keys.sealer(&key).await?;
    let command = RegisterCustomer::from_json(customer_id, &body, &sealer)?;
    keys.save(&key).await?;
    app.create_new::<Customer>(
        &request,
        ("customer_id", customer_id),
        "/customers",
        command,
    )
    .await
}

/// POST /customers/{customer_id}/deposits: money onto the balance.
pub async fn make_deposit(app: &App, request: ApiRequest) -> Result<ApiResponse, ApiError> {
    let balance = |customer: &Customer| json!({ "balance_cents": customer.balance_cents });
    let customer = ("customer_id", "customer");
    app.execute_on_path_answered(&request, customer, MakeDeposit::from_json, balance)
        .await
}

/// DELETE /customers/{customer_id}/personal-data: erases a customer's name and email (SPEC §7),
/// as [`App::erase_personal_data`] does. The balance, the cart and the orders stay.
pub async fn erase_customer_personal_data(
    app: &App,
    request: ApiRequest,
) -> Result<ApiResponse, ApiError> {
    let erase = CustomerCommand::ErasePersonalData;
    app.erase_personal_data(
        &request,
        ("customer_id", "customer"),
        Customer::exists,
        erase,
    )
    .await
}
