//! POST /infractions/{infraction_id}/cancel.

http_api::main!(infraction_functions::commands::cancel_infraction);
