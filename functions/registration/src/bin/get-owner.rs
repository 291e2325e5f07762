//! GET /owners/{owner_id}.

http_api::main!(registration_functions::queries::get_owner);
