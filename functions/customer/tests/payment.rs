//! The payment step against DynamoDB (moto): a customer's balance is debited once per order,
//! whatever the redeliveries.

use customer_functions::payment::{take_payment, PaymentOutcome};
use es_core::{Aggregate, StreamId};
use es_core::{CommandContext, EventEnvelope};
use event_consumer::Step;
use event_store::{CommandHandler, Expected};
use order_domain::{
    Customer, CustomerCommand, Order, OrderCommand, OrderLine, PlaceOrder, Product, ProductEvent,
};
use test_support::orders::register_customer;
use test_support::EventStoreFixture;
use uuid::Uuid;

/// The payment step on the fixture's store, its events from `take-payment` as in production.
fn commands(fixture: &EventStoreFixture) -> Step {
    Step::new(fixture.commands(), "take-payment")
}

fn ctx() -> CommandContext {
    CommandContext::for_request("test", Some("payment-test"), "request")
}

async fn customer(commands: &CommandHandler, balance_cents: u64) -> Uuid {
    register_customer(commands, balance_cents, &ctx()).await
}

/// An order of two products at 300 and 200, and the `StockReserved` of each line.
async fn reserved_order(commands: &CommandHandler, customer_id: Uuid) -> Vec<EventEnvelope> {
    let order_id = Uuid::new_v4();
    let products = [Uuid::new_v4(), Uuid::new_v4()];
    let lines = vec![
        OrderLine {
            product_id: products[0],
            quantity: 1,
            price_cents: 300,
        },
        OrderLine {
            product_id: products[1],
            quantity: 1,
            price_cents: 200,
        },
    ];
    let place = OrderCommand::Place(PlaceOrder {
        order_id,
        customer_id,
        lines,
    });
    commands
        .execute::<Order>(&order_id.to_string(), &place, Expected::Any, &ctx())
        .await
        .unwrap();
    products
        .iter()
        .map(|product_id| {
            let event = ProductEvent::StockReserved {
                order_id,
                product_id: *product_id,
                quantity: 1,
            };
            EventEnvelope::new(
                &StreamId::new(Product::TYPE, product_id.to_string()),
                2,
                &event,
                &ctx(),
            )
            .unwrap()
        })
        .collect()
}

/// A customer with a balance, and an order of theirs whose two lines are reserved: what the
/// payment step is handed.
struct Scenario {
    _fixture: EventStoreFixture,
    commands: Step,
    customer_id: Uuid,
    order_id: Uuid,
    /// The `StockReserved` of each line, as [`reserved_order`] makes them.
    reserved: Vec<EventEnvelope>,
}

impl Scenario {
    async fn start(balance_cents: u64) -> Self {
        let fixture = EventStoreFixture::start().await;
        let commands = commands(&fixture);
        let customer_id = customer(&commands, balance_cents).await;
        let reserved = reserved_order(&commands, customer_id).await;
        let order_id = serde_json::from_value(reserved[0].data["order_id"].clone()).unwrap();
        Self {
            _fixture: fixture,
            commands,
            customer_id,
            order_id,
            reserved,
        }
    }

    /// The payment step, handed the `StockReserved` of line `line`.
    async fn take_payment(&self, line: usize) -> PaymentOutcome {
        take_payment(&self.commands, &self.reserved[line])
            .await
            .unwrap()
    }

    /// The customer's balance and version.
    async fn balance(&self) -> (u64, u64) {
        let loaded = self
            .commands
            .store()
            .load::<Customer>(&self.customer_id.to_string())
            .await
            .unwrap();
        (loaded.state.balance_cents, loaded.version)
    }
}

#[tokio::test]
async fn an_order_is_paid_once_from_its_first_line() {
    let s = Scenario::start(1000).await;
    let order_id = s.order_id;
    assert_eq!(
        s.take_payment(1).await,
        PaymentOutcome::Ignored,
        "the second line's reservation says nothing new"
    );
    // The first line's event, handled twice at once, then redelivered.
    let (a, b) = tokio::join!(s.take_payment(0), s.take_payment(0));
    let mut outcomes = vec![a, b];
    outcomes.sort_by_key(|o| format!("{o:?}"));
    assert_eq!(
        outcomes,
        [
            PaymentOutcome::Accepted { order_id },
            PaymentOutcome::AlreadyDecided { order_id }
        ]
    );
    assert_eq!(
        s.take_payment(0).await,
        PaymentOutcome::AlreadyDecided { order_id }
    );
    assert_eq!(s.balance().await, (500, 2), "debited once");
}

#[tokio::test]
async fn a_balance_that_does_not_cover_the_total_refuses_and_keeps_refusing() {
    let s = Scenario::start(499).await;
    let order_id = s.order_id;
    assert_eq!(
        s.take_payment(0).await,
        PaymentOutcome::Refused { order_id }
    );
    // A deposit now does not turn the decision around on a redelivery.
    let deposit = CustomerCommand::Deposit(order_domain::MakeDeposit { amount_cents: 1000 });
    s.commands
        .execute::<Customer>(&s.customer_id.to_string(), &deposit, Expected::Any, &ctx())
        .await
        .unwrap();
    assert_eq!(
        s.take_payment(0).await,
        PaymentOutcome::AlreadyDecided { order_id }
    );
    assert_eq!(s.balance().await, (1499, 3));
}
