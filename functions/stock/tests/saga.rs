//! The stock service's saga steps against DynamoDB (moto): the real event store, real
//! transactions, concurrent and redelivered events.

use es_core::{Aggregate, CommandContext, EventEnvelope, StreamId};
use event_consumer::Step;
use event_store::{CommandError, EventStore, Expected};
use order_domain::{
    CreateProduct, CustomerEvent, Order, OrderCommand, OrderLine, PlaceOrder, Product,
    ProductError, Settlement,
};
use stock_functions::saga::{reserve, settle, StockOutcome};
use test_support::orders::create_product;
use test_support::EventStoreFixture;
use uuid::Uuid;

struct Harness {
    _fixture: EventStoreFixture,
    /// Every step's events carry this harness's source; production steps carry their binary's.
    commands: Step,
}

async fn harness() -> Harness {
    let fixture = EventStoreFixture::start().await;
    Harness {
        commands: Step::new(fixture.commands(), "stock-saga-test"),
        _fixture: fixture,
    }
}

fn ctx() -> CommandContext {
    CommandContext::for_request("test", Some("saga-test"), "request")
}

impl Harness {
    fn store(&self) -> &EventStore {
        self.commands.store()
    }

    async fn product(&self, stock: u32) -> Uuid {
        let product = CreateProduct {
            product_id: Uuid::new_v4(),
            name: "p".into(),
            price_cents: 100,
            initial_stock: stock,
            reorder_level: 0,
        };
        create_product(&self.commands, product, &ctx()).await
    }

    /// Places an order of `lines` (product, quantity) and returns its `OrderPlaced`.
    async fn order(&self, lines: &[(Uuid, u32)]) -> EventEnvelope {
        let order_id = Uuid::new_v4();
        let place = OrderCommand::Place(PlaceOrder {
            order_id,
            customer_id: Uuid::new_v4(),
            lines: lines
                .iter()
                .map(|(product_id, quantity)| OrderLine {
                    product_id: *product_id,
                    quantity: *quantity,
                    price_cents: 100,
                })
                .collect(),
        });
        let placed = self
            .commands
            .execute::<Order>(&order_id.to_string(), &place, Expected::Any, &ctx())
            .await
            .unwrap();
        placed.events[0].clone()
    }

    async fn state(&self, product_id: Uuid) -> Product {
        self.store()
            .load::<Product>(&product_id.to_string())
            .await
            .unwrap()
            .state
    }

    async fn event_types(&self, product_id: Uuid) -> Vec<String> {
        let stream = StreamId::new(Product::TYPE, product_id.to_string());
        self.store()
            .read_stream(&stream, 1, None)
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.event_type)
            .collect()
    }
}

fn order_id(placed: &EventEnvelope) -> Uuid {
    placed.aggregate_id.parse().unwrap()
}

/// The customer's payment decision for an order, as the payment step would append it.
fn payment(order_id: Uuid, accepted: bool) -> EventEnvelope {
    let event = if accepted {
        CustomerEvent::PaymentAccepted {
            order_id,
            amount_cents: 100,
        }
    } else {
        CustomerEvent::PaymentRefused {
            order_id,
            amount_cents: 100,
            balance_cents: 0,
        }
    };
    EventEnvelope::new(
        &StreamId::new("customer", Uuid::new_v4().to_string()),
        2,
        &event,
        &ctx(),
    )
    .unwrap()
}

#[tokio::test]
async fn an_order_is_reserved_on_every_product_or_none() {
    let h = harness().await;
    let (a, b) = (h.product(5).await, h.product(1).await);
    let fits = h.order(&[(a, 2), (b, 1)]).await;
    assert_eq!(
        reserve(&h.commands, &fits).await.unwrap(),
        StockOutcome::Reserved {
            order_id: order_id(&fits)
        }
    );
    assert_eq!(
        (h.state(a).await.available(), h.state(b).await.available()),
        (3, 0)
    );

    let short = h.order(&[(a, 1), (b, 1)]).await;
    assert_eq!(
        reserve(&h.commands, &short).await.unwrap(),
        StockOutcome::Unavailable {
            order_id: order_id(&short),
            product_id: b
        }
    );
    assert_eq!(
        h.state(a).await.available(),
        3,
        "nothing reserved on the product that had stock"
    );
    assert_eq!(h.event_types(a).await, ["ProductCreated", "StockReserved"]);
    assert_eq!(
        h.event_types(b).await,
        ["ProductCreated", "StockReserved", "StockUnavailable"]
    );
}

#[tokio::test]
async fn a_redelivered_order_is_reserved_once_even_after_it_was_settled() {
    let h = harness().await;
    let a = h.product(3).await;
    let placed = h.order(&[(a, 2)]).await;
    let id = order_id(&placed);
    // The same event handled by two invocations at once, then again later.
    let (first, second) =
        tokio::join!(reserve(&h.commands, &placed), reserve(&h.commands, &placed));
    let mut outcomes = vec![first.unwrap(), second.unwrap()];
    outcomes.sort_by_key(|o| format!("{o:?}"));
    assert_eq!(
        outcomes,
        [
            StockOutcome::AlreadyDecided { order_id: id },
            StockOutcome::Reserved { order_id: id }
        ]
    );
    assert_eq!(h.state(a).await.available(), 1);

    let paid = payment(id, true);
    assert_eq!(
        settle(&h.commands, &paid, Settlement::Commit)
            .await
            .unwrap(),
        StockOutcome::Settled {
            order_id: id,
            products: 1
        }
    );
    assert_eq!(
        settle(&h.commands, &paid, Settlement::Commit)
            .await
            .unwrap(),
        StockOutcome::Settled {
            order_id: id,
            products: 0
        },
        "a redelivered payment settles nothing more"
    );
    // The reservation is gone now; the decision guard still stops a late redelivery.
    assert_eq!(
        reserve(&h.commands, &placed).await.unwrap(),
        StockOutcome::AlreadyDecided { order_id: id }
    );
    let product = h.state(a).await;
    assert_eq!((product.stock, product.reserved()), (1, 0));
    assert_eq!(
        h.event_types(a).await,
        ["ProductCreated", "StockReserved", "StockCommitted"]
    );
}

#[tokio::test]
async fn a_refused_payment_releases_every_line() {
    let h = harness().await;
    let (a, b) = (h.product(2).await, h.product(2).await);
    let placed = h.order(&[(a, 2), (b, 1)]).await;
    reserve(&h.commands, &placed).await.unwrap();
    let refused = payment(order_id(&placed), false);
    let (one, two) = tokio::join!(
        settle(&h.commands, &refused, Settlement::Release),
        settle(&h.commands, &refused, Settlement::Release)
    );
    let released: usize = [one.unwrap(), two.unwrap()]
        .iter()
        .map(|o| match o {
            StockOutcome::Settled { products, .. } => *products,
            other => panic!("{other:?}"),
        })
        .sum();
    assert_eq!(released, 2, "each product released once, by one of the two");
    for product in [a, b] {
        let state = h.state(product).await;
        assert_eq!((state.stock, state.available()), (2, 2));
    }
}

/// The step gave up because every attempt met a concurrent writer (SQS would deliver it again).
fn kept_changing(error: &(dyn std::error::Error + 'static)) -> bool {
    matches!(
        error.downcast_ref::<CommandError<ProductError>>(),
        Some(CommandError::Conflict { .. })
    )
}

#[tokio::test]
async fn concurrent_orders_never_oversell() {
    let h = harness().await;
    let scarce = h.product(4).await;
    let mut orders = Vec::new();
    for _ in 0..10 {
        orders.push(h.order(&[(scarce, 1)]).await);
    }
    // As SQS would, a step whose retries all met concurrent writers is run again.
    let reserve_until_decided = |placed: &EventEnvelope| {
        let (commands, placed) = (&h.commands, placed.clone());
        async move {
            for _ in 0..10 {
                match reserve(commands, &placed).await {
                    Err(e) if kept_changing(&*e) => continue,
                    other => return other,
                }
            }
            panic!("never decided");
        }
    };
    let outcomes = futures::future::join_all(orders.iter().map(reserve_until_decided)).await;
    let reserved = outcomes
        .into_iter()
        .map(Result::unwrap)
        .filter(|o| matches!(o, StockOutcome::Reserved { .. }))
        .count();
    assert_eq!(reserved, 4);
    let product = h.state(scarce).await;
    assert_eq!((product.reserved(), product.available()), (4, 0));
}
