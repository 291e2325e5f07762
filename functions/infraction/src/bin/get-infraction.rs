//! GET /infractions/{infraction_id}.

http_api::main!(infraction_functions::queries::get_infraction);
