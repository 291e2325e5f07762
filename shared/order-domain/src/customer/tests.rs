use es_core::{Aggregate, RejectionKind, UniqueClaim};
use serde_json::json;

use super::*;
use crate::testing::{
    customer_id, each_needs_an_existing, fields, given, order, round_trip, snapshot_round_trip,
    PlainSealer, Rng,
};

fn sealed(text: &str) -> es_core::Sealed {
    PlainSealer::sealed(text)
}

fn register(body: &serde_json::Value) -> Result<RegisterCustomer, es_core::ValidationError> {
    RegisterCustomer::from_json(customer_id(), body, &PlainSealer)
}

fn registered(balance_cents: u64) -> CustomerEvent {
    CustomerEvent::CustomerRegistered {
        customer_id: customer_id(),
        name: sealed("Ada Lovelace"),
        email: sealed("ada@example.com"),
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
    let command = register(&body).unwrap();
    let state = given::<Customer>(&[])
        .when(command.into())
        .then(vec![registered(5000)]);
    assert!(state.exists());
    assert!(!state.is_erased());
    assert_eq!(state.balance_cents, 5000);
    assert_eq!(
        state.personal,
        Some(CustomerPersonalData {
            name: sealed("Ada Lovelace"),
            email: sealed("ada@example.com"),
        })
    );
}

#[test]
fn register_twice_is_a_conflict() {
    let body = json!({"name": "Ada", "email": "ada@example.com", "balance_cents": 0});
    let command = register(&body).unwrap();
    given::<Customer>(&[registered(0)])
        .when(command.into())
        .then_refused(RejectionKind::Conflict, "customer_already_exists");
}

#[test]
fn register_reports_every_bad_field_at_once() {
    let body = json!({"name": "", "email": "not-an-email", "balance_cents": -5, "vip": true});
    assert_eq!(
        fields(register(&body)),
        ["vip", "name", "email", "balance_cents"]
    );
    assert_eq!(
        fields(register(&json!({}))),
        ["name", "email", "balance_cents"]
    );
    let body = json!({"name": "Ada", "email": 3, "balance_cents": 1_000_000_001});
    assert_eq!(fields(register(&body)), ["email", "balance_cents"]);
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
    each_needs_an_existing::<Customer>([MakeDeposit { amount_cents: 1 }.into(), pay(1, 1)]);
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
        json!({"customer_id": customer_id(), "name": "sealed:Ada Lovelace",
               "email": "sealed:ada@example.com", "balance_cents": 5})
    );
    assert_eq!(
        round_trip(
            &CustomerEvent::CustomerPersonalDataErased {},
            "CustomerPersonalDataErased"
        ),
        json!({})
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
    assert_eq!(Customer::SNAPSHOT_SCHEMA, 2);
}

// ---- personal data (SPEC §7) ----

#[test]
fn name_and_email_are_sealed_under_their_fields_once_the_body_is_valid() {
    struct FieldSealer(std::cell::Cell<usize>);
    impl es_core::Sealer for FieldSealer {
        fn seal(&self, field: &str, plaintext: &str) -> es_core::Sealed {
            self.0.set(self.0.get() + 1);
            es_core::Sealed::from_sealed_text(format!("{field}={plaintext}"))
        }
        fn fingerprint(&self, scope: &str, value: &str) -> String {
            format!("{scope}~{value}")
        }
    }
    let sealer = FieldSealer(std::cell::Cell::new(0));
    let bad = json!({"name": "Ada", "email": "nope", "balance_cents": 0});
    assert!(RegisterCustomer::from_json(customer_id(), &bad, &sealer).is_err());
    assert_eq!(sealer.0.get(), 0);
    let body = json!({"name": " Ada ", "email": " ada@example.com ", "balance_cents": 0});
    let command = RegisterCustomer::from_json(customer_id(), &body, &sealer).unwrap();
    assert_eq!(command.name.as_str(), "name=Ada");
    assert_eq!(command.email.as_str(), "email=ada@example.com");
}

#[test]
fn erasing_forgets_name_and_email_and_keeps_the_balance_and_payments() {
    let state = given::<Customer>(&[registered(1000)])
        .when(CustomerCommand::ErasePersonalData)
        .then(vec![CustomerEvent::CustomerPersonalDataErased {}]);
    assert!(state.exists());
    assert!(state.is_erased());
    assert_eq!(state.personal, None);
    assert_eq!(state.balance_cents, 1000);
    let snapshot = serde_json::to_string(&state).unwrap();
    assert!(!snapshot.contains("sealed:"), "{snapshot}");
    snapshot_round_trip(&state);

    let erased = [
        registered(1000),
        CustomerEvent::CustomerPersonalDataErased {},
    ];
    let state = given::<Customer>(&erased)
        .when(MakeDeposit { amount_cents: 500 }.into())
        .then(vec![CustomerEvent::DepositMade { amount_cents: 500 }]);
    assert_eq!(state.balance_cents, 1500);
    given::<Customer>(&erased)
        .when(pay(1, 600))
        .then(vec![CustomerEvent::PaymentAccepted {
            order_id: order(1),
            amount_cents: 600,
        }]);
    assert!(Customer::unique_claims(&CustomerEvent::CustomerPersonalDataErased {}).is_empty());
}

#[test]
fn erasing_twice_appends_nothing_and_a_missing_customer_is_not_found() {
    given::<Customer>(&[registered(0), CustomerEvent::CustomerPersonalDataErased {}])
        .when(CustomerCommand::ErasePersonalData)
        .then_nothing();
    given::<Customer>(&[])
        .when(CustomerCommand::ErasePersonalData)
        .then_not_found();
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
