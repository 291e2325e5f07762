//! GET /customers/{customer_id}/cart.

http_api::main!(order_functions::queries::get_cart);
