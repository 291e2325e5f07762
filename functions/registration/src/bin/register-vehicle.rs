//! POST /vehicles.

http_api::main!(registration_functions::commands::register_vehicle);
