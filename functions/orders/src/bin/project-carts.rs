//! CartProjectionQueue → CartsTable (the cart view).

use order_views::{tables::env::CARTS_TABLE, CartView};

projection::main!(CartView, CARTS_TABLE);
