//! The aggregate types the event store API can rebuild (SPEC §5), by their `aggregate_type`.

use es_core::Aggregate;
use event_store::{EventStore, PointInTime};
use http_api::ApiError;
use order_domain::{Cart, Customer, Order, Product};
use serde_json::Value;
use traffic_domain::{Infraction, Owner, Radar, Vehicle};

/// Every aggregate type of the product (SPEC §3).
pub const AGGREGATE_TYPES: [&str; 8] = [
    Radar::TYPE,
    Owner::TYPE,
    Vehicle::TYPE,
    Infraction::TYPE,
    Product::TYPE,
    Customer::TYPE,
    Cart::TYPE,
    Order::TYPE,
];

/// A state rebuilt by replaying a stream: `None` when the stream has no events at all.
pub struct Rebuilt {
    pub version: u64,
    /// `null` when the point asked for precedes the first event.
    pub state: Value,
}

pub async fn rebuild(
    store: &EventStore,
    aggregate_type: &str,
    aggregate_id: &str,
    point: Option<PointInTime>,
) -> Result<Option<Rebuilt>, ApiError> {
    match aggregate_type {
        Radar::TYPE => rebuild_as::<Radar>(store, aggregate_id, point).await,
        Owner::TYPE => rebuild_as::<Owner>(store, aggregate_id, point).await,
        Vehicle::TYPE => rebuild_as::<Vehicle>(store, aggregate_id, point).await,
        Infraction::TYPE => rebuild_as::<Infraction>(store, aggregate_id, point).await,
        Product::TYPE => rebuild_as::<Product>(store, aggregate_id, point).await,
        Customer::TYPE => rebuild_as::<Customer>(store, aggregate_id, point).await,
        Cart::TYPE => rebuild_as::<Cart>(store, aggregate_id, point).await,
        Order::TYPE => rebuild_as::<Order>(store, aggregate_id, point).await,
        _ => Ok(None),
    }
}

async fn rebuild_as<A: Aggregate>(
    store: &EventStore,
    id: &str,
    point: Option<PointInTime>,
) -> Result<Option<Rebuilt>, ApiError> {
    let latest = store.load::<A>(id).await?;
    if !latest.exists() {
        return Ok(None);
    }
    let loaded = match point {
        None => latest,
        Some(point) => store.load_at::<A>(id, point).await?,
    };
    let state = if loaded.exists() {
        serde_json::to_value(&loaded.state).map_err(|e| ApiError::internal(e.to_string()))?
    } else {
        Value::Null
    };
    Ok(Some(Rebuilt {
        version: loaded.version,
        state,
    }))
}
