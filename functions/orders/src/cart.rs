//! Cart commands. A cart belongs to an existing customer (404 otherwise) and only holds
//! existing products, at their price when added. A checkout turns the cart into an order in
//! one atomic write: `CartCheckedOut` on the cart and `OrderPlaced` on the new order, so a cart
//! is never emptied without its order, nor an order placed twice from one cart.

use es_core::{Aggregate, CommandContext};
use event_store::{CommandError, CommandHandler, Expected, Loaded, Outcome, StoreError};
use http_api::ApiError;
use order_domain::{
    Cart, CartCommand, CartError, CartItemRequest, CheckoutCart, Customer, Order, OrderCommand,
    PlaceOrder, Product,
};
use uuid::Uuid;

/// The aggregate `id` names, loaded; a 404 naming `what` when its stream is empty.
pub(crate) async fn ensure_exists<A: Aggregate>(
    commands: &CommandHandler,
    id: Uuid,
    what: &str,
) -> Result<A, ApiError> {
    let loaded = commands.store().load::<A>(&id.to_string()).await?;
    if loaded.exists() {
        Ok(loaded.state)
    } else {
        Err(ApiError::not_found(what, &id.to_string()))
    }
}

/// `POST /customers/{customer_id}/cart/items`: the product at its current price.
pub async fn add_item(
    commands: &CommandHandler,
    customer_id: Uuid,
    item: CartItemRequest,
    expected: Expected,
    ctx: &CommandContext,
) -> Result<Outcome<Cart>, ApiError> {
    ensure_exists::<Customer>(commands, customer_id, "customer").await?;
    let product = ensure_exists::<Product>(commands, item.product_id, "product").await?;
    let command = CartCommand::AddItem(item.priced(product.price_cents));
    Ok(commands
        .execute::<Cart>(&customer_id.to_string(), &command, expected, ctx)
        .await?)
}

/// Any other command on the cart of an existing customer (404 otherwise): a line out, every
/// line out, a line's quantity set.
pub async fn change(
    commands: &CommandHandler,
    customer_id: Uuid,
    command: CartCommand,
    expected: Expected,
    ctx: &CommandContext,
) -> Result<Outcome<Cart>, ApiError> {
    ensure_exists::<Customer>(commands, customer_id, "customer").await?;
    Ok(commands
        .execute::<Cart>(&customer_id.to_string(), &command, expected, ctx)
        .await?)
}

/// What a checkout answers.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CheckedOut {
    pub order_id: Uuid,
    pub total_cents: u64,
    /// The cart's version after the checkout.
    pub version: u64,
    /// The new order's version: `GET /orders/{order_id}?min_version=` reads the order once
    /// its view holds it.
    pub order_version: u64,
}

/// `POST /customers/{customer_id}/cart/checkout`: the cart's lines become order `order_id`.
/// `expected` is the cart's version (`If-Match`).
pub async fn checkout(
    commands: &CommandHandler,
    customer_id: Uuid,
    order_id: Uuid,
    expected: Expected,
    ctx: &CommandContext,
) -> Result<CheckedOut, ApiError> {
    ensure_exists::<Customer>(commands, customer_id, "customer").await?;
    let cart_id = customer_id.to_string();
    let cart_id = &cart_id;
    let checked_out = commands
        .transact::<_, CartError, _, _>(move || async move {
            let cart = commands.store().load::<Cart>(cart_id).await?;
            expected.check(cart.version)?;
            let emptied = cart
                .state
                .handle(&CartCommand::Checkout(CheckoutCart { order_id }))
                .map_err(CommandError::Rejected)?;
            let place = OrderCommand::Place(PlaceOrder {
                order_id,
                customer_id,
                lines: cart.state.lines.clone(),
            });
            // A new order id: its stream is empty, nothing to read.
            let new_order = Loaded::<Order>::new_stream();
            let placed = new_order.state.handle(&place).map_err(|e| {
                StoreError::corrupt(format!("a checked-out cart places no order: {e}"))
            })?;
            let mut transaction = commands.transaction();
            transaction.record(cart_id, &cart, &emptied, ctx)?;
            let order = transaction.record(&order_id.to_string(), &new_order, &placed, ctx)?;
            let answer = CheckedOut {
                order_id,
                total_cents: order.total_cents,
                version: cart.version + emptied.len() as u64,
                order_version: placed.len() as u64,
            };
            Ok((transaction, answer))
        })
        .await?;
    Ok(checked_out)
}
