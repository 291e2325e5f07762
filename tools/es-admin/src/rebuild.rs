//! `rebuild VIEW`: replays the store's global feed into one read model, in place, through the
//! projection code its `project-*` function runs (`projection::Projector`, or for orders
//! `projection::JoinProjector` with the report counters as its companion).
//!
//! **In place, not into a copy.** The functions find their tables by names fixed at deploy
//! time, so a copy could not be swapped in without a redeploy. In place is safe while the live
//! projection runs, because both write through the same conditional, version-checked writes:
//!
//! - a view of one stream per item (radars … carts): the feed is read newest first and each
//!   stream's newest event is projected once; an item that is missing or behind is folded from
//!   the store up to that version (the projector fills the gap), one at its version is left as
//!   it is. Items stay readable throughout. `--clear` empties the table first, so that every
//!   item is folded again from version 1 (after a change of the view's fold): items read as
//!   404 until the replay reaches them.
//! - orders: the report counters (OrderReportsTable) are moved by the difference each order's
//!   change makes, so they can only be recounted from nothing, with the orders: both tables
//!   are cleared, then every order, stock and payment event is projected as `project-orders`
//!   does, counters included. Orders read as 404, and reports count low, until the replay
//!   reaches them; an order the saga moves while the two tables are being cleared (a few
//!   seconds) can be miscounted, so rebuild orders when no checkout is in flight.
//!
//! `plate-owners` (PlateOwnersTable) is not a read model: it is the infraction policy's
//! working state, written together with the infraction events the policy appends, and it is
//! refused.

use aws_sdk_dynamodb::types::{AttributeValue, DeleteRequest, WriteRequest};
use aws_sdk_dynamodb::Client;
use es_core::EventEnvelope;
use event_store::EventStore;
use indicatif::ProgressBar;
use order_views::reports::ReportsTable;
use order_views::{CartView, CustomerView, InventoryView, OrderView};
use projection::{
    Companion, JoinProjector, Joined, JoinedView, Projected, Projector, View, ViewTable,
};
use std::collections::{HashMap, HashSet};
use std::fmt;
use std::str::FromStr;
use traffic_views::{InfractionView, OwnerView, RadarView, VehicleView};

use crate::error::{Context, Error, Result};
use crate::feed::{FeedQuery, FeedReader};
use crate::progress;
use crate::stack::Stack;

/// The views, as `rebuild` names them: the table's logical id without `Table`, lower case
/// with dashes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ViewName {
    Radars,
    Owners,
    Vehicles,
    Infractions,
    PlateOwners,
    Inventory,
    Customers,
    Carts,
    Orders,
}

impl ViewName {
    pub const ALL: [ViewName; 9] = [
        ViewName::Radars,
        ViewName::Owners,
        ViewName::Vehicles,
        ViewName::Infractions,
        ViewName::PlateOwners,
        ViewName::Inventory,
        ViewName::Customers,
        ViewName::Carts,
        ViewName::Orders,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ViewName::Radars => "radars",
            ViewName::Owners => "owners",
            ViewName::Vehicles => "vehicles",
            ViewName::Infractions => "infractions",
            ViewName::PlateOwners => "plate-owners",
            ViewName::Inventory => "inventory",
            ViewName::Customers => "customers",
            ViewName::Carts => "carts",
            ViewName::Orders => "orders",
        }
    }

    /// The table's logical id in template.yaml.
    pub fn table(self) -> &'static str {
        match self {
            ViewName::Radars => "RadarsTable",
            ViewName::Owners => "OwnersTable",
            ViewName::Vehicles => "VehiclesTable",
            ViewName::Infractions => "InfractionsTable",
            ViewName::PlateOwners => "PlateOwnersTable",
            ViewName::Inventory => "InventoryTable",
            ViewName::Customers => "CustomersTable",
            ViewName::Carts => "CartsTable",
            ViewName::Orders => "OrdersTable",
        }
    }
}

impl FromStr for ViewName {
    type Err = String;

    fn from_str(name: &str) -> std::result::Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|v| v.as_str() == name)
            .ok_or_else(|| {
                let names: Vec<&str> = Self::ALL.iter().map(|v| v.as_str()).collect();
                format!("unknown view {name:?}; one of: {}", names.join(", "))
            })
    }
}

impl fmt::Display for ViewName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why `plate-owners` is refused.
pub const PLATE_OWNERS_REFUSAL: &str = "plate-owners (PlateOwnersTable) is not a projection: \
it is the infraction policy's own state (each plate's ownership history and its infractions \
still waiting for an owner), written together with the infraction events the policy appends, \
so replaying the store cannot rebuild it. Redrive InfractionPolicyQueueDLQ to repair the \
policy's work instead.";

/// What a rebuild did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Rebuilt {
    pub view: String,
    /// A joined view (orders): counts are of events added to items, not of items.
    pub joined: bool,
    /// Items deleted first: `(table, count)`.
    pub cleared: Vec<(String, u64)>,
    pub events_read: u64,
    /// Items written (created or advanced); for orders, events added to their order.
    pub written: u64,
    /// Projected events that changed nothing: the item already held them.
    pub unchanged: u64,
    /// Events the view does not fold (orders: product and customer events of no order).
    pub ignored: u64,
    /// Older events of a stream whose newest event was projected (which covers them).
    pub covered: u64,
    pub failed: u64,
}

impl fmt::Display for Rebuilt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (table, count) in &self.cleared {
            writeln!(f, "cleared {table}: {count} items deleted")?;
        }
        let (written, unchanged) = if self.joined {
            ("events added to their order", "already held")
        } else {
            ("items written", "already up to date")
        };
        write!(
            f,
            "rebuilt {}: {} events read, {} {written}, {} {unchanged}, ",
            self.view, self.events_read, self.written, self.unchanged
        )?;
        if self.covered > 0 {
            write!(
                f,
                "{} older events covered by their stream's newest, ",
                self.covered
            )?;
        }
        if self.ignored > 0 {
            write!(f, "{} ignored by the view, ", self.ignored)?;
        }
        write!(f, "{} failed", self.failed)
    }
}

impl Rebuilt {
    /// Deletes every item of `table` before the replay, and says so.
    async fn clear(&mut self, client: &Client, table: &str) -> Result<()> {
        let deleted = clear_table(client, table).await?;
        self.cleared.push((table.to_owned(), deleted));
        Ok(())
    }
}

/// The result of projecting one event.
enum Outcome {
    Written,
    Unchanged,
    Ignored,
    Failed(String),
}

/// A projector's answer as an [`Outcome`]: [`Projected`] (one stream per item) and [`Joined`]
/// (orders) name the same three answers alike.
macro_rules! outcome_from {
    ($($answer:ident),*) => {$(
        impl From<$answer> for Outcome {
            fn from(answer: $answer) -> Self {
                match answer {
                    $answer::Applied { .. } => Outcome::Written,
                    $answer::Unchanged { .. } => Outcome::Unchanged,
                    $answer::Ignored => Outcome::Ignored,
                }
            }
        }
    )*};
}

outcome_from!(Projected, Joined);

/// What [`replay`] projects with: a view's [`Projector`], or the orders' [`JoinProjector`].
trait Project {
    /// Projects one event; what came of it.
    async fn apply(&self, envelope: EventEnvelope) -> Outcome;
}

impl<V: View> Project for Projector<V> {
    async fn apply(&self, envelope: EventEnvelope) -> Outcome {
        outcome(self.project(&envelope).await)
    }
}

impl<V: JoinedView, C: Companion<V>> Project for JoinProjector<V, C> {
    async fn apply(&self, envelope: EventEnvelope) -> Outcome {
        outcome(self.project(&envelope).await)
    }
}

/// What a projector's answer to one event comes to.
fn outcome<T: Into<Outcome>>(projected: std::result::Result<T, impl fmt::Display>) -> Outcome {
    projected.map_or_else(|e| Outcome::Failed(e.to_string()), Into::into)
}

/// Rebuilds `view` (see the module's documentation).
pub async fn rebuild(stack: &Stack, view: ViewName, clear: bool) -> Result<Rebuilt> {
    let store = stack.event_store().await?;
    let table = stack.table(view.table()).await?;
    let client = stack.dynamodb.clone();
    match view {
        ViewName::Radars => single::<RadarView>(view, &store, client, table, clear).await,
        ViewName::Owners => single::<OwnerView>(view, &store, client, table, clear).await,
        ViewName::Vehicles => single::<VehicleView>(view, &store, client, table, clear).await,
        ViewName::Infractions => single::<InfractionView>(view, &store, client, table, clear).await,
        ViewName::Inventory => single::<InventoryView>(view, &store, client, table, clear).await,
        ViewName::Customers => single::<CustomerView>(view, &store, client, table, clear).await,
        ViewName::Carts => single::<CartView>(view, &store, client, table, clear).await,
        ViewName::Orders => {
            let reports = stack.table("OrderReportsTable").await?;
            orders(&store, client, table, reports).await
        }
        ViewName::PlateOwners => Err(Error::new(PLATE_OWNERS_REFUSAL)),
    }
}

/// A view of one stream per item, through `Projector::<V>::project`.
async fn single<V: View>(
    view: ViewName,
    store: &EventStore,
    client: Client,
    table: String,
    clear: bool,
) -> Result<Rebuilt> {
    let mut rebuilt = Rebuilt {
        view: format!("{view} ({table}, in place)"),
        ..Rebuilt::default()
    };
    if clear {
        rebuilt.clear(&client, &table).await?;
    }
    let projector = Projector::new(ViewTable::<V>::new(client, table), store.clone());
    let query = FeedQuery::global()
        .of_types(&[V::AGGREGATE_TYPE])
        .newest_first();
    let key_of = |e: &EventEnvelope| Some(e.aggregate_id.clone());
    replay(store, query, &mut rebuilt, key_of, &projector, true).await?;
    Ok(rebuilt)
}

/// The order view and its report counters, through `project-orders`' projector.
async fn orders(
    store: &EventStore,
    client: Client,
    table: String,
    reports_table: String,
) -> Result<Rebuilt> {
    let mut rebuilt = Rebuilt {
        view: format!("orders ({table} and {reports_table}, cleared and replayed)"),
        joined: true,
        ..Rebuilt::default()
    };
    for name in [&table, &reports_table] {
        rebuilt.clear(&client, name).await?;
    }
    let reports = ReportsTable::new(client.clone(), reports_table);
    let projector =
        JoinProjector::new(ViewTable::<OrderView>::new(client, table)).with_companion(reports);
    // The streams whose events an order joins: its own, and the products' and customers'
    // (stock and payment events of the saga).
    let query = FeedQuery::global()
        .of_types(&[
            OrderView::AGGREGATE_TYPE,
            InventoryView::AGGREGATE_TYPE,
            CustomerView::AGGREGATE_TYPE,
        ])
        .newest_first();
    replay(
        store,
        query,
        &mut rebuilt,
        OrderView::key_of,
        &projector,
        false,
    )
    .await?;
    Ok(rebuilt)
}

/// Events projected at once: the events of one item one after the other (they would only
/// race for it), different items concurrently.
const BATCH: usize = 64;

/// Reads the feed of `query` and projects its events with `projector`, grouped by the item
/// `key_of` names; with `newest_only`, only the first (newest) event of each stream.
async fn replay(
    store: &EventStore,
    query: FeedQuery,
    rebuilt: &mut Rebuilt,
    key_of: impl Fn(&EventEnvelope) -> Option<String>,
    projector: &impl Project,
    newest_only: bool,
) -> Result<()> {
    let mut reader = FeedReader::new(store, query);
    let bar = progress::bar(reader.count().await?, "events");
    let mut seen_streams = HashSet::new();
    let mut finished = false;
    while !finished {
        let mut items: HashMap<String, Vec<EventEnvelope>> = HashMap::new();
        let mut taken = 0;
        while taken < BATCH {
            let Some(envelope) = reader.next().await? else {
                finished = true;
                break;
            };
            taken += 1;
            rebuilt.events_read += 1;
            bar.inc(1);
            if newest_only && !seen_streams.insert(envelope.stream_id().key()) {
                rebuilt.covered += 1;
                continue;
            }
            match key_of(&envelope) {
                Some(key) => items.entry(key).or_default().push(envelope),
                None => rebuilt.ignored += 1,
            }
        }
        let runs = items.into_values().map(|events| async {
            let mut outcomes = Vec::with_capacity(events.len());
            for envelope in events {
                let at = format!("{} v{}", envelope.stream_id().key(), envelope.version);
                outcomes.push((at, projector.apply(envelope).await));
            }
            outcomes
        });
        for (at, outcome) in futures::future::join_all(runs).await.into_iter().flatten() {
            tally(rebuilt, &bar, &at, outcome);
        }
    }
    bar.finish_and_clear();
    Ok(())
}

fn tally(rebuilt: &mut Rebuilt, bar: &ProgressBar, at: &str, outcome: Outcome) {
    match outcome {
        Outcome::Written => rebuilt.written += 1,
        Outcome::Unchanged => rebuilt.unchanged += 1,
        Outcome::Ignored => rebuilt.ignored += 1,
        Outcome::Failed(error) => {
            rebuilt.failed += 1;
            bar.suspend(|| eprintln!("failed: {at}: {error}"));
        }
    }
}

/// Deletes every item of `table`; how many.
pub async fn clear_table(client: &Client, table: &str) -> Result<u64> {
    let description = client
        .describe_table()
        .table_name(table)
        .send()
        .await
        .context(format!("describing {table}"))?;
    let keys: Vec<String> = description
        .table()
        .map(|t| {
            t.key_schema()
                .iter()
                .map(|k| k.attribute_name().to_owned())
                .collect()
        })
        .unwrap_or_default();
    let projection: Vec<String> = (0..keys.len()).map(|i| format!("#k{i}")).collect();
    let bar = progress::spinner(&format!("items of {table} deleted"));
    let mut deleted = 0;
    let mut start = None;
    loop {
        let mut scan = client
            .scan()
            .table_name(table)
            .consistent_read(true)
            .projection_expression(projection.join(", "))
            .set_exclusive_start_key(start);
        for (name, key) in projection.iter().zip(&keys) {
            scan = scan.expression_attribute_names(name, key);
        }
        let page = scan.send().await.context(format!("scanning {table}"))?;
        for chunk in page.items().chunks(25) {
            delete_all(client, table, chunk).await?;
            deleted += chunk.len() as u64;
            bar.inc(chunk.len() as u64);
        }
        match page.last_evaluated_key().filter(|k| !k.is_empty()) {
            Some(key) => start = Some(key.clone()),
            None => break,
        }
    }
    bar.finish_and_clear();
    Ok(deleted)
}

/// One `BatchWriteItem` of deletes, sending again what DynamoDB left unprocessed.
async fn delete_all(
    client: &Client,
    table: &str,
    keys: &[HashMap<String, AttributeValue>],
) -> Result<()> {
    let mut requests: Vec<WriteRequest> = keys
        .iter()
        .map(|key| {
            let delete = DeleteRequest::builder()
                .set_key(Some(key.clone()))
                .build()
                .expect("the key is set");
            WriteRequest::builder().delete_request(delete).build()
        })
        .collect();
    for attempt in 0..10u32 {
        let answer = client
            .batch_write_item()
            .request_items(table, requests)
            .send()
            .await
            .context(format!("deleting items of {table}"))?;
        requests = answer
            .unprocessed_items()
            .and_then(|left| left.get(table))
            .cloned()
            .unwrap_or_default();
        if requests.is_empty() {
            return Ok(());
        }
        tokio::time::sleep(std::time::Duration::from_millis(50 << attempt.min(5))).await;
    }
    Err(Error::new(format!(
        "DynamoDB kept {} deletes of {table} unprocessed",
        requests.len()
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn views_are_named_after_their_tables() {
        for view in ViewName::ALL {
            let from_table = view
                .table()
                .strip_suffix("Table")
                .unwrap()
                .chars()
                .enumerate()
                .fold(String::new(), |mut name, (i, c)| {
                    if c.is_uppercase() && i > 0 {
                        name.push('-');
                    }
                    name.push(c.to_ascii_lowercase());
                    name
                });
            assert_eq!(from_table, view.as_str());
            assert_eq!(view.as_str().parse::<ViewName>(), Ok(view));
        }
        let refused = "reports".parse::<ViewName>().unwrap_err();
        assert!(refused.contains("radars, owners"), "{refused}");
    }
}
