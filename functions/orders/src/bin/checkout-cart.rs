//! POST /customers/{customer_id}/cart/checkout.

http_api::main!(order_functions::commands::checkout_cart);
