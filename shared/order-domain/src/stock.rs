//! The stock service's saga decisions for one order, across all of its products (SPEC §6).
//!
//! Each product decides its own line ([`Product`]); these functions combine the answers, so
//! that an order is reserved whole or not at all, and settled (committed or released) on every
//! product that holds its reservation. The application loads the products, calls one of them,
//! and appends every product's events in one atomic write, together with the guard
//! [`RESERVATION_SCOPE`] on the order id: a redelivered `OrderPlaced` then finds the decision
//! taken and appends nothing, even once the reservation has been committed or released.

use std::collections::BTreeMap;
use uuid::Uuid;

use crate::line::OrderLine;
use crate::product::{
    CommitStock, Product, ProductCommand, ProductError, ProductEvent, ReleaseStock, ReserveStock,
};
use es_core::Aggregate;

/// Scope of the guard that decides each order's reservation once.
pub const RESERVATION_SCOPE: &str = "stock.reservation";

/// Scope of the guard that decides once whether a paid order's stock is sold (commit-stock
/// takes it with the `StockCommitted`s) or its payment given back (the order deadline takes it
/// with the `PaymentRefunded` and the cancellation): never both.
pub const SETTLEMENT_SCOPE: &str = "stock.settlement";

/// What the stock service decided for an order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reservation {
    /// Every line fits: the events of each product (one `StockReserved`), in line order.
    Reserved(Vec<(Uuid, Vec<ProductEvent>)>),
    /// A line does not fit: nothing is reserved, and this `StockUnavailable` is recorded on the
    /// first short product.
    Unavailable {
        product_id: Uuid,
        event: ProductEvent,
    },
}

/// The quantity of each product of `lines`, in the order products first appear (a product on
/// two lines is reserved once, for both).
pub fn quantities(lines: &[OrderLine]) -> Vec<(Uuid, u32)> {
    let mut merged: Vec<(Uuid, u32)> = Vec::with_capacity(lines.len());
    for line in lines {
        match merged.iter_mut().find(|(id, _)| *id == line.product_id) {
            Some((_, quantity)) => *quantity = quantity.saturating_add(line.quantity),
            None => merged.push((line.product_id, line.quantity)),
        }
    }
    merged
}

/// Reserves every line of `order_id` or none. `products` holds the current state of each
/// product of the lines; one missing (or never created) counts as having nothing available.
pub fn reserve(
    order_id: Uuid,
    lines: &[OrderLine],
    products: &BTreeMap<Uuid, Product>,
) -> Reservation {
    let unknown = Product::default();
    let mut reserved = Vec::new();
    for (product_id, quantity) in quantities(lines) {
        let product = products.get(&product_id).unwrap_or(&unknown);
        let command = ProductCommand::Reserve(ReserveStock { order_id, quantity });
        match product.handle(&command) {
            Ok(events) => reserved.push((product_id, events)),
            Err(error) => {
                let available = match error {
                    ProductError::InsufficientStock { available, .. } => available,
                    ProductError::NotFound | ProductError::AlreadyExists => 0,
                };
                return Reservation::Unavailable {
                    product_id,
                    event: ProductEvent::StockUnavailable {
                        order_id,
                        product_id,
                        requested: quantity,
                        available,
                    },
                };
            }
        }
    }
    Reservation::Reserved(reserved)
}

/// How the order's reservation is settled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Settlement {
    /// The payment was accepted: the reservation becomes a sale.
    Commit,
    /// The payment was refused: the reservation is given back.
    Release,
}

/// The events that settle `order_id` on each product that still holds its reservation; empty
/// when it is already settled everywhere (a redelivery).
pub fn settle(
    order_id: Uuid,
    settlement: Settlement,
    products: &BTreeMap<Uuid, Product>,
) -> Vec<(Uuid, Vec<ProductEvent>)> {
    let command = match settlement {
        Settlement::Commit => ProductCommand::Commit(CommitStock { order_id }),
        Settlement::Release => ProductCommand::Release(ReleaseStock { order_id }),
    };
    products
        .iter()
        .filter_map(|(product_id, product)| {
            // A product that does not exist holds no reservation: nothing to settle there.
            let events = product.handle(&command).unwrap_or_default();
            (!events.is_empty()).then_some((*product_id, events))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::product::CreateProduct;

    fn id(n: u128) -> Uuid {
        Uuid::from_u128(0xA00 + n)
    }

    fn order() -> Uuid {
        Uuid::from_u128(0x0D1)
    }

    fn product(n: u128, stock: u32) -> Product {
        let created = Product::default()
            .handle(&ProductCommand::Create(CreateProduct {
                product_id: id(n),
                name: format!("p{n}"),
                price_cents: 100,
                initial_stock: stock,
                reorder_level: 1,
            }))
            .unwrap();
        Product::replay(&created)
    }

    fn line(n: u128, quantity: u32) -> OrderLine {
        OrderLine {
            product_id: id(n),
            quantity,
            price_cents: 100,
        }
    }

    fn catalog(products: &[(u128, u32)]) -> BTreeMap<Uuid, Product> {
        products
            .iter()
            .map(|(n, stock)| (id(*n), product(*n, *stock)))
            .collect()
    }

    fn reserved(n: u128, quantity: u32) -> (Uuid, Vec<ProductEvent>) {
        (
            id(n),
            vec![ProductEvent::StockReserved {
                order_id: order(),
                product_id: id(n),
                quantity,
            }],
        )
    }

    #[test]
    fn reserves_every_line_when_all_fit() {
        let products = catalog(&[(1, 5), (2, 1)]);
        assert_eq!(
            reserve(order(), &[line(1, 5), line(2, 1)], &products),
            Reservation::Reserved(vec![reserved(1, 5), reserved(2, 1)])
        );
    }

    #[test]
    fn one_short_line_reserves_nothing_and_names_that_product() {
        let products = catalog(&[(1, 5), (2, 1), (3, 0)]);
        assert_eq!(
            reserve(order(), &[line(1, 2), line(2, 2), line(3, 1)], &products),
            Reservation::Unavailable {
                product_id: id(2),
                event: ProductEvent::StockUnavailable {
                    order_id: order(),
                    product_id: id(2),
                    requested: 2,
                    available: 1,
                },
            }
        );
    }

    #[test]
    fn a_product_on_two_lines_is_reserved_once_for_both() {
        let products = catalog(&[(1, 3)]);
        assert_eq!(
            reserve(order(), &[line(1, 2), line(1, 1)], &products),
            Reservation::Reserved(vec![reserved(1, 3)])
        );
        assert!(matches!(
            reserve(order(), &[line(1, 2), line(1, 2)], &products),
            Reservation::Unavailable { .. }
        ));
    }

    #[test]
    fn an_unknown_product_has_nothing_available() {
        let products = catalog(&[(1, 3)]);
        assert_eq!(
            reserve(order(), &[line(1, 1), line(9, 1)], &products),
            Reservation::Unavailable {
                product_id: id(9),
                event: ProductEvent::StockUnavailable {
                    order_id: order(),
                    product_id: id(9),
                    requested: 1,
                    available: 0,
                },
            }
        );
    }

    #[test]
    fn stock_unavailable_changes_no_stock() {
        let mut p = product(1, 2);
        let before = p.clone();
        p.apply(&ProductEvent::StockUnavailable {
            order_id: order(),
            product_id: id(1),
            requested: 3,
            available: 2,
        });
        assert_eq!(p, before);
    }

    fn after_reserving(products: &[(u128, u32)], lines: &[OrderLine]) -> BTreeMap<Uuid, Product> {
        let mut products = catalog(products);
        let Reservation::Reserved(decided) = reserve(order(), lines, &products) else {
            panic!("the lines fit");
        };
        for (product_id, events) in decided {
            let product = products.get_mut(&product_id).unwrap();
            events.iter().for_each(|e| product.apply(e));
        }
        products
    }

    #[test]
    fn commit_settles_every_reserved_product_once() {
        let mut products = after_reserving(&[(1, 5), (2, 5), (3, 5)], &[line(1, 2), line(2, 1)]);
        let settled = settle(order(), Settlement::Commit, &products);
        assert_eq!(
            settled,
            vec![
                (
                    id(1),
                    vec![ProductEvent::StockCommitted {
                        order_id: order(),
                        product_id: id(1),
                        quantity: 2
                    }]
                ),
                (
                    id(2),
                    vec![ProductEvent::StockCommitted {
                        order_id: order(),
                        product_id: id(2),
                        quantity: 1
                    }]
                ),
            ]
        );
        for (product_id, events) in settled {
            let product = products.get_mut(&product_id).unwrap();
            events.iter().for_each(|e| product.apply(e));
        }
        assert_eq!(products[&id(1)].stock, 3);
        assert_eq!(products[&id(2)].stock, 4);
        assert_eq!(products[&id(3)].stock, 5);
        assert!(products.values().all(|p| p.reserved() == 0));
        // Redelivered: nothing left to settle, and a release now does nothing either.
        assert!(settle(order(), Settlement::Commit, &products).is_empty());
        assert!(settle(order(), Settlement::Release, &products).is_empty());
    }

    #[test]
    fn release_gives_every_line_back() {
        let mut products = after_reserving(&[(1, 5), (2, 5)], &[line(1, 5), line(2, 5)]);
        assert!(products.values().all(|p| p.available() == 0));
        for (product_id, events) in settle(order(), Settlement::Release, &products) {
            let product = products.get_mut(&product_id).unwrap();
            events.iter().for_each(|e| product.apply(e));
        }
        assert!(products
            .values()
            .all(|p| p.available() == 5 && p.stock == 5));
        assert!(settle(order(), Settlement::Release, &products).is_empty());
    }
}
