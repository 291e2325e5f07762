//! The answers of [`App`]'s route helpers, against the event store on moto, with the product of
//! the order domain: the status, body and headers a client sees.

use lambda_http::http::header::{ETAG, LOCATION};
use lambda_http::http::Method;
use order_domain::{CreateProduct, Product, RestockProduct};
use serde_json::{json, Value};
use test_support::EventStoreFixture;
use uuid::Uuid;

use crate::{ApiRequest, ApiResponse, App};

/// `status`, body, then the `Location` and `ETag` headers.
fn seen(response: &ApiResponse) -> (u16, Value, Option<&str>, Option<&str>) {
    let header = |name| {
        let mut headers = response.headers().iter();
        headers
            .find(|(n, _)| *n == name)
            .map(|(_, value)| value.as_str())
    };
    let body = response.body().clone();
    (response.status(), body, header(LOCATION), header(ETAG))
}

#[tokio::test]
async fn each_route_helper_answers_as_the_routes_it_serves_did() {
    let fixture = EventStoreFixture::start().await;
    let app = App::new(fixture.client.clone(), Some(fixture.tables.clone()));
    let id = Uuid::new_v4();
    let lamp = json!({"name": "Lamp", "price_cents": 2500, "initial_stock": 3});
    let post = ApiRequest::new(Method::POST, "/products", &lamp.to_string());

    let create = CreateProduct::from_json(id, &lamp).unwrap();
    let created = app
        .create_new::<Product>(&post, ("product_id", id), "/inventory", create)
        .await
        .unwrap();
    let location = format!("/inventory/{id}");
    let version = |v: u64| json!({"product_id": id, "version": v});
    assert_eq!(
        seen(&created),
        (201, version(1), Some(location.as_str()), Some("\"1\""))
    );

    let restock = |body: Value| {
        ApiRequest::new(Method::POST, "/products/x/restock", &body.to_string())
            .with_path_parameter("product_id", &id.to_string())
    };
    let product = ("product_id", "product");
    let parse = RestockProduct::from_json;
    let restocked = app
        .execute_on_path::<Product, _>(&restock(json!({"quantity": 2})), product, parse)
        .await
        .unwrap();
    assert_eq!(seen(&restocked), (200, version(2), None, Some("\"2\"")));

    let quantities = |p: &Product| json!({"stock": p.stock, "available": p.available()});
    let answered = app
        .execute_on_path_answered(&restock(json!({"quantity": 1})), product, parse, quantities)
        .await
        .unwrap();
    let body = json!({"product_id": id, "stock": 6, "available": 6, "version": 3});
    assert_eq!(seen(&answered), (200, body, None, Some("\"3\"")));

    let more = RestockProduct::from_json(&json!({"quantity": 1})).unwrap();
    let by_id = app
        .execute_versioned::<Product>(&post, ("product_id", id.to_string()), more)
        .await
        .unwrap();
    assert_eq!(seen(&by_id), (200, version(4), None, Some("\"4\"")));

    let create = CreateProduct::from_json;
    let other = app
        .create_from_body::<Product, _>(&post, "product_id", "/inventory", create)
        .await
        .unwrap();
    let made = other.body()["product_id"].as_str().unwrap().to_owned();
    let location = format!("/inventory/{made}");
    assert_ne!(made, id.to_string(), "a new id");
    assert_eq!(
        seen(&other),
        (
            201,
            json!({"product_id": made, "version": 1}),
            Some(location.as_str()),
            Some("\"1\"")
        )
    );

    let not_a_uuid = ApiRequest::new(Method::POST, "/products/x/restock", "{}")
        .with_path_parameter("product_id", "x");
    let error = app
        .execute_on_path::<Product, _>(&not_a_uuid, product, parse)
        .await
        .unwrap_err();
    assert_eq!(error.status(), 404);
}
