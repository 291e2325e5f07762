//! DELETE /customers/{customer_id}/personal-data.

http_api::main!(customer_functions::commands::erase_customer_personal_data);
