//! InventoryProjectionQueue → InventoryTable (the inventory view).

use order_views::{tables::env::INVENTORY_TABLE, InventoryView};

projection::main!(InventoryView, INVENTORY_TABLE);
