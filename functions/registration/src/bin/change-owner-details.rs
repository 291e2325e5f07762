//! PATCH /owners/{owner_id}.

http_api::main!(registration_functions::commands::change_owner_details);
