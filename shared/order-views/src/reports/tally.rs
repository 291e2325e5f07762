//! What orders add up to: counts per status, revenue, units bought per product. A [`Tally`] is
//! what one order contributes to a report, a difference between two states of an order, or a
//! report's stored counters; the reports of SPEC §6 are computed from it.
//!
//! Stored as top-level numbers that `ADD` can move (`ADD` does not reach into maps):
//! `n_<STATUS>`, `revenue_cents`, and `bought_<product_id>` (customer items only).

use aws_sdk_dynamodb::types::AttributeValue;
use std::collections::{BTreeMap, HashMap};
use uuid::Uuid;

use super::{CustomerSummary, FavoriteProduct, OrderStatistics, FAVORITES};
use crate::order::{OrderView, OrderViewStatus};

const COUNT_PREFIX: &str = "n_";
const REVENUE: &str = "revenue_cents";
const BOUGHT_PREFIX: &str = "bought_";

/// Signed, so that one type holds both counters and the differences that move them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tally {
    pub counts: BTreeMap<OrderViewStatus, i64>,
    /// The totals of the confirmed orders.
    pub revenue_cents: i64,
    /// Units per product in confirmed orders.
    pub bought: BTreeMap<Uuid, i64>,
}

impl Tally {
    /// What `order` counts for: nothing until it is placed (the API does not show it yet),
    /// then one order in its status, and its total and lines once confirmed.
    pub fn of(order: &OrderView) -> Self {
        let mut tally = Self::default();
        if !order.is_placed() {
            return tally;
        }
        tally.counts.insert(order.status, 1);
        if order.status == OrderViewStatus::Confirmed {
            tally.revenue_cents = order.total_cents as i64;
            for line in &order.lines {
                *tally.bought.entry(line.product_id).or_default() += i64::from(line.quantity);
            }
        }
        tally
    }

    /// `self + sign * other`, dropping the zeros.
    pub fn add(&mut self, other: &Self, sign: i64) {
        fn merge<K: Ord + Copy>(into: &mut BTreeMap<K, i64>, from: &BTreeMap<K, i64>, sign: i64) {
            for (key, value) in from {
                *into.entry(*key).or_default() += sign * value;
            }
            into.retain(|_, value| *value != 0);
        }
        merge(&mut self.counts, &other.counts, sign);
        merge(&mut self.bought, &other.bought, sign);
        self.revenue_cents += sign * other.revenue_cents;
    }

    /// `after - before`: what a change of an order moves.
    pub fn change(before: &Self, after: &Self) -> Self {
        let mut change = after.clone();
        change.add(before, -1);
        change
    }

    pub fn is_zero(&self) -> bool {
        self == &Self::default()
    }

    /// Without the units per product (the statistics do not keep them).
    pub fn without_products(mut self) -> Self {
        self.bought.clear();
        self
    }

    /// `(attribute, amount)` for an `ADD` update expression.
    pub fn attributes(&self) -> Vec<(String, i64)> {
        let mut attributes: Vec<(String, i64)> = self
            .counts
            .iter()
            .map(|(status, n)| (format!("{COUNT_PREFIX}{}", status.as_str()), *n))
            .collect();
        if self.revenue_cents != 0 {
            attributes.push((REVENUE.to_owned(), self.revenue_cents));
        }
        for (product, units) in &self.bought {
            attributes.push((format!("{BOUGHT_PREFIX}{product}"), *units));
        }
        attributes
    }

    /// The counters of a stored item; other attributes (its key) are ignored.
    pub fn from_item(item: &HashMap<String, AttributeValue>) -> Self {
        let mut tally = Self::default();
        for (name, value) in item {
            let Some(n) = value.as_n().ok().and_then(|n| n.parse::<i64>().ok()) else {
                continue;
            };
            if name == REVENUE {
                tally.revenue_cents = n;
            } else if let Some(status) = name.strip_prefix(COUNT_PREFIX) {
                if let Some(status) = OrderViewStatus::parse(status) {
                    tally.counts.insert(status, n);
                }
            } else if let Some(product) = name.strip_prefix(BOUGHT_PREFIX) {
                if let Ok(product) = product.parse() {
                    tally.bought.insert(product, n);
                }
            }
        }
        tally.add(&Self::default(), 1); // drops zeros, as `add` does everywhere else
        tally
    }

    fn count(&self, status: OrderViewStatus) -> u64 {
        unsigned(self.counts.get(&status).copied().unwrap_or_default())
    }

    fn total(&self) -> u64 {
        OrderViewStatus::ALL.iter().map(|s| self.count(*s)).sum()
    }

    fn status_counts(&self) -> BTreeMap<&'static str, u64> {
        OrderViewStatus::ALL
            .iter()
            .map(|s| (s.as_str(), self.count(*s)))
            .collect()
    }

    /// The answer of `GET /statistics/orders` for these counters.
    pub fn statistics(&self, from: Option<String>, to: Option<String>) -> OrderStatistics {
        let confirmed = self.count(OrderViewStatus::Confirmed);
        let revenue_cents = unsigned(self.revenue_cents);
        OrderStatistics {
            from,
            to,
            total_orders: self.total(),
            confirmed,
            cancelled: self.count(OrderViewStatus::Cancelled),
            revenue_cents,
            avg_order_value_cents: super::average(revenue_cents, confirmed),
            status_counts: self.status_counts(),
        }
    }

    /// The answer of `GET /customers/{customer_id}/summary` for these counters.
    pub fn summary(&self, customer_id: Uuid) -> CustomerSummary {
        let confirmed_orders = self.count(OrderViewStatus::Confirmed);
        let total_spent_cents = unsigned(self.revenue_cents);
        let mut favorite_products: Vec<FavoriteProduct> = self
            .bought
            .iter()
            .filter(|(_, units)| **units > 0)
            .map(|(product_id, units)| FavoriteProduct {
                product_id: *product_id,
                quantity: unsigned(*units),
            })
            .collect();
        super::rank_favorites(&mut favorite_products);
        favorite_products.truncate(FAVORITES);
        CustomerSummary {
            customer_id,
            total_orders: self.total(),
            confirmed_orders,
            total_spent_cents,
            avg_order_value_cents: super::average(total_spent_cents, confirmed_orders),
            favorite_products,
            order_statuses: self.status_counts(),
        }
    }
}

impl std::iter::Sum for Tally {
    fn sum<I: Iterator<Item = Self>>(iter: I) -> Self {
        iter.fold(Self::default(), |mut sum, tally| {
            sum.add(&tally, 1);
            sum
        })
    }
}

/// Counters are sums of contributions that are never negative; a negative one would be a
/// bug, answered as 0 rather than as a huge number.
fn unsigned(n: i64) -> u64 {
    u64::try_from(n).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::line::LineView;
    use crate::reports::{customer_summary, order_statistics};

    fn order(n: u128, status: OrderViewStatus, placed: bool) -> OrderView {
        let (quantity, price_cents) = ((n % 4 + 1) as u32, 100 + n as u64);
        let lines: Vec<LineView> = (0..(n % 3 + 1))
            .map(|i| LineView {
                product_id: Uuid::from_u128((n + i) % 5),
                quantity,
                price_cents,
                line_total_cents: u64::from(quantity) * price_cents,
            })
            .collect();
        OrderView {
            order_id: Uuid::from_u128(n),
            customer_id: placed.then(|| Uuid::from_u128(0xC)),
            total_cents: lines.iter().map(|l| l.line_total_cents).sum(),
            lines,
            status,
            ..OrderView::default()
        }
    }

    fn orders() -> Vec<OrderView> {
        (0..40)
            .map(|n| {
                let status = OrderViewStatus::ALL[n as usize % 5];
                order(n, status, n % 7 != 0)
            })
            .collect()
    }

    #[test]
    fn counters_answer_what_the_folds_answer() {
        let orders = orders();
        let tally: Tally = orders.iter().map(Tally::of).sum();
        let customer = Uuid::from_u128(0xC);
        assert_eq!(
            serde_json::to_value(tally.summary(customer)).unwrap(),
            serde_json::to_value(customer_summary(customer, &orders)).unwrap()
        );
        assert_eq!(
            tally.statistics(Some("a".into()), None),
            order_statistics(Some("a".into()), None, &orders)
        );
        assert_eq!(
            Tally::default().summary(customer),
            customer_summary(customer, &[])
        );
    }

    #[test]
    fn changes_add_up_to_the_last_state() {
        use OrderViewStatus::*;
        let path = [
            order(1, Paid, false),
            order(1, Pending, true),
            order(1, StockReserved, true),
            order(1, Paid, true),
            order(1, Confirmed, true),
        ];
        let mut counters = Tally::default();
        let mut before = OrderView::default();
        for after in &path {
            counters.add(&Tally::change(&Tally::of(&before), &Tally::of(after)), 1);
            before = after.clone();
        }
        assert_eq!(counters, Tally::of(&path[4]));
        assert_eq!(counters.counts, BTreeMap::from([(Confirmed, 1)]));
    }

    #[test]
    fn round_trips_through_an_item() {
        let tally: Tally = orders().iter().map(Tally::of).sum();
        let mut item: HashMap<String, AttributeValue> = tally
            .attributes()
            .into_iter()
            .map(|(name, n)| (name, AttributeValue::N(n.to_string())))
            .collect();
        item.insert("report".into(), AttributeValue::S("customer#c".into()));
        item.insert("n_PAID".into(), AttributeValue::N("0".into()));
        let mut expected = tally.clone();
        expected.counts.remove(&OrderViewStatus::Paid);
        assert_eq!(Tally::from_item(&item), expected);
    }
}
