//! Read models on DynamoDB: version-tracked views that are idempotent and tolerate reordering,
//! filling gaps from the event store.
//!
//! A [`View`] is a pure fold of one aggregate's stream: one item per aggregate, keyed by the
//! aggregate id. It receives typed events ([`ViewEvent`], usually the aggregate's own event
//! type) with their [`es_core::EventMeta`]; the projectors decode each envelope once, through
//! `EventEnvelope::decode` (which upcasts older schema versions), ignore other aggregate types
//! and fail loudly on an event of the view's own that does not decode. [`ViewTable`] stores it as native DynamoDB attributes (so secondary indexes
//! can index them), beside two attributes of its own: `version`, the last stream version
//! applied, and `updated_at`, the time of that event. It also serves the query side: get by
//! key, list, and query a secondary index, paged with an opaque cursor.
//!
//! [`Projector::project`] applies an envelope delivered at least once and in any order:
//! - at or below the stored version: nothing (a duplicate, or already covered by a gap fill);
//! - the next version: applied;
//! - further ahead: the missing events are read from the event store and applied in order;
//!
//! then writes the item on the condition that its version is still the one read, and starts
//! again from the read if another writer got there first. The stored view is therefore always
//! the fold of versions `1..=version` of its stream, whatever the delivery order: shuffled,
//! duplicated input gives exactly the same read model as ordered input.
//!
//! A [`JoinedView`] gathers events of several streams in one item (an order with the stock and
//! payment events of the saga); [`JoinProjector`] keeps it, idempotent by event id, with a fold
//! that does not depend on the order of arrival.
//!
//! [`main!`] (over [`run`] and [`run_joined`]) is the whole of a `project-*` function.

mod cursor;
mod error;
mod joined;
mod projector;
mod run;
mod schema;
mod table;
mod view;

pub use error::ProjectionError;
pub use event_store::{Page, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE};
pub use joined::{Companion, JoinProjector, Joined, JoinedView};
pub use projector::{Projected, Projector};
pub use run::{run, run_joined};
pub use schema::create_view_table;
pub use table::ViewTable;
pub use view::{Index, View, ViewEvent, UPDATED_AT, VERSION};

/// For [`main!`]'s expansion, which must not count on the binary naming these crates.
#[doc(hidden)]
pub mod __private {
    pub use event_consumer;
    pub use lambda_runtime;
}
