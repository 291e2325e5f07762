//! DELETE /owners/{owner_id}/personal-data.

http_api::main!(registration_functions::commands::erase_owner_personal_data);
