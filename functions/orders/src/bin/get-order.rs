//! GET /orders/{order_id}.

http_api::main!(order_functions::queries::get_order);
