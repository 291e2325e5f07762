//! The order system's first facts in a test's event table: a customer with a balance, a
//! product with stock (the saga steps' tests all start from them).

use es_core::{CommandContext, Sealed};
use event_store::{CommandHandler, Expected};
use order_domain::{
    CreateProduct, Customer, CustomerCommand, Product, ProductCommand, RegisterCustomer,
};
use uuid::Uuid;

/// Registers a new customer with `balance_cents` (her name and email as sealed text, as the
/// API stores them); her id.
pub async fn register_customer(
    commands: &CommandHandler,
    balance_cents: u64,
    ctx: &CommandContext,
) -> Uuid {
    let customer_id = Uuid::new_v4();
    let register = CustomerCommand::Register(RegisterCustomer {
        customer_id,
        name: Sealed::from_sealed_text("pd1:sealed-name"),
        email: Sealed::from_sealed_text("pd1:sealed-email"),
        balance_cents,
    });
    commands
        .execute::<Customer>(&customer_id.to_string(), &register, Expected::Any, ctx)
        .await
        .unwrap();
    customer_id
}

/// Creates `product` (its `product_id` is the one it gets); its id.
pub async fn create_product(
    commands: &CommandHandler,
    product: CreateProduct,
    ctx: &CommandContext,
) -> Uuid {
    let product_id = product.product_id;
    commands
        .execute::<Product>(
            &product_id.to_string(),
            &ProductCommand::Create(product),
            Expected::Any,
            ctx,
        )
        .await
        .unwrap();
    product_id
}
