//! The customer's command routes: each an `async fn(&App, ApiRequest)`, which its binary
//! serves with `http_api::main!`.

use http_api::{ApiError, ApiRequest, ApiResponse, App};
use order_domain::{Customer, CustomerCommand, MakeDeposit, RegisterCustomer};

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
    let outcome = app
        .create::<Customer>(&request, &customer_id.to_string(), command.into())
        .await?;
    Ok(ApiResponse::created_version(
        "customer_id",
        customer_id,
        format!("/customers/{customer_id}"),
        outcome.version,
    ))
}

/// POST /customers/{customer_id}/deposits: money onto the balance.
pub async fn make_deposit(app: &App, request: ApiRequest) -> Result<ApiResponse, ApiError> {
    let customer_id = request.uuid_parameter("customer_id", "customer")?;
    let command = MakeDeposit::from_json(&request.json()?)?;
    let outcome = app
        .execute::<Customer>(&request, &customer_id.to_string(), command.into())
        .await?;
    let body = serde_json::json!({
        "customer_id": customer_id,
        "balance_cents": outcome.state.balance_cents,
        "version": outcome.version,
    });
    Ok(ApiResponse::ok(body).etag(outcome.version))
}

/// DELETE /customers/{customer_id}/personal-data: erases a customer's name and email (SPEC §7).
///
/// The customer's key is destroyed first, which erases every sealed copy at once (events,
/// snapshots, views); then `CustomerPersonalDataErased` makes the state and the views forget
/// the sealed values. A retry destroys nothing more and appends nothing. The balance, the
/// cart and the orders stay.
pub async fn erase_customer_personal_data(
    app: &App,
    request: ApiRequest,
) -> Result<ApiResponse, ApiError> {
    let customer_id = request.uuid_parameter("customer_id", "customer")?;
    let id = customer_id.to_string();
    if !app.store()?.load::<Customer>(&id).await?.state.exists() {
        return Err(ApiError::not_found("customer", &id));
    }
    app.personal_data()?
        .erase(&customer_subject(customer_id))
        .await?;
    let outcome = app
        .execute::<Customer>(&request, &id, CustomerCommand::ErasePersonalData)
        .await?;
    Ok(ApiResponse::version(
        "customer_id",
        customer_id,
        outcome.version,
    ))
}
