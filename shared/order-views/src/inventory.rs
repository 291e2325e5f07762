//! The inventory view of `GET /inventory` and `GET /inventory/{product_id}`: a product's stock
//! on hand, what the saga holds reserved, and what is left to sell.

use es_core::{Aggregate, EventMeta};
use order_domain::{Product, ProductEvent};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::tables::{INVENTORY_KEY, LOW};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct InventoryView {
    pub product_id: Uuid,
    pub name: String,
    pub price_cents: u64,
    /// On hand, reserved or not.
    pub stock: u64,
    /// Set aside for orders whose payment is not settled yet.
    pub reserved: u64,
    /// `stock - reserved`: what a new order may reserve.
    pub available: u64,
    pub reorder_level: u32,
    /// `available <= reorder_level`.
    pub low_stock: bool,
    /// The stock's history, so that `stock + sold = initial_stock + restocked` can be checked.
    pub initial_stock: u64,
    pub restocked: u64,
    pub sold: u64,
    /// [`LOW`] while `low_stock`, else absent: the key of the sparse `low_stock` index.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stock_alert: Option<String>,
    pub version: u64,
}

impl projection::View for InventoryView {
    const AGGREGATE_TYPE: &'static str = Product::TYPE;
    const KEY: &'static str = INVENTORY_KEY;
    type Event = ProductEvent;

    fn apply(&mut self, event: &ProductEvent, meta: &EventMeta) {
        self.version = meta.version;
        match event.clone() {
            ProductEvent::ProductCreated {
                product_id,
                name,
                price_cents,
                initial_stock,
                reorder_level,
            } => {
                self.product_id = product_id;
                self.name = name;
                self.price_cents = price_cents;
                self.stock = u64::from(initial_stock);
                self.initial_stock = u64::from(initial_stock);
                self.reorder_level = reorder_level;
            }
            ProductEvent::ProductRestocked { quantity } => {
                self.stock += u64::from(quantity);
                self.restocked += u64::from(quantity);
            }
            ProductEvent::StockReserved { quantity, .. } => {
                self.reserved += u64::from(quantity);
            }
            ProductEvent::StockCommitted { quantity, .. } => {
                let quantity = u64::from(quantity);
                self.reserved = self.reserved.saturating_sub(quantity);
                self.stock = self.stock.saturating_sub(quantity);
                self.sold += quantity;
            }
            ProductEvent::StockReleased { quantity, .. } => {
                self.reserved = self.reserved.saturating_sub(u64::from(quantity));
            }
            ProductEvent::StockUnavailable { .. } => {}
        }
        self.available = self.stock.saturating_sub(self.reserved);
        self.low_stock = self.available <= u64::from(self.reorder_level);
        self.stock_alert = self.low_stock.then(|| LOW.to_owned());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{order, replay, through_dynamo};

    fn id() -> Uuid {
        Uuid::from_u128(0xB01)
    }

    fn fold(events: &[ProductEvent]) -> InventoryView {
        replay("product", &id().to_string(), events)
    }

    fn created(stock: u32, reorder_level: u32) -> ProductEvent {
        ProductEvent::ProductCreated {
            product_id: id(),
            name: "Lamp".into(),
            price_cents: 2500,
            initial_stock: stock,
            reorder_level,
        }
    }

    #[test]
    fn follows_reservations_sales_and_releases() {
        let reserved = |n, quantity| ProductEvent::StockReserved {
            order_id: order(n),
            product_id: id(),
            quantity,
        };
        let view = fold(&[
            created(20, 5),
            reserved(1, 4),
            reserved(2, 6),
            ProductEvent::StockCommitted {
                order_id: order(1),
                product_id: id(),
                quantity: 4,
            },
            ProductEvent::StockReleased {
                order_id: order(2),
                product_id: id(),
                quantity: 6,
            },
            ProductEvent::StockUnavailable {
                order_id: order(3),
                product_id: id(),
                requested: 99,
                available: 16,
            },
            ProductEvent::ProductRestocked { quantity: 3 },
            reserved(4, 10),
        ]);
        assert_eq!(
            (view.stock, view.reserved, view.available, view.sold),
            (19, 10, 9, 4)
        );
        assert_eq!(view.stock + view.sold, view.initial_stock + view.restocked);
        assert!(!view.low_stock);
        assert_eq!(view.stock_alert, None);
        assert_eq!(view.version, 8);
        assert_eq!(through_dynamo(&view), view);
    }

    #[test]
    fn low_stock_when_available_is_at_or_under_the_reorder_level() {
        let view = fold(&[created(10, 10)]);
        assert!(view.low_stock);
        assert_eq!(view.stock_alert.as_deref(), Some(LOW));
        let view = fold(&[
            created(10, 10),
            ProductEvent::ProductRestocked { quantity: 1 },
        ]);
        assert!(!view.low_stock);
        let json = serde_json::to_value(&view).unwrap();
        assert!(json.get("stock_alert").is_none(), "{json}");
        assert_eq!(json["available"], 11);
        assert_eq!(json["low_stock"], false);
    }
}
