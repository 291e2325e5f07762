//! DELETE /customers/{customer_id}/cart/items/{product_id}.

http_api::main!(order_functions::commands::remove_cart_item);
