use es_core::{Aggregate, RejectionKind};
use serde_json::json;
use uuid::Uuid;

use super::*;
use crate::line::OrderLine;
use crate::testing::{fields, given, order_id, round_trip, snapshot_round_trip};

fn product(n: u128) -> Uuid {
    Uuid::from_u128(0xB00 + n)
}

fn added(n: u128, quantity: u32, price_cents: u64) -> CartEvent {
    CartEvent::CartItemAdded {
        product_id: product(n),
        quantity,
        price_cents,
    }
}

fn line(n: u128, quantity: u32, price_cents: u64) -> OrderLine {
    OrderLine {
        product_id: product(n),
        quantity,
        price_cents,
    }
}

#[test]
fn a_cart_exists_empty() {
    let cart = Cart::default();
    assert!(cart.is_empty());
    assert_eq!(cart.total_cents(), 0);
}

#[test]
fn adds_an_item_at_the_given_price() {
    let request =
        CartItemRequest::from_json(&json!({"product_id": product(1), "quantity": 2})).unwrap();
    let state = given::<Cart>(&[])
        .when(request.priced(300).into())
        .then(vec![added(1, 2, 300)]);
    assert_eq!(state.lines, vec![line(1, 2, 300)]);
    assert_eq!(state.total_cents(), 600);
}

#[test]
fn a_full_cart_takes_no_new_product_but_more_of_one_it_holds() {
    let full: Vec<CartEvent> = (1..=MAX_CART_LINES as u128)
        .map(|n| added(n, 1, 100))
        .collect();
    let add = |n: u128| -> CartCommand {
        AddCartItem {
            product_id: product(n),
            quantity: 1,
            price_cents: 100,
        }
        .into()
    };
    given::<Cart>(&full)
        .when(add(MAX_CART_LINES as u128 + 1))
        .then_refused(RejectionKind::BusinessRule, "cart_full");
    given::<Cart>(&full)
        .when(add(7))
        .then(vec![added(7, 1, 100)]);
    given::<Cart>(&full[1..])
        .when(add(MAX_CART_LINES as u128 + 1))
        .then(vec![added(MAX_CART_LINES as u128 + 1, 1, 100)]);
}

#[test]
fn adding_a_product_already_in_the_cart_adds_to_its_quantity() {
    let state = given::<Cart>(&[added(1, 2, 300), added(2, 1, 50)])
        .when(
            AddCartItem {
                product_id: product(1),
                quantity: 3,
                price_cents: 300,
            }
            .into(),
        )
        .then(vec![added(1, 3, 300)]);
    assert_eq!(state.lines, vec![line(1, 5, 300), line(2, 1, 50)]);
    assert_eq!(state.total_cents(), 1550);
}

#[test]
fn add_item_validation() {
    let body = json!({"product_id": "nope", "quantity": 0, "price_cents": 1});
    assert_eq!(
        fields(CartItemRequest::from_json(&body)),
        ["price_cents", "product_id", "quantity"]
    );
    assert_eq!(
        fields(CartItemRequest::from_json(&json!({}))),
        ["product_id", "quantity"]
    );
    let body = json!({"product_id": product(1), "quantity": 1001});
    assert_eq!(fields(CartItemRequest::from_json(&body)), ["quantity"]);
}

#[test]
fn removes_an_item() {
    let state = given::<Cart>(&[added(1, 2, 300), added(2, 1, 50)])
        .when(
            RemoveCartItem {
                product_id: product(1),
            }
            .into(),
        )
        .then(vec![CartEvent::CartItemRemoved {
            product_id: product(1),
        }]);
    assert_eq!(state.lines, vec![line(2, 1, 50)]);
}

#[test]
fn removing_a_product_not_in_the_cart_does_nothing() {
    given::<Cart>(&[added(2, 1, 50)])
        .when(
            RemoveCartItem {
                product_id: product(1),
            }
            .into(),
        )
        .then_nothing();
}

#[test]
fn clearing_takes_every_line_out_and_an_empty_cart_stays_as_it_is() {
    let state = given::<Cart>(&[added(1, 2, 300), added(2, 1, 50)])
        .when(CartCommand::Clear)
        .then(vec![
            CartEvent::CartItemRemoved {
                product_id: product(1),
            },
            CartEvent::CartItemRemoved {
                product_id: product(2),
            },
        ]);
    assert!(state.is_empty());
    given::<Cart>(&[]).when(CartCommand::Clear).then_nothing();
}

fn set(n: u128, quantity: u32, price_cents: u64) -> CartCommand {
    SetCartItemQuantity {
        product_id: product(n),
        quantity,
        price_cents,
    }
    .into()
}

fn removed(n: u128) -> CartEvent {
    CartEvent::CartItemRemoved {
        product_id: product(n),
    }
}

#[test]
fn setting_a_quantity_replaces_the_line_at_the_current_price() {
    let history = [added(1, 2, 300), added(2, 1, 50)];
    let cart = given::<Cart>(&history)
        .when(set(1, 5, 350))
        .then(vec![removed(1), added(1, 5, 350)]);
    assert_eq!(cart.lines, vec![line(2, 1, 50), line(1, 5, 350)]);
    given::<Cart>(&history).when(set(1, 2, 300)).then_nothing();
    let cart = given::<Cart>(&history)
        .when(set(1, 0, 300))
        .then(vec![removed(1)]);
    assert_eq!(cart.lines, vec![line(2, 1, 50)]);
}

#[test]
fn setting_a_quantity_of_a_product_not_in_the_cart_adds_it_within_the_limit() {
    given::<Cart>(&[])
        .when(set(1, 3, 300))
        .then(vec![added(1, 3, 300)]);
    given::<Cart>(&[]).when(set(1, 0, 300)).then_nothing();
    let full: Vec<CartEvent> = (1..=MAX_CART_LINES as u128)
        .map(|n| added(n, 1, 100))
        .collect();
    given::<Cart>(&full)
        .when(set(MAX_CART_LINES as u128 + 1, 1, 100))
        .then_refused(RejectionKind::BusinessRule, "cart_full");
    given::<Cart>(&full)
        .when(set(1, 4, 100))
        .then(vec![removed(1), added(1, 4, 100)]);
}

#[test]
fn a_quantity_is_0_to_1000() {
    assert_eq!(
        SetCartItemQuantity::quantity_from_json(&json!({"quantity": 0})).unwrap(),
        0
    );
    for bad in [
        json!({"quantity": 1001}),
        json!({"quantity": -1}),
        json!({}),
        json!({"quantity": 1, "x": 1}),
    ] {
        assert!(
            SetCartItemQuantity::quantity_from_json(&bad).is_err(),
            "{bad}"
        );
    }
}

#[test]
fn checkout_hands_the_lines_to_an_order_and_empties_the_cart() {
    let state = given::<Cart>(&[added(1, 2, 300), added(2, 1, 50)])
        .when(
            CheckoutCart {
                order_id: order_id(),
            }
            .into(),
        )
        .then(vec![CartEvent::CartCheckedOut {
            order_id: order_id(),
            lines: vec![line(1, 2, 300), line(2, 1, 50)],
        }]);
    assert!(state.is_empty());
}

#[test]
fn checkout_of_an_empty_cart_is_refused() {
    let checkout = || -> CartCommand {
        CheckoutCart {
            order_id: order_id(),
        }
        .into()
    };
    given::<Cart>(&[])
        .when(checkout())
        .then_refused(RejectionKind::BusinessRule, "empty_cart");
    // Emptied by removals, or by a previous checkout.
    given::<Cart>(&[
        added(1, 1, 1),
        CartEvent::CartItemRemoved {
            product_id: product(1),
        },
    ])
    .when(checkout())
    .then_refused(RejectionKind::BusinessRule, "empty_cart");
    given::<Cart>(&[
        added(1, 1, 1),
        CartEvent::CartCheckedOut {
            order_id: order_id(),
            lines: vec![line(1, 1, 1)],
        },
    ])
    .when(checkout())
    .then_refused(RejectionKind::BusinessRule, "empty_cart");
}

#[test]
fn events_round_trip_with_their_event_types() {
    let data = round_trip(&added(1, 2, 300), "CartItemAdded");
    assert_eq!(
        data,
        json!({"product_id": product(1), "quantity": 2, "price_cents": 300})
    );
    round_trip(
        &CartEvent::CartItemRemoved {
            product_id: product(1),
        },
        "CartItemRemoved",
    );
    let data = round_trip(
        &CartEvent::CartCheckedOut {
            order_id: order_id(),
            lines: vec![line(1, 2, 300)],
        },
        "CartCheckedOut",
    );
    assert_eq!(
        data,
        json!({"order_id": order_id(),
               "lines": [{"product_id": product(1), "quantity": 2, "price_cents": 300}]})
    );
    snapshot_round_trip(&Cart::replay(&[added(1, 2, 300)]));
}
