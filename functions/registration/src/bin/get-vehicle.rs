//! GET /vehicles/{plate}.

http_api::main!(registration_functions::queries::get_vehicle);
