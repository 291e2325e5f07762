//! GET /infractions?plate=&owner_id=&status=&radar_id=.

http_api::main!(infraction_functions::queries::list_infractions);
