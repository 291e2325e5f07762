//! A line as the cart and order views show it (SPEC §6): the product, how many, the unit
//! price, and the line's total.

use order_domain::OrderLine;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LineView {
    pub product_id: Uuid,
    pub quantity: u32,
    pub price_cents: u64,
    pub line_total_cents: u64,
}

impl From<&OrderLine> for LineView {
    fn from(line: &OrderLine) -> Self {
        Self {
            product_id: line.product_id,
            quantity: line.quantity,
            price_cents: line.price_cents,
            line_total_cents: line.line_total_cents(),
        }
    }
}

impl From<&LineView> for OrderLine {
    fn from(line: &LineView) -> Self {
        Self {
            product_id: line.product_id,
            quantity: line.quantity,
            price_cents: line.price_cents,
        }
    }
}
