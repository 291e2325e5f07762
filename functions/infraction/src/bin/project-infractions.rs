//! InfractionProjectionQueue → InfractionsTable (the infraction view).

use traffic_views::{tables::env::INFRACTIONS_TABLE, InfractionView};

projection::main!(InfractionView, INFRACTIONS_TABLE);
