//! DELETE /customers/{customer_id}/cart.

http_api::main!(order_functions::commands::clear_cart);
