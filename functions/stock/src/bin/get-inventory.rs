//! GET /inventory/{product_id}.

http_api::main!(stock_functions::queries::get_inventory);
