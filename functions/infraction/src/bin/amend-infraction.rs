//! PATCH /infractions/{infraction_id}.

http_api::main!(infraction_functions::commands::amend_infraction);
