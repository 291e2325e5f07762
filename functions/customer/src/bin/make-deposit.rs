//! POST /customers/{customer_id}/deposits.

http_api::main!(customer_functions::commands::make_deposit);
