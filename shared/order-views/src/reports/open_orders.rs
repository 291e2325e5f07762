//! The orders still open (placed, neither confirmed nor cancelled), by the time they were
//! placed: what `expire-orders` reads to find the orders past their deadline (SPEC §9).
//!
//! One item per open order in the report table: `open#<shard>` / `<placed_at>#<order_id>`,
//! put in the transaction that makes an order's view placed and open, deleted in the one
//! that settles it, as the counters are (a [`Companion`](projection::Companion) write). The
//! items of one shard sort by `placed_at`, so the orders placed before a time are one `Query`
//! per shard, and reading them costs only the orders still open, never the history. Eight
//! shards spread the writes of busy hours over eight partitions.

use aws_sdk_dynamodb::types::{AttributeValue, Delete, Put, TransactWriteItem};
use aws_sdk_dynamodb::Client;
use chrono::{DateTime, Utc};
use projection::ProjectionError;
use std::collections::HashMap;
use uuid::Uuid;

use crate::order::{OrderView, OrderViewStatus};
use crate::tables::{REPORTS_BUCKET, REPORTS_KEY};

/// How many partitions the open orders are spread over.
pub const OPEN_SHARDS: u128 = 8;

/// The attributes of an open order's item besides its key.
const ORDER_ID: &str = "order_id";
const CORRELATION_ID: &str = "correlation_id";

/// An order still open, as `expire-orders` needs it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct OpenOrder {
    pub order_id: Uuid,
    /// The checkout's correlation id: the cancellation carries it too.
    pub correlation_id: String,
}

fn shard_partition(shard: u128) -> String {
    format!("open#{shard}")
}

/// The key of `order`'s open-order item, when it is open.
fn open_key(order: &OrderView) -> Option<(String, String)> {
    let settled = matches!(
        order.status,
        OrderViewStatus::Confirmed | OrderViewStatus::Cancelled
    );
    let placed_at = order.placed_at.as_deref()?;
    (order.is_placed() && !settled).then(|| {
        (
            shard_partition(order.order_id.as_u128() % OPEN_SHARDS),
            format!("{placed_at}#{}", order.order_id),
        )
    })
}

/// The write that moves the open-order item from what `before` was to what `after` is: a
/// put when the order opens, a delete when it settles, nothing otherwise.
pub(super) fn writes(
    table: &str,
    before: &OrderView,
    after: &OrderView,
) -> Result<Vec<TransactWriteItem>, ProjectionError> {
    let write = match (open_key(before), open_key(after)) {
        (None, Some((report, bucket))) => TransactWriteItem::builder()
            .put(
                Put::builder()
                    .table_name(table)
                    .item(REPORTS_KEY, AttributeValue::S(report))
                    .item(REPORTS_BUCKET, AttributeValue::S(bucket))
                    .item(ORDER_ID, AttributeValue::S(after.order_id.to_string()))
                    .item(
                        CORRELATION_ID,
                        AttributeValue::S(after.correlation_id.clone().unwrap_or_default()),
                    )
                    .build()?,
            )
            .build(),
        (Some((report, bucket)), None) => TransactWriteItem::builder()
            .delete(
                Delete::builder()
                    .table_name(table)
                    .key(REPORTS_KEY, AttributeValue::S(report))
                    .key(REPORTS_BUCKET, AttributeValue::S(bucket))
                    .build()?,
            )
            .build(),
        _ => return Ok(Vec::new()),
    };
    Ok(vec![write])
}

/// The open orders placed before `cutoff`, oldest first within each shard: one `Query` per
/// shard (more pages only past 1 MB of open orders).
pub(super) async fn placed_before(
    client: &Client,
    table: &str,
    cutoff: DateTime<Utc>,
) -> Result<Vec<OpenOrder>, ProjectionError> {
    let cutoff = es_core::time::format(&cutoff);
    let mut orders = Vec::new();
    for shard in 0..OPEN_SHARDS {
        let mut items = client
            .query()
            .table_name(table)
            .key_condition_expression("#report = :report AND #bucket < :cutoff")
            .expression_attribute_names("#report", REPORTS_KEY)
            .expression_attribute_names("#bucket", REPORTS_BUCKET)
            .expression_attribute_values(":report", AttributeValue::S(shard_partition(shard)))
            .expression_attribute_values(":cutoff", AttributeValue::S(cutoff.clone()))
            .consistent_read(true)
            .into_paginator()
            .items()
            .send();
        while let Some(item) = items.next().await {
            orders.extend(OpenOrder::from_item(&item?));
        }
    }
    Ok(orders)
}

impl OpenOrder {
    /// The open order an item of the report table holds; `None` for one without an order id.
    fn from_item(item: &HashMap<String, AttributeValue>) -> Option<Self> {
        let text = |name| match item.get(name) {
            Some(AttributeValue::S(text)) => Some(text.clone()),
            _ => None,
        };
        Some(OpenOrder {
            order_id: text(ORDER_ID)?.parse().ok()?,
            correlation_id: text(CORRELATION_ID).unwrap_or_default(),
        })
    }
}
