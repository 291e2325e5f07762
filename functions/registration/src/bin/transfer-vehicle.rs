//! PUT /vehicles/{plate}/owner.

http_api::main!(registration_functions::commands::transfer_vehicle);
