//! GET /owners/{owner_id}/infractions?status=.

http_api::main!(infraction_functions::queries::list_owner_infractions);
