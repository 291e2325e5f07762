//! POST /products/{product_id}/restock.

http_api::main!(stock_functions::commands::restock_product);
