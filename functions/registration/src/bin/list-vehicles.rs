//! GET /vehicles?owner_id=.

http_api::main!(registration_functions::queries::list_vehicles);
