//! PATCH /vehicles/{plate}.

http_api::main!(registration_functions::commands::change_vehicle_details);
