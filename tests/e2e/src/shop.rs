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
    assert_eq!(reply.status, 201, "{}", reply.body);
    reply.body["product_id"].as_str().unwrap().to_owned()
}

pub async fn register_customer(api: &Api, balance_cents: u64) -> String {
    let reply = api
        .post(
            "/customers",
            json!({"name": "Grace Hopper", "email": "grace@example.org", "balance_cents": balance_cents}),
        )
        .await;
    assert_eq!(reply.status, 201, "{}", reply.body);
    reply.body["customer_id"].as_str().unwrap().to_owned()
}

pub async fn add_item(api: &Api, customer: &str, product: &str, quantity: u32) -> Reply {
    api.post(
        &format!("/customers/{customer}/cart/items"),
        json!({"product_id": product, "quantity": quantity}),
    )
    .await
}

/// Checks the cart out under `correlation`; the order id.
pub async fn checkout(api: &Api, customer: &str, correlation: &str) -> String {
    let reply = api
        .call(
            Method::POST,
            &format!("/customers/{customer}/cart/checkout"),
            None,
            &[("x-correlation-id", correlation)],
        )
        .await;
    assert_eq!(reply.status, 202, "{}", reply.body);
    assert_eq!(reply.header("x-correlation-id"), Some(correlation));
    reply.body["order_id"].as_str().unwrap().to_owned()
}
