//! RadarProjectionQueue → RadarsTable (the radar view).

use traffic_views::{tables::env::RADARS_TABLE, RadarView};

projection::main!(RadarView, RADARS_TABLE);
