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

async fn balance(commands: &CommandHandler, customer_id: Uuid) -> (u64, u64) {
    let loaded = commands
        .store()
        .load::<Customer>(&customer_id.to_string())
        .await
        .unwrap();
    (loaded.state.balance_cents, loaded.version)
}

#[tokio::test]
async fn an_order_is_paid_once_from_its_first_line() {
    let fixture = EventStoreFixture::start().await;
    let commands = commands(&fixture);
    let customer_id = customer(&commands, 1000).await;
    let reserved = reserved_order(&commands, customer_id).await;
    let order_id: Uuid = serde_json::from_value(reserved[0].data["order_id"].clone()).unwrap();
    assert_eq!(
        take_payment(&commands, &reserved[1]).await.unwrap(),
        PaymentOutcome::Ignored,
        "the second line's reservation says nothing new"
    );
    // The first line's event, handled twice at once, then redelivered.
    let (a, b) = tokio::join!(
        take_payment(&commands, &reserved[0]),
        take_payment(&commands, &reserved[0])
    );
    let mut outcomes = vec![a.unwrap(), b.unwrap()];
    outcomes.sort_by_key(|o| format!("{o:?}"));
    assert_eq!(
        outcomes,
        [
            PaymentOutcome::Accepted { order_id },
            PaymentOutcome::AlreadyDecided { order_id }
        ]
    );
    assert_eq!(
        take_payment(&commands, &reserved[0]).await.unwrap(),
        PaymentOutcome::AlreadyDecided { order_id }
    );
    assert_eq!(
        balance(&commands, customer_id).await,
        (500, 2),
        "debited once"
    );
}

#[tokio::test]
async fn a_balance_that_does_not_cover_the_total_refuses_and_keeps_refusing() {
    let fixture = EventStoreFixture::start().await;
    let commands = commands(&fixture);
    let customer_id = customer(&commands, 499).await;
    let reserved = reserved_order(&commands, customer_id).await;
    let order_id: Uuid = serde_json::from_value(reserved[0].data["order_id"].clone()).unwrap();
    assert_eq!(
        take_payment(&commands, &reserved[0]).await.unwrap(),
        PaymentOutcome::Refused { order_id }
    );
    // A deposit now does not turn the decision around on a redelivery.
    let deposit = CustomerCommand::Deposit(order_domain::MakeDeposit { amount_cents: 1000 });
    commands
        .execute::<Customer>(&customer_id.to_string(), &deposit, Expected::Any, &ctx())
        .await
        .unwrap();
    assert_eq!(
        take_payment(&commands, &reserved[0]).await.unwrap(),
        PaymentOutcome::AlreadyDecided { order_id }
    );
    assert_eq!(balance(&commands, customer_id).await, (1499, 3));
}
