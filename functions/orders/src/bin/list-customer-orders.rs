//! GET /customers/{customer_id}/orders?status=.

http_api::main!(order_functions::queries::list_customer_orders);
