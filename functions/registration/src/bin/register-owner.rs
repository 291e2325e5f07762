//! POST /owners.

http_api::main!(registration_functions::commands::register_owner);
