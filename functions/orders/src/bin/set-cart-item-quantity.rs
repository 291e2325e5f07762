//! PUT /customers/{customer_id}/cart/items/{product_id}.

http_api::main!(order_functions::commands::set_cart_item_quantity);
