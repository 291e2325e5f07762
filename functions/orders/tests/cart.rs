//! Carts and checkout against DynamoDB (moto): a checkout is one atomic write of the cart and
//! its order, so two checkouts of one cart at once place one order.

use es_core::{Aggregate, CommandContext, StreamId};
use event_store::{CommandHandler, Expected};
use order_domain::{CartItemRequest, CreateProduct, Order, OrderStatus};
use order_functions::cart::{add_item, checkout};
use test_support::orders::{create_product, register_customer};
use test_support::EventStoreFixture;
use uuid::Uuid;

struct Shop {
    _fixture: EventStoreFixture,
    commands: CommandHandler,
    customer: Uuid,
    product: Uuid,
}

fn ctx() -> CommandContext {
    CommandContext::for_request("test", Some("cart-test"), "request")
}

async fn shop() -> Shop {
    let fixture = EventStoreFixture::start().await;
    let commands = fixture.commands();
    let customer = register_customer(&commands, 0, &ctx()).await;
    let lamp = CreateProduct {
        product_id: Uuid::new_v4(),
        name: "Lamp".into(),
        price_cents: 2500,
        initial_stock: 3,
        reorder_level: 1,
    };
    let product = create_product(&commands, lamp, &ctx()).await;
    Shop {
        _fixture: fixture,
        commands,
        customer,
        product,
    }
}

impl Shop {
    async fn add(&self, product_id: Uuid, quantity: u32) -> Result<u64, u16> {
        let item = CartItemRequest {
            product_id,
            quantity,
        };
        add_item(&self.commands, self.customer, item, Expected::Any, &ctx())
            .await
            .map(|outcome| outcome.state.total_cents())
            .map_err(|e| e.status())
    }

    async fn stream_len(&self, aggregate_type: &str, id: Uuid) -> usize {
        let stream = StreamId::new(aggregate_type, id.to_string());
        self.commands
            .store()
            .read_stream(&stream, 1, None)
            .await
            .unwrap()
            .len()
    }
}

#[tokio::test]
async fn items_are_priced_from_the_product_and_must_exist() {
    let shop = shop().await;
    assert_eq!(shop.add(shop.product, 2).await, Ok(5000));
    assert_eq!(
        shop.add(Uuid::new_v4(), 1).await,
        Err(404),
        "unknown product"
    );
    let stranger = add_item(
        &shop.commands,
        Uuid::new_v4(),
        CartItemRequest {
            product_id: shop.product,
            quantity: 1,
        },
        Expected::Any,
        &ctx(),
    )
    .await
    .unwrap_err();
    assert_eq!(stranger.status(), 404, "unknown customer");
    assert_eq!(shop.stream_len("cart", shop.customer).await, 1);
}

#[tokio::test]
async fn a_checkout_writes_the_cart_and_its_order_together() {
    let shop = shop().await;
    shop.add(shop.product, 2).await.unwrap();
    let order_id = Uuid::new_v4();
    let checked_out = checkout(
        &shop.commands,
        shop.customer,
        order_id,
        Expected::Any,
        &ctx(),
    )
    .await
    .unwrap();
    assert_eq!((checked_out.total_cents, checked_out.version), (5000, 2));
    let order = shop
        .commands
        .store()
        .load::<Order>(&order_id.to_string())
        .await
        .unwrap();
    assert_eq!(order.state.status, OrderStatus::Pending);
    assert_eq!(order.state.customer_id, Some(shop.customer));
    assert_eq!(order.state.total_cents, 5000);
    // The cart is empty now: a second checkout is refused and writes nothing.
    let empty = checkout(
        &shop.commands,
        shop.customer,
        Uuid::new_v4(),
        Expected::Any,
        &ctx(),
    )
    .await
    .unwrap_err();
    assert_eq!(empty.status(), 422);
    assert_eq!(shop.stream_len("cart", shop.customer).await, 2);
}

#[tokio::test]
async fn two_checkouts_of_one_cart_at_once_place_one_order() {
    let shop = shop().await;
    shop.add(shop.product, 1).await.unwrap();
    let (a, b) = (Uuid::new_v4(), Uuid::new_v4());
    let ctx = ctx();
    let (first, second) = tokio::join!(
        checkout(&shop.commands, shop.customer, a, Expected::Any, &ctx),
        checkout(&shop.commands, shop.customer, b, Expected::Any, &ctx)
    );
    let statuses =
        [&first, &second].map(|r| r.as_ref().map(|_| 202).unwrap_or_else(|e| e.status()));
    let mut sorted = statuses;
    sorted.sort();
    assert_eq!(sorted, [202, 422], "one order, one empty cart");
    let placed = shop.stream_len(Order::TYPE, a).await + shop.stream_len(Order::TYPE, b).await;
    assert_eq!(placed, 1);
}

#[tokio::test]
async fn if_match_is_the_carts_version() {
    let shop = shop().await;
    shop.add(shop.product, 1).await.unwrap();
    let stale = checkout(
        &shop.commands,
        shop.customer,
        Uuid::new_v4(),
        Expected::Exactly(7),
        &ctx(),
    )
    .await
    .unwrap_err();
    assert_eq!(stale.status(), 412);
    let order_id = Uuid::new_v4();
    checkout(
        &shop.commands,
        shop.customer,
        order_id,
        Expected::Exactly(1),
        &ctx(),
    )
    .await
    .unwrap();
    assert_eq!(shop.stream_len(Order::TYPE, order_id).await, 1);
}
