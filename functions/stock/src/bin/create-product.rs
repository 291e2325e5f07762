//! POST /products.

http_api::main!(stock_functions::commands::create_product);
