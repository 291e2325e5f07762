//! OwnerProjectionQueue → OwnersTable (the owner view).

use traffic_views::{tables::env::OWNERS_TABLE, OwnerView};

projection::main!(OwnerView, OWNERS_TABLE);
