//! The cart's command routes: each an `async fn(&App, ApiRequest)`, which its binary serves
//! with `http_api::main!`; the commands themselves are in `cart`.

use es_core::CommandContext;
use event_store::{CommandHandler, Expected, Outcome};
use http_api::{ApiError, ApiRequest, ApiResponse, App};
use order_domain::{
    Cart, CartCommand, CartItemRequest, Product, RemoveCartItem, SetCartItemQuantity,
};
use order_views::CartView;
use uuid::Uuid;

use crate::cart::{add_item, change, checkout, ensure_exists};

/// POST /customers/{customer_id}/cart/items: a product into the cart, at its current price.
pub async fn add_cart_item(app: &App, request: ApiRequest) -> Result<ApiResponse, ApiError> {
    let customer_id = request.uuid_parameter("customer_id", "customer")?;
    let item = CartItemRequest::from_json(&request.json()?)?;
    let (commands, expected, ctx) = cart_call(app, &request)?;
    let outcome = add_item(&commands, customer_id, item, expected, &ctx).await?;
    Ok(cart_answer(customer_id, outcome))
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

/// PUT /customers/{customer_id}/cart/items/{product_id}: the line holds exactly `{quantity}`
/// of the product (0 takes it out), at its current price.
pub async fn set_cart_item_quantity(
    app: &App,
    request: ApiRequest,
) -> Result<ApiResponse, ApiError> {
    let product_id = request.uuid_parameter("product_id", "product")?;
    let quantity = SetCartItemQuantity::quantity_from_json(&request.json()?)?;
    let product = ensure_exists::<Product>(&app.commands()?, product_id, "product").await?;
    let price_cents = product.price_cents;
    let command = SetCartItemQuantity {
        product_id,
        quantity,
        price_cents,
    };
    change_cart(app, request, command.into()).await
}

/// Changes the cart of an existing customer; the cart as it is now, with its version.
async fn change_cart(
    app: &App,
    request: ApiRequest,
    command: CartCommand,
) -> Result<ApiResponse, ApiError> {
    let customer_id = request.uuid_parameter("customer_id", "customer")?;
    let (commands, expected, ctx) = cart_call(app, &request)?;
    let outcome = change(&commands, customer_id, command, expected, &ctx).await?;
    Ok(cart_answer(customer_id, outcome))
}

/// POST /customers/{customer_id}/cart/checkout: the cart becomes a PENDING order, and the
/// saga starts (202: the order settles asynchronously, under this request's correlation id).
pub async fn checkout_cart(app: &App, request: ApiRequest) -> Result<ApiResponse, ApiError> {
    let customer_id = request.uuid_parameter("customer_id", "customer")?;
    // A checkout takes no body; a malformed one is still refused.
    request.json()?;
    let order_id = Uuid::new_v4();
    let (commands, expected, ctx) = cart_call(app, &request)?;
    let checked_out = checkout(&commands, customer_id, order_id, expected, &ctx).await?;
    let location = format!("/orders/{order_id}");
    Ok(ApiResponse::accepted(checked_out).header(lambda_http::http::header::LOCATION, location))
}

/// What a cart route hands the cart's commands, read from its request once its path and body
/// are checked: the handler, the cart version `If-Match` expects, the command's context.
fn cart_call(
    app: &App,
    request: &ApiRequest,
) -> Result<(CommandHandler, Expected, CommandContext), ApiError> {
    let ctx = request.command_context();
    let commands = app.commands()?;
    Ok((commands, request.expected_version()?, ctx))
}

/// The cart as a command left it, with its version as the ETag.
fn cart_answer(customer_id: Uuid, outcome: Outcome<Cart>) -> ApiResponse {
    let cart = CartView::of(customer_id, &outcome.state, outcome.version);
    ApiResponse::ok(cart).etag(outcome.version)
}
