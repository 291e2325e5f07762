//! GET /customers/{customer_id}/summary.

http_api::main!(order_functions::queries::get_customer_summary);
