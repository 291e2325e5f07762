//! POST /customers.

http_api::main!(customer_functions::commands::register_customer);
