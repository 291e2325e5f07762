//! POST /infractions/{infraction_id}/contest.

http_api::main!(infraction_functions::commands::contest_infraction);
