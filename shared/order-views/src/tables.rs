//! The order system's read-model tables: the environment variables naming them, their keys
//! and their indexes. The template declares the same layout.

use projection::Index;

/// Environment variables holding the table names.
pub mod env {
    pub const INVENTORY_TABLE: &str = "INVENTORY_TABLE";
    pub const CUSTOMERS_TABLE: &str = "CUSTOMERS_TABLE";
    pub const CARTS_TABLE: &str = "CARTS_TABLE";
    pub const ORDERS_TABLE: &str = "ORDERS_TABLE";
    pub const ORDER_REPORTS_TABLE: &str = "ORDER_REPORTS_TABLE";
}

/// InventoryTable: partition key.
pub const INVENTORY_KEY: &str = "product_id";
/// CustomersTable: partition key.
pub const CUSTOMERS_KEY: &str = "customer_id";
/// CartsTable: partition key (a cart's id is its customer's).
pub const CARTS_KEY: &str = "customer_id";
/// OrdersTable: partition key.
pub const ORDERS_KEY: &str = "order_id";

/// OrderReportsTable: partition key (which report: a customer's, or one level of time
/// buckets) and sort key (which item of it), both strings.
pub const REPORTS_KEY: &str = "report";
pub const REPORTS_BUCKET: &str = "bucket";

/// InventoryTable: the products whose `available <= reorder_level`. Sparse: only those items
/// carry `stock_alert`.
pub const LOW_STOCK: Index = Index {
    name: "low_stock",
    partition_key: "stock_alert",
    sort_key: Some("product_id"),
    newest_first: false,
};

/// The value of `stock_alert` on a product that is low on stock.
pub const LOW: &str = "LOW";

/// OrdersTable: a customer's orders, newest first (absent until the order is placed).
pub const ORDERS_BY_CUSTOMER: Index = Index {
    name: "by_customer",
    partition_key: "customer_id",
    sort_key: Some("placed_at"),
    newest_first: true,
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{CartView, CustomerView, InventoryView, OrderView};
    use projection::View;

    #[test]
    fn the_views_use_the_contract_keys() {
        assert_eq!(InventoryView::KEY, INVENTORY_KEY);
        assert_eq!(CustomerView::KEY, CUSTOMERS_KEY);
        assert_eq!(CartView::KEY, CARTS_KEY);
        assert_eq!(OrderView::KEY, ORDERS_KEY);
    }
}
