//! GET /statistics/orders?from=&to=.

http_api::main!(order_functions::queries::get_order_statistics);
