//! The order system's first steps, as a client takes them: products, customers, carts,
//! checkouts (shared by the order and deadline suites).

use crate::{Api, Reply};
use reqwest::Method;
use serde_json::json;

pub async fn create_product(api: &Api, name: &str, price_cents: u64, stock: u32) -> String {
    let reply = api
        .post(
            "/products",
            json!({"name": name, "price_cents": price_cents, "initial_stock": stock, "reorder_level": 2}),
        )
        .await;
    reply.id(201, "product_id")
}

pub async fn register_customer(api: &Api, balance_cents: u64) -> String {
    let reply = api
        .post(
            "/customers",
            json!({"name": "Grace Hopper", "email": "grace@example.org", "balance_cents": balance_cents}),
        )
        .await;
    reply.id(201, "customer_id")
}

pub async fn add_item(api: &Api, customer: &str, product: &str, quantity: u32) -> Reply {
    api.post(
        &format!("/customers/{customer}/cart/items"),
        json!({"product_id": product, "quantity": quantity}),
    )
    .await
}

/// `POST /customers/{customer}/cart/checkout` with `headers`, answered as it comes.
pub async fn checkout_reply(api: &Api, customer: &str, headers: &[(&str, &str)]) -> Reply {
    api.call(
        Method::POST,
        &format!("/customers/{customer}/cart/checkout"),
        None,
        headers,
    )
    .await
}

/// Checks the cart out under `correlation`; the order id.
pub async fn checkout(api: &Api, customer: &str, correlation: &str) -> String {
    let reply = checkout_reply(api, customer, &[("x-correlation-id", correlation)]).await;
    let order = reply.id(202, "order_id");
    assert_eq!(reply.header("x-correlation-id"), Some(correlation));
    order
}

/// Checks the cart out; the order id.
pub async fn place_order(api: &Api, customer: &str) -> String {
    checkout_reply(api, customer, &[]).await.id(202, "order_id")
}

/// A new customer who put `quantity` of a new product (a lamp at 25.00) in her cart and
/// checked out.
pub struct Purchase {
    pub product: String,
    pub customer: String,
    pub order: String,
}

impl Purchase {
    /// Makes one: the product with `stock`, the customer with `balance_cents`.
    pub async fn place(api: &Api, stock: u32, quantity: u32, balance_cents: u64) -> Self {
        let product = create_product(api, "Lamp", 2500, stock).await;
        let customer = register_customer(api, balance_cents).await;
        let added = add_item(api, &customer, &product, quantity).await;
        assert_eq!(added.status, 200, "{}", added.body);
        let order = place_order(api, &customer).await;
        Self {
            product,
            customer,
            order,
        }
    }
}
