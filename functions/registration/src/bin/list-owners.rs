//! GET /owners.

http_api::main!(registration_functions::queries::list_owners);
