use es_core::{Aggregate, RejectionKind};
use serde_json::json;
use uuid::Uuid;

use super::*;
use crate::line::OrderLine;
use crate::testing::{
    customer_id, each_needs_an_existing, given, order_id, round_trip, snapshot_round_trip,
};

fn lines() -> Vec<OrderLine> {
    vec![
        OrderLine {
            product_id: Uuid::from_u128(0xB1),
            quantity: 2,
            price_cents: 300,
        },
        OrderLine {
            product_id: Uuid::from_u128(0xB2),
            quantity: 1,
            price_cents: 50,
        },
    ]
}

fn place() -> OrderCommand {
    PlaceOrder {
        order_id: order_id(),
        customer_id: customer_id(),
        lines: lines(),
    }
    .into()
}

fn placed() -> OrderEvent {
    OrderEvent::OrderPlaced {
        order_id: order_id(),
        customer_id: customer_id(),
        lines: lines(),
        total_cents: 650,
    }
}

fn cancel(reason: CancellationReason) -> OrderCommand {
    CancelOrder { reason }.into()
}

fn cancelled(reason: CancellationReason) -> OrderEvent {
    OrderEvent::OrderCancelled { reason }
}

#[test]
fn places_a_pending_order_with_its_total() {
    let state = given::<Order>(&[]).when(place()).then(vec![placed()]);
    assert_eq!(state.status, OrderStatus::Pending);
    assert_eq!(state.total_cents, 650);
    assert_eq!(state.customer_id, Some(customer_id()));
    assert_eq!(state.cancellation_reason, None);
}

#[test]
fn placing_the_same_order_again_does_nothing() {
    given::<Order>(&[placed()]).when(place()).then_nothing();
}

#[test]
fn placing_a_different_order_under_the_same_id_is_a_conflict() {
    let command = PlaceOrder {
        order_id: order_id(),
        customer_id: Uuid::from_u128(0xC2),
        lines: lines(),
    };
    given::<Order>(&[placed()])
        .when(command.into())
        .then_refused(RejectionKind::Conflict, "order_already_exists");
}

#[test]
fn an_order_needs_lines() {
    let command = PlaceOrder {
        order_id: order_id(),
        customer_id: customer_id(),
        lines: Vec::new(),
    };
    given::<Order>(&[])
        .when(command.into())
        .then_refused(RejectionKind::BusinessRule, "empty_order");
}

#[test]
fn commands_on_a_missing_order_are_not_found() {
    each_needs_an_existing::<Order>([ConfirmSale.into(), cancel(CancellationReason::OutOfStock)]);
}

#[test]
fn confirms_a_pending_order() {
    let state = given::<Order>(&[placed()])
        .when(ConfirmSale.into())
        .then(vec![OrderEvent::SaleConfirmed]);
    assert_eq!(state.status, OrderStatus::Confirmed);
}

#[test]
fn confirming_again_does_nothing() {
    given::<Order>(&[placed(), OrderEvent::SaleConfirmed])
        .when(ConfirmSale.into())
        .then_nothing();
}

#[test]
fn a_cancelled_order_cannot_be_confirmed() {
    let error = given::<Order>(&[placed(), cancelled(CancellationReason::PaymentRefused)])
        .when(ConfirmSale.into())
        .then_refused(RejectionKind::BusinessRule, "invalid_transition");
    assert_eq!(
        error,
        OrderError::InvalidTransition {
            from: OrderStatus::Cancelled,
            to: OrderStatus::Confirmed
        }
    );
}

#[test]
fn cancels_a_pending_order_with_its_reason() {
    for reason in [
        CancellationReason::OutOfStock,
        CancellationReason::PaymentRefused,
    ] {
        let state = given::<Order>(&[placed()])
            .when(cancel(reason))
            .then(vec![cancelled(reason)]);
        assert_eq!(state.status, OrderStatus::Cancelled);
        assert_eq!(state.cancellation_reason, Some(reason));
    }
}

#[test]
fn cancelling_again_does_nothing_and_the_first_reason_stands() {
    given::<Order>(&[placed(), cancelled(CancellationReason::OutOfStock)])
        .when(cancel(CancellationReason::OutOfStock))
        .then_nothing();
    given::<Order>(&[placed(), cancelled(CancellationReason::OutOfStock)])
        .when(cancel(CancellationReason::PaymentRefused))
        .then_nothing();
}

#[test]
fn a_confirmed_order_cannot_be_cancelled() {
    let error = given::<Order>(&[placed(), OrderEvent::SaleConfirmed])
        .when(cancel(CancellationReason::PaymentRefused))
        .then_refused(RejectionKind::BusinessRule, "invalid_transition");
    assert_eq!(
        error,
        OrderError::InvalidTransition {
            from: OrderStatus::Confirmed,
            to: OrderStatus::Cancelled
        }
    );
}

#[test]
fn events_round_trip_with_their_event_types() {
    let data = round_trip(&placed(), "OrderPlaced");
    assert_eq!(data["total_cents"], 650);
    assert_eq!(data["customer_id"], json!(customer_id()));
    assert_eq!(data["lines"][0]["quantity"], 2);
    round_trip(&OrderEvent::SaleConfirmed, "SaleConfirmed");
    let data = round_trip(
        &cancelled(CancellationReason::PaymentRefused),
        "OrderCancelled",
    );
    assert_eq!(data, json!({"reason": "payment_refused"}));
    let data = round_trip(&cancelled(CancellationReason::OutOfStock), "OrderCancelled");
    assert_eq!(data, json!({"reason": "out_of_stock"}));
    snapshot_round_trip(&Order::replay(&[
        placed(),
        cancelled(CancellationReason::OutOfStock),
    ]));
}
