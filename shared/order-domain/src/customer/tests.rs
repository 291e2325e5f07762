use es_core::{Aggregate, RejectionKind, UniqueClaim};
use serde_json::json;
use uuid::Uuid;

use super::*;
use crate::testing::{fields, given, round_trip, snapshot_round_trip, Rng};

fn customer_id() -> Uuid {
    Uuid::from_u128(0xC1)
}

fn order(n: u128) -> Uuid {
    Uuid::from_u128(0x0D00 + n)
}

fn registered(balance_cents: u64) -> CustomerEvent {
    CustomerEvent::CustomerRegistered {
        customer_id: customer_id(),
        name: "Ada Lovelace".into(),
        email: "ada@example.com".into(),
        balance_cents,
    }
}

fn pay(n: u128, amount_cents: u64) -> CustomerCommand {
    PayForOrder {
        order_id: order(n),
        amount_cents,
    }
    .into()
}

#[test]
fn registers_a_customer() {
    let body = json!({"name": " Ada Lovelace ", "email": "ada@example.com", "balance_cents": 5000});
    let command = RegisterCustomer::from_json(customer_id(), &body).unwrap();
    let state = given::<Customer>(&[])
        .when(command.into())
        .then(vec![registered(5000)]);
    assert!(state.exists());
    assert_eq!(state.balance_cents, 5000);
    assert_eq!(state.name, "Ada Lovelace");
}

#[test]
fn register_twice_is_a_conflict() {
    let body = json!({"name": "Ada", "email": "ada@example.com", "balance_cents": 0});
    let command = RegisterCustomer::from_json(customer_id(), &body).unwrap();
    given::<Customer>(&[registered(0)])
        .when(command.into())
        .then_refused(RejectionKind::Conflict, "customer_already_exists");
}

#[test]
fn register_reports_every_bad_field_at_once() {
    let body = json!({"name": "", "email": "not-an-email", "balance_cents": -5, "vip": true});
    assert_eq!(
        fields(RegisterCustomer::from_json(customer_id(), &body)),
        ["vip", "name", "email", "balance_cents"]
    );
    assert_eq!(
        fields(RegisterCustomer::from_json(customer_id(), &json!({}))),
        ["name", "email", "balance_cents"]
    );
    let body = json!({"name": "Ada", "email": 3, "balance_cents": 1_000_000_001});
    assert_eq!(
        fields(RegisterCustomer::from_json(customer_id(), &body)),
        ["email", "balance_cents"]
    );
}

#[test]
fn deposits() {
    let command = MakeDeposit::from_json(&json!({"amount_cents": 250})).unwrap();
    let state = given::<Customer>(&[registered(100)])
        .when(command.into())
        .then(vec![CustomerEvent::DepositMade { amount_cents: 250 }]);
    assert_eq!(state.balance_cents, 350);
}

#[test]
fn deposit_validation() {
    assert_eq!(
        fields(MakeDeposit::from_json(&json!({"amount_cents": 0}))),
        ["amount_cents"]
    );
    assert_eq!(
        fields(MakeDeposit::from_json(
            &json!({"amount_cents": "10", "note": "x"})
        )),
        ["note", "amount_cents"]
    );
    assert_eq!(
        fields(MakeDeposit::from_json(
            &json!({"amount_cents": 1_000_000_001})
        )),
        ["amount_cents"]
    );
}

#[test]
fn commands_on_a_missing_customer_are_not_found() {
    for command in [MakeDeposit { amount_cents: 1 }.into(), pay(1, 1)] {
        given::<Customer>(&[])
            .when(command)
            .then_refused(RejectionKind::NotFound, "not_found");
    }
}

#[test]
fn accepts_a_payment_the_balance_covers() {
    let state = given::<Customer>(&[registered(1000)])
        .when(pay(1, 1000))
        .then(vec![CustomerEvent::PaymentAccepted {
            order_id: order(1),
            amount_cents: 1000,
        }]);
    assert_eq!(state.balance_cents, 0);
}

#[test]
fn refuses_a_payment_the_balance_does_not_cover_as_an_event() {
    let state = given::<Customer>(&[registered(999)])
        .when(pay(1, 1000))
        .then(vec![CustomerEvent::PaymentRefused {
            order_id: order(1),
            amount_cents: 1000,
            balance_cents: 999,
        }]);
    assert_eq!(state.balance_cents, 999);
}

#[test]
fn both_payment_outcomes_claim_the_order() {
    let claim = UniqueClaim {
        scope: PAYMENT_SCOPE,
        value: order(1).to_string(),
    };
    assert_eq!(PAYMENT_SCOPE, "customer.payment");
    let accepted = CustomerEvent::PaymentAccepted {
        order_id: order(1),
        amount_cents: 1,
    };
    let refused = CustomerEvent::PaymentRefused {
        order_id: order(1),
        amount_cents: 1,
        balance_cents: 0,
    };
    assert_eq!(Customer::unique_claims(&accepted), vec![claim.clone()]);
    assert_eq!(Customer::unique_claims(&refused), vec![claim]);
    assert!(Customer::unique_claims(&registered(0)).is_empty());
    assert!(Customer::unique_claims(&CustomerEvent::DepositMade { amount_cents: 1 }).is_empty());
}

#[test]
fn events_round_trip_with_their_event_types() {
    let data = round_trip(&registered(5), "CustomerRegistered");
    assert_eq!(
        data,
        json!({"customer_id": customer_id(), "name": "Ada Lovelace",
               "email": "ada@example.com", "balance_cents": 5})
    );
    round_trip(
        &CustomerEvent::DepositMade { amount_cents: 3 },
        "DepositMade",
    );
    let data = round_trip(
        &CustomerEvent::PaymentAccepted {
            order_id: order(1),
            amount_cents: 3,
        },
        "PaymentAccepted",
    );
    assert_eq!(data, json!({"order_id": order(1), "amount_cents": 3}));
    round_trip(
        &CustomerEvent::PaymentRefused {
            order_id: order(1),
            amount_cents: 3,
            balance_cents: 2,
        },
        "PaymentRefused",
    );
    snapshot_round_trip(&Customer::replay(&[registered(5)]));
}

/// Whatever the deposits and payments, the balance never goes negative and is always
/// `initial + deposits - accepted payments`.
#[test]
fn balance_never_goes_negative() {
    for seed in [3u64, 99, 2026] {
        let mut rng = Rng::new(seed);
        let mut state = Customer::replay(&[registered(500)]);
        let (mut deposits, mut paid) = (0u64, 0u64);
        for n in 0..2000u128 {
            let command = if rng.below(3) == 0 {
                MakeDeposit {
                    amount_cents: 1 + rng.below(400),
                }
                .into()
            } else {
                pay(n, rng.below(600))
            };
            for event in state.handle(&command).unwrap() {
                match &event {
                    CustomerEvent::DepositMade { amount_cents } => deposits += amount_cents,
                    CustomerEvent::PaymentAccepted { amount_cents, .. } => paid += amount_cents,
                    CustomerEvent::PaymentRefused {
                        amount_cents,
                        balance_cents,
                        ..
                    } => assert!(amount_cents > balance_cents),
                    _ => {}
                }
                state.apply(&event);
            }
            assert!(paid <= 500 + deposits, "seed {seed}");
            assert_eq!(state.balance_cents, 500 + deposits - paid);
        }
    }
}
