//! POST /customers/{customer_id}/cart/items.

http_api::main!(order_functions::commands::add_cart_item);
