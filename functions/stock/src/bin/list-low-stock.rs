//! GET /inventory/low-stock.

http_api::main!(stock_functions::queries::list_low_stock);
