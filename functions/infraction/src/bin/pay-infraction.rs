//! POST /infractions/{infraction_id}/payments.

http_api::main!(infraction_functions::commands::pay_infraction);
