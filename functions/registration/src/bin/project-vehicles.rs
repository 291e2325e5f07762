//! VehicleProjectionQueue → VehiclesTable (the vehicle view, indexed by owner).

use traffic_views::{tables::env::VEHICLES_TABLE, VehicleView};

projection::main!(VehicleView, VEHICLES_TABLE);
