//! The report table: counters kept by `project-orders`, read by the two reports.
//!
//! Items, keyed by `report` (partition) and `bucket` (sort):
//! - `customer#<customer_id>` / `summary`: the customer's [`Tally`], units per product
//!   included: `GET /customers/{customer_id}/summary` is one `GetItem`;
//! - `orders-by-<level>` / `<bucket start>#<shard>`: the orders placed in one bucket of time
//!   ([`buckets`](super::buckets)): `GET /statistics/orders` is at most 7 `Query`s;
//! - `open#<shard>` / `<placed_at>#<order_id>`: the orders not settled yet
//!   ([`open_orders`](super::open_orders)), for the order deadline.
//!
//! The counters move only as a [`Companion`] of the order view: in the transaction that
//! writes an order's new state, by what the order counts for now minus what it counted for
//! before. A redelivered event writes nothing (the view already holds it), a lost race writes
//! nothing (the transaction is cancelled and starts again from the read), so each change of
//! an order moves the counters exactly once, and the counters are always the sum of what the
//! current order views count for, whatever the order in which the events arrived.

use aws_sdk_dynamodb::types::{AttributeValue, TransactWriteItem, Update};
use aws_sdk_dynamodb::Client;
use chrono::{DateTime, Utc};
use projection::{Companion, ProjectionError};
use std::collections::{BTreeMap, HashMap};
use uuid::Uuid;

use super::buckets::{bucket_key, cover, Level, Run, SortCondition};
use super::open_orders;
use super::tally::Tally;
use super::{CustomerSummary, OrderStatistics};
use crate::order::OrderView;
use crate::tables::{ORDERS_BY_CUSTOMER, ORDERS_KEY, REPORTS_BUCKET, REPORTS_KEY};

/// The sort key of a customer's summary item.
const SUMMARY: &str = "summary";

fn customer_partition(customer_id: Uuid) -> String {
    format!("customer#{customer_id}")
}

type Key = (String, String);

#[derive(Debug, Clone)]
pub struct ReportsTable {
    client: Client,
    name: String,
}

impl ReportsTable {
    pub fn new(client: Client, name: impl Into<String>) -> Self {
        Self {
            client,
            name: name.into(),
        }
    }

    /// The table named by `ORDER_REPORTS_TABLE`.
    pub fn from_env(client: Client) -> Result<Self, ProjectionError> {
        let variable = crate::tables::env::ORDER_REPORTS_TABLE;
        let name = std::env::var(variable)
            .map_err(|_| ProjectionError::MissingEnv(variable.to_owned()))?;
        Ok(Self::new(client, name))
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// The items `order` counts in, with what it counts for in each.
    fn contributions(order: &OrderView) -> Result<Vec<(Key, Tally)>, ProjectionError> {
        let tally = Tally::of(order);
        let (Some(customer_id), false) = (order.customer_id, tally.is_zero()) else {
            return Ok(Vec::new());
        };
        let placed_at = order
            .placed_at
            .as_deref()
            .and_then(es_core::time::parse)
            .ok_or_else(|| ProjectionError::Item {
                key: order.order_id.to_string(),
                reason: "a placed order without a readable placed_at".to_owned(),
            })?;
        let mut items = vec![(
            (customer_partition(customer_id), SUMMARY.to_owned()),
            tally.clone(),
        )];
        let in_time = tally.without_products();
        for level in Level::ALL {
            let bucket = bucket_key(level, placed_at, order.order_id);
            items.push(((level.partition().to_owned(), bucket), in_time.clone()));
        }
        Ok(items)
    }

    /// The updates that move the counters by what `after` counts for minus what `before`
    /// did: one per item whose counters change, none when the change moves nothing.
    pub fn counter_writes(
        &self,
        before: &OrderView,
        after: &OrderView,
    ) -> Result<Vec<TransactWriteItem>, ProjectionError> {
        let mut moves: BTreeMap<Key, Tally> = BTreeMap::new();
        for (order, sign) in [(before, -1), (after, 1)] {
            for (key, tally) in Self::contributions(order)? {
                moves.entry(key).or_default().add(&tally, sign);
            }
        }
        moves
            .into_iter()
            .filter(|(_, change)| !change.is_zero())
            .map(|((report, bucket), change)| self.add(report, bucket, &change))
            .collect()
    }

    /// `ADD` of every counter of `change` to item `(report, bucket)`, made if absent.
    fn add(
        &self,
        report: String,
        bucket: String,
        change: &Tally,
    ) -> Result<TransactWriteItem, ProjectionError> {
        let mut update = Update::builder()
            .table_name(&self.name)
            .key(REPORTS_KEY, AttributeValue::S(report))
            .key(REPORTS_BUCKET, AttributeValue::S(bucket));
        let mut terms = Vec::new();
        for (i, (attribute, amount)) in change.attributes().into_iter().enumerate() {
            terms.push(format!("#a{i} :v{i}"));
            update = update
                .expression_attribute_names(format!("#a{i}"), attribute)
                .expression_attribute_values(
                    format!(":v{i}"),
                    AttributeValue::N(amount.to_string()),
                );
        }
        let update = update
            .update_expression(format!("ADD {}", terms.join(", ")))
            .build()?;
        Ok(TransactWriteItem::builder().update(update).build())
    }

    /// `GET /statistics/orders?from=&to=`: the orders placed in `[from, to)`, each bound
    /// optional. One `Query` per run of buckets (at most 7), all at once.
    pub async fn statistics(
        &self,
        from: Option<DateTime<Utc>>,
        to: Option<DateTime<Utc>>,
    ) -> Result<OrderStatistics, ProjectionError> {
        let runs = cover(from, to);
        let tallies = futures::future::try_join_all(runs.iter().map(|run| self.sum(run))).await?;
        let text = |at: Option<DateTime<Utc>>| at.as_ref().map(es_core::time::format);
        Ok(tallies
            .into_iter()
            .sum::<Tally>()
            .statistics(text(from), text(to)))
    }

    /// The sum of the counters of the buckets of `run`.
    async fn sum(&self, run: &Run) -> Result<Tally, ProjectionError> {
        let mut names = HashMap::from([("#report".to_owned(), REPORTS_KEY.to_owned())]);
        let mut values = HashMap::from([(
            ":report".to_owned(),
            AttributeValue::S(run.level.partition().to_owned()),
        )]);
        let mut condition = "#report = :report".to_owned();
        let mut bound = |expression: &str, pairs: &[(&str, &String)]| {
            condition.push_str(" AND ");
            condition.push_str(expression);
            names.insert("#bucket".to_owned(), REPORTS_BUCKET.to_owned());
            for (name, value) in pairs {
                values.insert((*name).to_owned(), AttributeValue::S((*value).clone()));
            }
        };
        match run.sort_condition() {
            SortCondition::All => {}
            SortCondition::Before(to) => bound("#bucket < :to", &[(":to", &to)]),
            SortCondition::AtOrAfter(from) => bound("#bucket >= :from", &[(":from", &from)]),
            SortCondition::Between(from, to) => bound(
                "#bucket BETWEEN :from AND :to",
                &[(":from", &from), (":to", &to)],
            ),
        }
        let mut items = self
            .client
            .query()
            .table_name(&self.name)
            .key_condition_expression(condition)
            .set_expression_attribute_names(Some(names))
            .set_expression_attribute_values(Some(values))
            .into_paginator()
            .items()
            .send();
        let mut total = Tally::default();
        while let Some(item) = items.next().await {
            total.add(&Tally::from_item(&item?), 1);
        }
        Ok(total)
    }

    /// The orders placed before `cutoff` and still open (see [`open_orders`]).
    pub async fn open_orders_placed_before(
        &self,
        cutoff: DateTime<Utc>,
    ) -> Result<Vec<open_orders::OpenOrder>, ProjectionError> {
        open_orders::placed_before(&self.client, &self.name, cutoff).await
    }

    /// `GET /customers/{customer_id}/summary`: one `GetItem`.
    pub async fn customer_summary(
        &self,
        customer_id: Uuid,
    ) -> Result<CustomerSummary, ProjectionError> {
        let found = self
            .client
            .get_item()
            .table_name(&self.name)
            .key(
                REPORTS_KEY,
                AttributeValue::S(customer_partition(customer_id)),
            )
            .key(REPORTS_BUCKET, AttributeValue::S(SUMMARY.to_owned()))
            .send()
            .await?;
        let tally = found
            .item
            .as_ref()
            .map(Tally::from_item)
            .unwrap_or_default();
        Ok(tally.summary(customer_id))
    }
}

impl Companion<OrderView> for ReportsTable {
    fn writes(
        &self,
        before: &OrderView,
        after: &OrderView,
    ) -> Result<Vec<TransactWriteItem>, ProjectionError> {
        let mut writes = self.counter_writes(before, after)?;
        writes.extend(open_orders::writes(&self.name, before, after)?);
        Ok(writes)
    }
}

/// Creates the tables `project-orders` writes: the orders table `orders`, with its key and
/// index, and its report table `reports` (for tests and local runs; the template declares the
/// same).
pub async fn create_order_tables(
    client: &Client,
    orders: &str,
    reports: &str,
) -> Result<(), ProjectionError> {
    projection::create_view_table(client, orders, ORDERS_KEY, &[ORDERS_BY_CUSTOMER]).await?;
    create_reports_table(client, reports).await
}

/// Creates the report table (for tests and local runs; the template declares the same).
pub async fn create_reports_table(client: &Client, name: &str) -> Result<(), ProjectionError> {
    use aws_sdk_dynamodb::types::{
        AttributeDefinition, BillingMode, KeySchemaElement, KeyType, ScalarAttributeType,
    };
    let mut request = client
        .create_table()
        .table_name(name)
        .billing_mode(BillingMode::PayPerRequest);
    for (attribute, key_type) in [
        (REPORTS_KEY, KeyType::Hash),
        (REPORTS_BUCKET, KeyType::Range),
    ] {
        request = request
            .attribute_definitions(
                AttributeDefinition::builder()
                    .attribute_name(attribute)
                    .attribute_type(ScalarAttributeType::S)
                    .build()?,
            )
            .key_schema(
                KeySchemaElement::builder()
                    .attribute_name(attribute)
                    .key_type(key_type)
                    .build()?,
            );
    }
    request.send().await?;
    Ok(())
}
