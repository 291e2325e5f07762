//! The order deadline against DynamoDB (moto), racing the saga steps it must win or leave
//! alone: a late payment, a late reservation, a payment taken at the same moment.

use customer_functions::payment::{take_payment, PaymentOutcome};
use es_core::{CommandContext, EventEnvelope, StreamId};
use event_consumer::Step;
use event_store::Expected;
use order_domain::{
    CancellationReason, CreateProduct, Customer, Order, OrderCommand, OrderLine, OrderStatus,
    PlaceOrder, Product, Settlement,
};
use order_functions::deadline::{expire, Expiry};
use order_views::reports::open_orders::OpenOrder;
use stock_functions::saga::{reserve, settle, StockOutcome};
use test_support::orders::{create_product, register_customer};
use test_support::EventStoreFixture;
use uuid::Uuid;

const BALANCE: u64 = 10_000;
const STOCK: u64 = 20;

struct Saga {
    _fixture: EventStoreFixture,
    /// Every step's events carry this test's source; production steps carry their binary's.
    commands: Step,
    customer_id: Uuid,
    product_id: Uuid,
}

fn ctx() -> CommandContext {
    CommandContext::for_request("test", Some("deadline-test"), "request")
}

impl Saga {
    /// A customer with `balance_cents` and a product with 20 in stock.
    async fn start(balance_cents: u64) -> Self {
        let fixture = EventStoreFixture::start().await;
        let commands = Step::new(fixture.commands(), "deadline-test");
        let customer_id = register_customer(&commands, balance_cents, &ctx()).await;
        let product = CreateProduct {
            product_id: Uuid::new_v4(),
            name: "p".into(),
            price_cents: 100,
            initial_stock: STOCK as u32,
            reorder_level: 0,
        };
        let product_id = create_product(&commands, product, &ctx()).await;
        Self {
            _fixture: fixture,
            commands,
            customer_id,
            product_id,
        }
    }

    /// Places an order of 2 units at 100 cents; its `OrderPlaced`.
    async fn place(&self) -> EventEnvelope {
        let order_id = Uuid::new_v4();
        let place = OrderCommand::Place(PlaceOrder {
            order_id,
            customer_id: self.customer_id,
            lines: vec![OrderLine {
                product_id: self.product_id,
                quantity: 2,
                price_cents: 100,
            }],
        });
        self.commands
            .execute::<Order>(&order_id.to_string(), &place, Expected::Any, &ctx())
            .await
            .unwrap()
            .events[0]
            .clone()
    }

    /// Reserves the order and returns the `StockReserved` the payment step reacts to.
    async fn reserve(&self, placed: &EventEnvelope) -> EventEnvelope {
        let outcome = reserve(&self.commands, placed).await.unwrap();
        assert!(
            matches!(outcome, StockOutcome::Reserved { .. }),
            "{outcome:?}"
        );
        self.last_event("product", self.product_id).await
    }

    async fn last_event(&self, aggregate_type: &str, id: impl ToString) -> EventEnvelope {
        let stream = StreamId::new(aggregate_type, id.to_string());
        let events = self
            .commands
            .store()
            .read_stream(&stream, 1, None)
            .await
            .unwrap();
        events.last().unwrap().clone()
    }

    async fn order(&self, placed: &EventEnvelope) -> Order {
        self.commands
            .store()
            .load::<Order>(&placed.aggregate_id)
            .await
            .unwrap()
            .state
    }

    async fn balance(&self) -> u64 {
        let id = self.customer_id.to_string();
        let customer = self.commands.store().load::<Customer>(&id).await;
        customer.unwrap().state.balance_cents
    }

    /// (on hand, reserved in all)
    async fn stock(&self) -> (u64, u32) {
        let id = self.product_id.to_string();
        let product = self.commands.store().load::<Product>(&id).await;
        let product = product.unwrap().state;
        (product.stock, product.reservations.values().sum())
    }
}

fn open(placed: &EventEnvelope) -> OpenOrder {
    OpenOrder {
        order_id: placed.aggregate_id.parse().unwrap(),
        correlation_id: placed.correlation_id.clone(),
    }
}

#[tokio::test]
async fn a_reserved_order_times_out_once_gets_its_stock_back_and_a_late_payment_takes_nothing() {
    let saga = Saga::start(BALANCE).await;
    let placed = saga.place().await;
    let reserved = saga.reserve(&placed).await;
    assert_eq!(saga.stock().await, (STOCK, 2));

    assert_eq!(
        expire(&saga.commands, &open(&placed)).await.unwrap(),
        Expiry::Cancelled
    );
    assert_eq!(
        expire(&saga.commands, &open(&placed)).await.unwrap(),
        Expiry::AlreadySettled,
        "exactly once"
    );
    let order = saga.order(&placed).await;
    assert_eq!(order.status, OrderStatus::Cancelled);
    assert_eq!(order.cancellation_reason, Some(CancellationReason::Timeout));
    let cancelled = saga.last_event("order", &placed.aggregate_id).await;
    assert_eq!(cancelled.event_type, "OrderCancelled");
    assert_eq!(cancelled.correlation_id, placed.correlation_id, "same saga");

    // The StockReserved message comes back from its dead-letter queue: nothing is taken.
    assert!(matches!(
        take_payment(&saga.commands, &reserved).await.unwrap(),
        PaymentOutcome::AlreadyDecided { .. }
    ));
    assert_eq!(saga.balance().await, BALANCE);

    // release-stock on the cancellation gives the reservation back, once.
    let released = settle(&saga.commands, &cancelled, Settlement::Release);
    assert!(matches!(
        released.await.unwrap(),
        StockOutcome::Settled { products: 1, .. }
    ));
    let again = settle(&saga.commands, &cancelled, Settlement::Release);
    assert!(matches!(
        again.await.unwrap(),
        StockOutcome::Settled { products: 0, .. }
    ));
    assert_eq!(saga.stock().await, (STOCK, 0));
    // commit-stock has nothing to do with a cancellation.
    let commit = settle(&saga.commands, &cancelled, Settlement::Commit);
    assert_eq!(commit.await.unwrap(), StockOutcome::Ignored);
}

#[tokio::test]
async fn an_order_not_reserved_yet_times_out_and_its_late_order_placed_reserves_nothing() {
    let saga = Saga::start(BALANCE).await;
    let placed = saga.place().await;

    assert_eq!(
        expire(&saga.commands, &open(&placed)).await.unwrap(),
        Expiry::Cancelled
    );
    assert!(matches!(
        reserve(&saga.commands, &placed).await.unwrap(),
        StockOutcome::AlreadyDecided { .. }
    ));
    assert_eq!(saga.stock().await, (STOCK, 0));
}

/// The `PaymentAccepted` of the order, as the commit step receives it.
async fn paid(saga: &Saga, reserved: &EventEnvelope) -> EventEnvelope {
    assert!(matches!(
        take_payment(&saga.commands, reserved).await.unwrap(),
        PaymentOutcome::Accepted { .. }
    ));
    saga.last_event("customer", saga.customer_id).await
}

/// An order placed, reserved and paid for: its `OrderPlaced` and its `PaymentAccepted`.
async fn paid_order(saga: &Saga) -> (EventEnvelope, EventEnvelope) {
    let placed = saga.place().await;
    let reserved = saga.reserve(&placed).await;
    let accepted = paid(saga, &reserved).await;
    (placed, accepted)
}

#[tokio::test]
async fn a_paid_order_not_sold_yet_is_refunded_and_its_late_commit_sells_nothing() {
    let saga = Saga::start(BALANCE).await;
    let (placed, accepted) = paid_order(&saga).await;
    assert_eq!(saga.balance().await, BALANCE - 200);

    assert_eq!(
        expire(&saga.commands, &open(&placed)).await.unwrap(),
        Expiry::Refunded
    );
    assert_eq!(saga.balance().await, BALANCE, "the payment is given back");
    let order = saga.order(&placed).await;
    assert_eq!(order.cancellation_reason, Some(CancellationReason::Timeout));

    // commit-stock's message arrives late, while the reservation is still held: no sale.
    let commit = settle(&saga.commands, &accepted, Settlement::Commit).await;
    assert!(matches!(
        commit.unwrap(),
        StockOutcome::Settled { products: 0, .. }
    ));
    assert_eq!(saga.stock().await, (STOCK, 2));
    let cancelled = saga.last_event("order", &placed.aggregate_id).await;
    let release = settle(&saga.commands, &cancelled, Settlement::Release).await;
    assert!(matches!(
        release.unwrap(),
        StockOutcome::Settled { products: 1, .. }
    ));
    assert_eq!(saga.stock().await, (STOCK, 0));
    assert_eq!(saga.balance().await, BALANCE);
}

#[tokio::test]
async fn a_sold_and_paid_order_is_confirmed_and_a_refused_one_cancelled() {
    let saga = Saga::start(BALANCE).await;
    let (placed, accepted) = paid_order(&saga).await;
    let commit = settle(&saga.commands, &accepted, Settlement::Commit).await;
    assert!(matches!(
        commit.unwrap(),
        StockOutcome::Settled { products: 1, .. }
    ));

    assert_eq!(
        expire(&saga.commands, &open(&placed)).await.unwrap(),
        Expiry::Confirmed
    );
    assert_eq!(saga.order(&placed).await.status, OrderStatus::Confirmed);
    assert_eq!(saga.balance().await, BALANCE - 200);
    assert_eq!(saga.stock().await, (STOCK - 2, 0));

    let poor = Saga::start(100).await;
    let placed = poor.place().await;
    let reserved = poor.reserve(&placed).await;
    assert!(matches!(
        take_payment(&poor.commands, &reserved).await.unwrap(),
        PaymentOutcome::Refused { .. }
    ));
    assert_eq!(
        expire(&poor.commands, &open(&placed)).await.unwrap(),
        Expiry::Cancelled
    );
    let order = poor.order(&placed).await;
    assert_eq!(order.cancellation_reason, Some(CancellationReason::Timeout));
    assert_eq!(poor.balance().await, 100);
}

#[tokio::test]
async fn payment_and_deadline_at_the_same_moment_leave_the_balance_whole() {
    let saga = Saga::start(BALANCE).await;
    for _ in 0..6 {
        let placed = saga.place().await;
        let reserved = saga.reserve(&placed).await;
        let balance_before = saga.balance().await;
        let open = open(&placed);
        let (paid, expired) = tokio::join!(
            take_payment(&saga.commands, &reserved),
            expire(&saga.commands, &open)
        );
        let (paid, expired) = (paid.unwrap(), expired.unwrap());
        // Paid first, then refunded; or timed out first, and the payment took nothing.
        match paid {
            PaymentOutcome::Accepted { .. } => assert_eq!(expired, Expiry::Refunded),
            PaymentOutcome::AlreadyDecided { .. } => assert_eq!(expired, Expiry::Cancelled),
            other => panic!("{other:?}"),
        }
        assert_eq!(saga.order(&placed).await.status, OrderStatus::Cancelled);
        assert_eq!(saga.balance().await, balance_before);
    }
}

#[tokio::test]
async fn commit_and_deadline_at_the_same_moment_sell_or_refund_never_both() {
    let saga = Saga::start(BALANCE).await;
    for _ in 0..6 {
        let (placed, accepted) = paid_order(&saga).await;
        let (balance_before, (stock_before, _)) = (saga.balance().await, saga.stock().await);
        let open = open(&placed);
        let (committed, expired) = tokio::join!(
            settle(&saga.commands, &accepted, Settlement::Commit),
            expire(&saga.commands, &open)
        );
        let order = saga.order(&placed).await;
        match (committed.unwrap(), expired.unwrap()) {
            (StockOutcome::Settled { products: 1, .. }, Expiry::Confirmed) => {
                assert_eq!(order.status, OrderStatus::Confirmed);
                assert_eq!(saga.balance().await, balance_before);
                assert_eq!(saga.stock().await.0, stock_before - 2);
            }
            (StockOutcome::Settled { products: 0, .. }, Expiry::Refunded) => {
                assert_eq!(order.status, OrderStatus::Cancelled);
                assert_eq!(saga.balance().await, balance_before + 200);
                assert_eq!(saga.stock().await.0, stock_before);
                let cancelled = saga.last_event("order", &placed.aggregate_id).await;
                settle(&saga.commands, &cancelled, Settlement::Release)
                    .await
                    .unwrap();
            }
            other => panic!("{other:?}"),
        }
    }
}
