//! GET /inventory.

http_api::main!(stock_functions::queries::list_inventory);
