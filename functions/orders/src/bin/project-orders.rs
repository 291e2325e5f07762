//! OrderProjectionQueue → OrdersTable and OrderReportsTable: each order joined with its saga's
//! stock and payment events (see `projection::JoinProjector`), and the report counters moved
//! in the same transaction as the order's item (see `order_views::reports::ReportsTable`).

use order_views::{reports::ReportsTable, tables::env::ORDERS_TABLE, OrderView};

projection::main!(joined: OrderView, ORDERS_TABLE, ReportsTable::from_env);
