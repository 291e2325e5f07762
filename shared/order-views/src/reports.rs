//! The customer summary and the order statistics of SPEC §6.
//!
//! Both are folds of order views (a customer's orders, or the orders placed in a period), so
//! they always agree with `GET /orders/{order_id}`; only placed orders count. The functions
//! answer them from counters that `project-orders` keeps in the [`ReportsTable`], in the
//! transaction that changes an order's view, so that a report costs a bounded number of
//! requests whatever the number of orders: [`Tally`] is what an order counts for,
//! [`buckets`] how the statistics cut time. [`customer_summary`] and [`order_statistics`]
//! fold views directly: the definition the counters must agree with.

pub mod buckets;
pub mod open_orders;
mod table;
mod tally;

use serde::Serialize;
use std::collections::BTreeMap;
use uuid::Uuid;

use crate::order::{OrderView, OrderViewStatus};

pub use table::{create_order_tables, create_reports_table, ReportsTable};
pub use tally::Tally;

/// How many favourite products a summary lists.
pub const FAVORITES: usize = 3;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FavoriteProduct {
    pub product_id: Uuid,
    /// Units bought in confirmed orders.
    pub quantity: u64,
}

/// `GET /customers/{customer_id}/summary`
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CustomerSummary {
    pub customer_id: Uuid,
    pub total_orders: u64,
    pub confirmed_orders: u64,
    /// The totals of the confirmed orders.
    pub total_spent_cents: u64,
    /// `total_spent_cents / confirmed_orders`, rounded down; 0 without a confirmed order.
    pub avg_order_value_cents: u64,
    /// The most bought products (confirmed orders), most units first, at most [`FAVORITES`].
    pub favorite_products: Vec<FavoriteProduct>,
    /// How many orders are in each status (every status listed, zeros included).
    pub order_statuses: BTreeMap<&'static str, u64>,
}

/// `GET /statistics/orders?from=&to=`
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OrderStatistics {
    pub from: Option<String>,
    pub to: Option<String>,
    pub total_orders: u64,
    pub confirmed: u64,
    pub cancelled: u64,
    /// The totals of the confirmed orders.
    pub revenue_cents: u64,
    /// `revenue_cents / confirmed`, rounded down; 0 without a confirmed order.
    pub avg_order_value_cents: u64,
    pub status_counts: BTreeMap<&'static str, u64>,
}

fn status_counts<'a>(orders: impl Iterator<Item = &'a OrderView>) -> BTreeMap<&'static str, u64> {
    let mut counts: BTreeMap<&'static str, u64> = OrderViewStatus::ALL
        .iter()
        .map(|s| (s.as_str(), 0))
        .collect();
    for order in orders {
        *counts.entry(order.status.as_str()).or_default() += 1;
    }
    counts
}

fn confirmed(orders: &[OrderView]) -> impl Iterator<Item = &OrderView> {
    orders
        .iter()
        .filter(|o| o.status == OrderViewStatus::Confirmed)
}

fn average(total: u64, count: u64) -> u64 {
    total.checked_div(count).unwrap_or_default()
}

/// Most units first; ties by product id, so the answer is stable.
fn rank_favorites(products: &mut [FavoriteProduct]) {
    products.sort_by(|a, b| {
        b.quantity
            .cmp(&a.quantity)
            .then(a.product_id.cmp(&b.product_id))
    });
}

pub fn customer_summary(customer_id: Uuid, orders: &[OrderView]) -> CustomerSummary {
    let orders: Vec<OrderView> = orders.iter().filter(|o| o.is_placed()).cloned().collect();
    let confirmed_orders = confirmed(&orders).count() as u64;
    let total_spent_cents = confirmed(&orders).map(|o| o.total_cents).sum();
    let mut bought: BTreeMap<Uuid, u64> = BTreeMap::new();
    for line in confirmed(&orders).flat_map(|o| &o.lines) {
        *bought.entry(line.product_id).or_default() += u64::from(line.quantity);
    }
    let mut favorite_products: Vec<FavoriteProduct> = bought
        .into_iter()
        .map(|(product_id, quantity)| FavoriteProduct {
            product_id,
            quantity,
        })
        .collect();
    rank_favorites(&mut favorite_products);
    favorite_products.truncate(FAVORITES);
    CustomerSummary {
        customer_id,
        total_orders: orders.len() as u64,
        confirmed_orders,
        total_spent_cents,
        avg_order_value_cents: average(total_spent_cents, confirmed_orders),
        favorite_products,
        order_statuses: status_counts(orders.iter()),
    }
}

/// Statistics of `orders` (already those placed in the period).
pub fn order_statistics(
    from: Option<String>,
    to: Option<String>,
    orders: &[OrderView],
) -> OrderStatistics {
    let orders: Vec<OrderView> = orders.iter().filter(|o| o.is_placed()).cloned().collect();
    let confirmed_count = confirmed(&orders).count() as u64;
    let revenue_cents = confirmed(&orders).map(|o| o.total_cents).sum();
    OrderStatistics {
        from,
        to,
        total_orders: orders.len() as u64,
        confirmed: confirmed_count,
        cancelled: orders
            .iter()
            .filter(|o| o.status == OrderViewStatus::Cancelled)
            .count() as u64,
        revenue_cents,
        avg_order_value_cents: average(revenue_cents, confirmed_count),
        status_counts: status_counts(orders.iter()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::line::LineView;

    fn order(status: OrderViewStatus, lines: &[(u128, u32, u64)]) -> OrderView {
        let lines: Vec<LineView> = lines
            .iter()
            .map(|(p, quantity, price_cents)| LineView {
                product_id: Uuid::from_u128(*p),
                quantity: *quantity,
                price_cents: *price_cents,
                line_total_cents: u64::from(*quantity) * price_cents,
            })
            .collect();
        OrderView {
            order_id: Uuid::new_v4(),
            customer_id: Some(Uuid::from_u128(0xC)),
            total_cents: lines.iter().map(|l| l.line_total_cents).sum(),
            lines,
            status,
            ..OrderView::default()
        }
    }

    #[test]
    fn a_summary_counts_confirmed_orders_only_as_spent() {
        use OrderViewStatus::*;
        let unplaced = OrderView {
            customer_id: None,
            ..order(Paid, &[(9, 9, 9)])
        };
        let orders = [
            order(Confirmed, &[(1, 2, 100), (2, 1, 50)]),
            order(Confirmed, &[(2, 5, 50)]),
            order(Cancelled, &[(3, 10, 1)]),
            order(Paid, &[(1, 1, 100)]),
            unplaced,
        ];
        let summary = customer_summary(Uuid::from_u128(0xC), &orders);
        assert_eq!(summary.total_orders, 4);
        assert_eq!(summary.confirmed_orders, 2);
        assert_eq!(summary.total_spent_cents, 250 + 250);
        assert_eq!(summary.avg_order_value_cents, 250);
        assert_eq!(
            summary.favorite_products,
            vec![
                FavoriteProduct {
                    product_id: Uuid::from_u128(2),
                    quantity: 6
                },
                FavoriteProduct {
                    product_id: Uuid::from_u128(1),
                    quantity: 2
                },
            ]
        );
        assert_eq!(summary.order_statuses["CONFIRMED"], 2);
        assert_eq!(summary.order_statuses["CANCELLED"], 1);
        assert_eq!(summary.order_statuses["PAID"], 1);
        assert_eq!(summary.order_statuses["PENDING"], 0);
    }

    #[test]
    fn statistics_of_no_order_are_zeros() {
        let stats = order_statistics(None, None, &[]);
        assert_eq!(
            (
                stats.total_orders,
                stats.confirmed,
                stats.revenue_cents,
                stats.avg_order_value_cents
            ),
            (0, 0, 0, 0)
        );
        assert_eq!(stats.status_counts.len(), 5);
    }

    #[test]
    fn statistics_count_revenue_from_confirmed_orders() {
        use OrderViewStatus::*;
        let orders = [
            order(Confirmed, &[(1, 1, 333)]),
            order(Confirmed, &[(1, 2, 500)]),
            order(Cancelled, &[(1, 1, 999)]),
        ];
        let stats = order_statistics(Some("a".into()), None, &orders);
        assert_eq!(stats.total_orders, 3);
        assert_eq!((stats.confirmed, stats.cancelled), (2, 1));
        assert_eq!(stats.revenue_cents, 1333);
        assert_eq!(stats.avg_order_value_cents, 666);
        assert_eq!(stats.status_counts["CONFIRMED"], 2);
    }
}
