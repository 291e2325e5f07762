//! GET /customers/{customer_id}.

http_api::main!(customer_functions::queries::get_customer);
