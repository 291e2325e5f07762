//! A line of a cart or an order: a product, how many, at what unit price.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderLine {
    pub product_id: Uuid,
    pub quantity: u32,
    /// The unit price when the product was put in the cart.
    pub price_cents: u64,
}

impl OrderLine {
    pub fn line_total_cents(&self) -> u64 {
        u64::from(self.quantity).saturating_mul(self.price_cents)
    }
}

/// The sum of the lines' totals.
pub fn total_cents(lines: &[OrderLine]) -> u64 {
    lines.iter().fold(0u64, |sum, line| {
        sum.saturating_add(line.line_total_cents())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn totals() {
        let a = OrderLine {
            product_id: Uuid::from_u128(1),
            quantity: 3,
            price_cents: 250,
        };
        let b = OrderLine {
            product_id: Uuid::from_u128(2),
            quantity: 1,
            price_cents: 999,
        };
        assert_eq!(a.line_total_cents(), 750);
        assert_eq!(total_cents(&[a, b]), 1749);
        assert_eq!(total_cents(&[]), 0);
    }
}
