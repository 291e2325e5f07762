//! The cart view of `GET /customers/{customer_id}/cart`: the lines with their totals.

use es_core::{Aggregate, EventMeta};
use order_domain::{Cart, CartEvent, OrderLine};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::line::LineView;
use crate::tables::CARTS_KEY;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CartView {
    pub customer_id: Uuid,
    pub lines: Vec<LineView>,
    pub total_cents: u64,
    pub version: u64,
}

impl CartView {
    /// The answer for a cart whose state is `cart` at `version` (also what a cart command
    /// answers, from the state after it).
    pub fn of(customer_id: Uuid, cart: &Cart, version: u64) -> Self {
        Self {
            customer_id,
            lines: cart.lines.iter().map(LineView::from).collect(),
            total_cents: cart.total_cents(),
            version,
        }
    }

    fn cart(&self) -> Cart {
        Cart {
            lines: self.lines.iter().map(OrderLine::from).collect(),
        }
    }
}

impl projection::View for CartView {
    const AGGREGATE_TYPE: &'static str = Cart::TYPE;
    const KEY: &'static str = CARTS_KEY;
    type Event = CartEvent;

    /// The cart's own fold (adding to a line, removing it, emptying on checkout), so that the
    /// view cannot disagree with what the next command will see.
    fn apply(&mut self, event: &CartEvent, meta: &EventMeta) {
        let customer_id = meta.aggregate_id.parse().unwrap_or_default();
        let mut cart = self.cart();
        cart.apply(event);
        *self = Self::of(customer_id, &cart, meta.version);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{customer, product, replay, through_dynamo};

    #[test]
    fn lines_with_totals_emptied_by_a_checkout() {
        let added = |n, quantity, price_cents| CartEvent::CartItemAdded {
            product_id: product(n),
            quantity,
            price_cents,
        };
        let mut events = vec![added(1, 2, 300), added(2, 1, 50), added(1, 1, 300)];
        let fold =
            |events: &[CartEvent]| -> CartView { replay("cart", &customer().to_string(), events) };
        let view = fold(&events);
        assert_eq!(view.customer_id, customer());
        assert_eq!(view.lines.len(), 2);
        assert_eq!(view.lines[0].quantity, 3);
        assert_eq!(view.lines[0].line_total_cents, 900);
        assert_eq!(view.total_cents, 950);
        assert_eq!(through_dynamo(&view), view);
        events.push(CartEvent::CartCheckedOut {
            order_id: Uuid::from_u128(1),
            lines: Vec::new(),
        });
        let view = fold(&events);
        assert!(view.lines.is_empty());
        assert_eq!((view.total_cents, view.version), (0, 4));
    }
}
