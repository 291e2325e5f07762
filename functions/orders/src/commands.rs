//! The cart's command routes: each an `async fn(&App, ApiRequest)`, which its binary serves
//! with `http_api::main!`; the commands themselves are in `cart`.

use http_api::{ApiError, ApiRequest, ApiResponse, App};
use order_domain::{CartCommand, CartItemRequest, RemoveCartItem};
use order_views::CartView;

use crate::cart::{add_item, checkout, take_out};

/// POST /customers/{customer_id}/cart/items: a product into the cart, at its current price.
pub async fn add_cart_item(app: &App, request: ApiRequest) -> Result<ApiResponse, ApiError> {
    let customer_id = request.uuid_parameter("customer_id", "customer")?;
    let item = CartItemRequest::from_json(&request.json()?)?;
    let ctx = request.command_context();
    let outcome = add_item(
        &app.commands()?,
        customer_id,
        item,
        request.expected_version()?,
        &ctx,
    )
    .await?;
    let cart = CartView::of(customer_id, &outcome.state, outcome.version);
    Ok(ApiResponse::ok(cart).etag(outcome.version))
}

/// DELETE /customers/{customer_id}/cart/items/{product_id}: a product out of the cart.
pub async fn remove_cart_item(app: &App, request: ApiRequest) -> Result<ApiResponse, ApiError> {
    let product_id = request.uuid_parameter("product_id", "product")?;
    change_cart(app, request, RemoveCartItem { product_id }.into()).await
}

/// DELETE /customers/{customer_id}/cart: every line out of the cart.
pub async fn clear_cart(app: &App, request: ApiRequest) -> Result<ApiResponse, ApiError> {
    change_cart(app, request, CartCommand::Clear).await
}

/// Takes lines out of the customer's cart; the cart as it is now, with its version.
async fn change_cart(
    app: &App,
    request: ApiRequest,
    command: CartCommand,
) -> Result<ApiResponse, ApiError> {
    let customer_id = request.uuid_parameter("customer_id", "customer")?;
    let ctx = request.command_context();
    let commands = app.commands()?;
    let expected = request.expected_version()?;
    let outcome = take_out(&commands, customer_id, command, expected, &ctx).await?;
    let cart = CartView::of(customer_id, &outcome.state, outcome.version);
    Ok(ApiResponse::ok(cart).etag(outcome.version))
}

/// POST /customers/{customer_id}/cart/checkout: the cart becomes a PENDING order, and the
/// saga starts (202: the order settles asynchronously, under this request's correlation id).
pub async fn checkout_cart(app: &App, request: ApiRequest) -> Result<ApiResponse, ApiError> {
    let customer_id = request.uuid_parameter("customer_id", "customer")?;
    // A checkout takes no body; a malformed one is still refused.
    request.json()?;
    let ctx = request.command_context();
    let order_id = uuid::Uuid::new_v4();
    let checked_out = checkout(
        &app.commands()?,
        customer_id,
        order_id,
        request.expected_version()?,
        &ctx,
    )
    .await?;
    let location = format!("/orders/{order_id}");
    Ok(ApiResponse::accepted(checked_out).header(lambda_http::http::header::LOCATION, location))
}
