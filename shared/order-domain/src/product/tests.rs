use es_core::{Aggregate, RejectionKind};
use serde_json::json;
use uuid::Uuid;

use super::*;
use crate::testing::{
    each_needs_an_existing, fields, given, order, round_trip, snapshot_round_trip, Rng,
};

fn product_id() -> Uuid {
    Uuid::from_u128(0xB1)
}

fn created(initial_stock: u32) -> ProductEvent {
    ProductEvent::ProductCreated {
        product_id: product_id(),
        name: "Espresso cup".into(),
        price_cents: 1250,
        initial_stock,
        reorder_level: 10,
    }
}

fn reserved(n: u128, quantity: u32) -> ProductEvent {
    ProductEvent::StockReserved {
        order_id: order(n),
        product_id: product_id(),
        quantity,
    }
}

fn committed(n: u128, quantity: u32) -> ProductEvent {
    ProductEvent::StockCommitted {
        order_id: order(n),
        product_id: product_id(),
        quantity,
    }
}

fn released(n: u128, quantity: u32) -> ProductEvent {
    ProductEvent::StockReleased {
        order_id: order(n),
        product_id: product_id(),
        quantity,
    }
}

fn reserve(n: u128, quantity: u32) -> ProductCommand {
    ReserveStock {
        order_id: order(n),
        quantity,
    }
    .into()
}

fn commit(n: u128) -> ProductCommand {
    CommitStock { order_id: order(n) }.into()
}

fn release(n: u128) -> ProductCommand {
    ReleaseStock { order_id: order(n) }.into()
}

// ---- create ----

#[test]
fn creates_a_product_with_the_default_reorder_level() {
    let body = json!({"name": "  Espresso cup ", "price_cents": 1250, "initial_stock": 5});
    let command = CreateProduct::from_json(product_id(), &body).unwrap();
    assert_eq!(command.reorder_level, DEFAULT_REORDER_LEVEL);
    let state = given::<Product>(&[])
        .when(command.into())
        .then(vec![created(5)]);
    assert!(state.exists());
    assert_eq!(state.name, "Espresso cup");
    assert_eq!(
        (state.stock, state.available(), state.reserved()),
        (5, 5, 0)
    );
    assert!(state.is_low_stock());
}

#[test]
fn create_reads_an_explicit_reorder_level() {
    let body = json!({"name": "Mug", "price_cents": 1, "initial_stock": 0, "reorder_level": 0});
    let command = CreateProduct::from_json(product_id(), &body).unwrap();
    assert_eq!(command.reorder_level, 0);
    assert_eq!(command.initial_stock, 0);
}

#[test]
fn create_twice_is_a_conflict() {
    let command = CreateProduct::from_json(
        product_id(),
        &json!({"name": "Mug", "price_cents": 100, "initial_stock": 1}),
    )
    .unwrap();
    given::<Product>(&[created(5)])
        .when(command.into())
        .then_refused(RejectionKind::Conflict, "product_already_exists");
}

#[test]
fn create_reports_every_bad_field_at_once() {
    let body = json!({
        "name": "", "price_cents": 0, "initial_stock": -1, "reorder_level": 1.5, "colour": "red"
    });
    assert_eq!(
        fields(CreateProduct::from_json(product_id(), &body)),
        [
            "colour",
            "name",
            "price_cents",
            "initial_stock",
            "reorder_level"
        ]
    );
    assert_eq!(
        fields(CreateProduct::from_json(product_id(), &json!({}))),
        ["name", "price_cents", "initial_stock"]
    );
    let too_much =
        json!({"name": "x".repeat(201), "price_cents": 100_000_001, "initial_stock": 1_000_001});
    assert_eq!(
        fields(CreateProduct::from_json(product_id(), &too_much)),
        ["name", "price_cents", "initial_stock"]
    );
    assert_eq!(
        fields(CreateProduct::from_json(product_id(), &json!("mug"))),
        ["body"]
    );
}

// ---- restock ----

#[test]
fn restocks() {
    let command = RestockProduct::from_json(&json!({"quantity": 20})).unwrap();
    let state = given::<Product>(&[created(5)])
        .when(command.into())
        .then(vec![ProductEvent::ProductRestocked { quantity: 20 }]);
    assert_eq!(state.stock, 25);
    assert!(!state.is_low_stock());
}

#[test]
fn restock_validation() {
    assert_eq!(
        fields(RestockProduct::from_json(&json!({"quantity": 0}))),
        ["quantity"]
    );
    assert_eq!(
        fields(RestockProduct::from_json(
            &json!({"quantity": 1_000_001, "x": 1})
        )),
        ["x", "quantity"]
    );
    assert_eq!(fields(RestockProduct::from_json(&json!({}))), ["quantity"]);
}

#[test]
fn commands_on_a_missing_product_are_not_found() {
    each_needs_an_existing::<Product>([
        RestockProduct { quantity: 1 }.into(),
        reserve(1, 1),
        commit(1),
        release(1),
    ]);
}

// ---- reserve ----

#[test]
fn reserves_from_available_stock() {
    let state = given::<Product>(&[created(5)])
        .when(reserve(1, 3))
        .then(vec![reserved(1, 3)]);
    assert_eq!(
        (state.stock, state.reserved(), state.available()),
        (5, 3, 2)
    );
}

#[test]
fn reserves_all_that_is_available() {
    let state = given::<Product>(&[created(5), reserved(1, 3)])
        .when(reserve(2, 2))
        .then(vec![reserved(2, 2)]);
    assert_eq!(state.available(), 0);
}

#[test]
fn refuses_a_reservation_over_what_is_available() {
    let error = given::<Product>(&[created(5), reserved(1, 3)])
        .when(reserve(2, 3))
        .then_refused(RejectionKind::BusinessRule, "out_of_stock");
    assert_eq!(
        error,
        ProductError::InsufficientStock {
            available: 2,
            requested: 3
        }
    );
}

#[test]
fn reserving_again_for_the_same_order_does_nothing() {
    given::<Product>(&[created(5), reserved(1, 3)])
        .when(reserve(1, 3))
        .then_nothing();
    // Even when it would no longer fit: the first reservation stands.
    given::<Product>(&[created(5), reserved(1, 3)])
        .when(reserve(1, 5))
        .then_nothing();
}

// ---- commit / release ----

#[test]
fn commit_turns_the_reservation_into_a_sale() {
    let state = given::<Product>(&[created(5), reserved(1, 3)])
        .when(commit(1))
        .then(vec![committed(1, 3)]);
    assert_eq!(
        (state.stock, state.reserved(), state.available()),
        (2, 0, 2)
    );
    assert!(state.reservations.is_empty());
}

#[test]
fn commit_or_release_without_a_reservation_does_nothing() {
    let without_a_reservation = [
        vec![created(5)],
        vec![created(5), reserved(1, 3), committed(1, 3)],
        vec![created(5), reserved(1, 3), released(1, 3)],
    ];
    for settle in [commit, release] {
        for history in &without_a_reservation {
            given::<Product>(history).when(settle(1)).then_nothing();
        }
    }
}

#[test]
fn release_gives_the_reservation_back() {
    let state = given::<Product>(&[created(5), reserved(1, 3), reserved(2, 1)])
        .when(release(1))
        .then(vec![released(1, 3)]);
    assert_eq!(
        (state.stock, state.reserved(), state.available()),
        (5, 1, 4)
    );
}

// ---- serialisation ----

#[test]
fn events_round_trip_with_their_event_types() {
    let data = round_trip(&created(5), "ProductCreated");
    assert_eq!(
        data,
        json!({"product_id": product_id(), "name": "Espresso cup", "price_cents": 1250,
               "initial_stock": 5, "reorder_level": 10})
    );
    round_trip(
        &ProductEvent::ProductRestocked { quantity: 2 },
        "ProductRestocked",
    );
    let data = round_trip(&reserved(1, 3), "StockReserved");
    assert_eq!(
        data,
        json!({"order_id": order(1), "product_id": product_id(), "quantity": 3})
    );
    round_trip(&committed(1, 3), "StockCommitted");
    round_trip(&released(1, 3), "StockReleased");
    let data = round_trip(
        &ProductEvent::StockUnavailable {
            order_id: order(1),
            product_id: product_id(),
            requested: 4,
            available: 3,
        },
        "StockUnavailable",
    );
    assert_eq!(
        data,
        json!({"order_id": order(1), "product_id": product_id(), "requested": 4, "available": 3})
    );
}

#[test]
fn state_survives_a_snapshot() {
    let state = Product::replay(&[created(5), reserved(1, 3), reserved(2, 1)]);
    snapshot_round_trip(&state);
}

// ---- properties ----

/// Whatever the sequence of reservations, commits, releases and restocks (including
/// redeliveries and refusals), stock and availability never go negative, and
/// `stock + sold = initial + restocked` with `reserved` accounting for the rest.
#[test]
fn stock_never_goes_negative_and_is_conserved() {
    for seed in [1u64, 7, 42, 2026, 0xDEAD_BEEF] {
        let mut rng = Rng::new(seed);
        let initial = 20u32;
        let mut events = vec![created(initial)];
        let mut state = Product::replay(&events);
        let (mut restocked, mut sold) = (0u64, 0u64);
        for _ in 0..2000 {
            let n = u128::from(rng.below(30));
            let command = match rng.below(10) {
                0..=3 => reserve(n, 1 + rng.below(8) as u32),
                4..=5 => commit(n),
                6..=7 => release(n),
                _ => RestockProduct {
                    quantity: 1 + rng.below(5) as u32,
                }
                .into(),
            };
            let before_available = state.available();
            match state.handle(&command) {
                Ok(new_events) => {
                    for event in &new_events {
                        match event {
                            ProductEvent::ProductRestocked { quantity } => {
                                restocked += u64::from(*quantity)
                            }
                            ProductEvent::StockCommitted { quantity, .. } => {
                                sold += u64::from(*quantity)
                            }
                            _ => {}
                        }
                        state.apply(event);
                        events.push(event.clone());
                    }
                }
                Err(ProductError::InsufficientStock {
                    available,
                    requested,
                }) => {
                    assert_eq!(available, before_available);
                    assert!(u64::from(requested) > available);
                }
                Err(other) => panic!("unexpected refusal {other:?}"),
            }
            // Never negative: `reserved` never exceeds `stock`, so `available` needs no
            // saturation.
            assert!(state.reserved() <= state.stock, "seed {seed}");
            assert_eq!(state.stock + sold, u64::from(initial) + restocked);
        }
        // Replaying the stream gives the same state.
        assert_eq!(Product::replay(&events), state);
        // Settle every order still in flight: nothing stays reserved.
        for n in 0..30 {
            let new_events = state.handle(&release(n)).unwrap();
            for event in &new_events {
                state.apply(event);
            }
        }
        assert_eq!(state.reserved(), 0);
        assert_eq!(state.available(), state.stock);
        assert_eq!(state.stock + sold, u64::from(initial) + restocked);
    }
}
