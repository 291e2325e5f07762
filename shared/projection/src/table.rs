//! A view's table: items in and out, and the query side (get, list, query an index).

use aws_sdk_dynamodb::operation::put_item::PutItemError;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::error::TransactionCanceledException;
use aws_sdk_dynamodb::types::{AttributeValue, Put, TransactWriteItem};
use aws_sdk_dynamodb::Client;
use event_store::dynamo::{self, DynamoError};
use event_store::{Page, MAX_PAGE_SIZE};
use std::collections::HashMap;
use std::fmt;
use std::marker::PhantomData;

use crate::cursor::{self, Key};
use crate::error::{env, ProjectionError};
use crate::view::{Index, View, UPDATED_AT, VERSION};

pub(crate) type Item = HashMap<String, AttributeValue>;

/// A view as stored, with the stream version it reflects.
pub(crate) struct Stored<V> {
    pub view: V,
    pub version: u64,
}

/// The table of one view type. Cheap to clone: the SDK client is shared.
pub struct ViewTable<V> {
    client: Client,
    name: String,
    view: PhantomData<fn() -> V>,
}

impl<V> Clone for ViewTable<V> {
    fn clone(&self) -> Self {
        Self {
            client: self.client.clone(),
            name: self.name.clone(),
            view: PhantomData,
        }
    }
}

impl<V> fmt::Debug for ViewTable<V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ViewTable")
            .field("name", &self.name)
            .finish()
    }
}

/// Where a page is read from.
#[derive(Clone, Copy)]
enum Source<'a> {
    Scan,
    Index { index: &'a Index, value: &'a str },
}

impl<V: View> ViewTable<V> {
    pub fn new(client: Client, name: impl Into<String>) -> Self {
        Self {
            client,
            name: name.into(),
            view: PhantomData,
        }
    }

    /// The table named by the environment variable `var` (e.g. `RADARS_TABLE`).
    pub fn from_env(client: Client, var: &str) -> Result<Self, ProjectionError> {
        Ok(Self::new(client, env(var)?))
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn client(&self) -> &Client {
        &self.client
    }

    /// The view of aggregate `key`, if its table has one.
    pub async fn get(&self, key: &str) -> Result<Option<V>, ProjectionError> {
        Ok(self.read(key, false).await?.map(|stored| stored.view))
    }

    /// The view of aggregate `key` with the version of its stream it has applied.
    pub async fn get_versioned(&self, key: &str) -> Result<Option<(V, u64)>, ProjectionError> {
        Ok(self
            .read(key, false)
            .await?
            .map(|stored| (stored.view, stored.version)))
    }

    /// The stored view and its version; consistent reads see the last write.
    pub(crate) async fn read(
        &self,
        key: &str,
        consistent: bool,
    ) -> Result<Option<Stored<V>>, ProjectionError> {
        let found = dynamo::get_item(&self.client, &self.name, (V::KEY, key), consistent).await?;
        found.map(|item| from_stored(key, item)).transpose()
    }

    /// The item for `view` at `version`: its fields minus the `None`s, the key, `version` and
    /// `updated_at`.
    pub(crate) fn to_item(
        &self,
        key: &str,
        view: &V,
        version: u64,
        updated_at: &str,
    ) -> Result<Item, ProjectionError> {
        let mut item: Item = serde_dynamo::to_item(view).map_err(|e| item_error(key, e))?;
        // A NULL may not be an index key, and an absent attribute keeps the item out of an
        // index whose key it is: a `None` is simply not stored.
        item.retain(|_, value| !matches!(value, AttributeValue::Null(_)));
        item.insert(V::KEY.to_owned(), AttributeValue::S(key.to_owned()));
        item.insert(VERSION.to_owned(), AttributeValue::N(version.to_string()));
        item.insert(
            UPDATED_AT.to_owned(),
            AttributeValue::S(updated_at.to_owned()),
        );
        Ok(item)
    }

    /// Replaces the item if its version is still `read_version` (0: no item). `false` when
    /// another writer changed it since.
    pub(crate) async fn write_if_version(
        &self,
        item: Item,
        read_version: u64,
    ) -> Result<bool, ProjectionError> {
        let request = self
            .client
            .put_item()
            .table_name(&self.name)
            .set_item(Some(item));
        let request = if read_version == 0 {
            request
                .condition_expression("attribute_not_exists(#key)")
                .expression_attribute_names("#key", V::KEY)
        } else {
            request
                .condition_expression("#version = :read")
                .expression_attribute_names("#version", VERSION)
                .expression_attribute_values(":read", AttributeValue::N(read_version.to_string()))
        };
        match request.send().await {
            Ok(_) => Ok(true),
            Err(err) => match err.into_service_error() {
                PutItemError::ConditionalCheckFailedException(_) => Ok(false),
                other => Err(DynamoError::service(other).into()),
            },
        }
    }

    /// Like [`ViewTable::write_if_version`], in one transaction with `companions`: the item
    /// and every companion write land together, or none does. `false` when the item changed
    /// since it was read or a concurrent transaction held one of the items: start again from
    /// the read either way.
    pub(crate) async fn transact_if_version(
        &self,
        item: Item,
        read_version: u64,
        companions: Vec<TransactWriteItem>,
    ) -> Result<bool, ProjectionError> {
        let put = Put::builder().table_name(&self.name).set_item(Some(item));
        let put = if read_version == 0 {
            put.condition_expression("attribute_not_exists(#key)")
                .expression_attribute_names("#key", V::KEY)
        } else {
            put.condition_expression("#version = :read")
                .expression_attribute_names("#version", VERSION)
                .expression_attribute_values(":read", AttributeValue::N(read_version.to_string()))
        };
        let mut items = vec![TransactWriteItem::builder().put(put.build()?).build()];
        items.extend(companions);
        let sent = self
            .client
            .transact_write_items()
            .set_transact_items(Some(items))
            .send()
            .await;
        match sent {
            Ok(_) => Ok(true),
            Err(err) => match err.into_service_error() {
                TransactWriteItemsError::TransactionCanceledException(cancelled)
                    if retryable(&cancelled) =>
                {
                    Ok(false)
                }
                other => Err(DynamoError::service(other).into()),
            },
        }
    }

    /// A page of the whole table (in no particular order), keeping the items whose
    /// attributes equal every `(attribute, value)` of `filters`. `limit` is clamped to
    /// 1..=100; `cursor` is a previous page's `next_cursor`.
    pub async fn list(
        &self,
        filters: &[(&str, &str)],
        limit: usize,
        cursor: Option<&str>,
    ) -> Result<Page<V>, ProjectionError> {
        self.page(Source::Scan, filters, limit, cursor).await
    }

    /// A page of the items whose `index.partition_key` is `value`, ordered by the index's
    /// sort key (largest first when `index.newest_first`), keeping those that match
    /// `filters`. Paged like [`ViewTable::list`].
    pub async fn query(
        &self,
        index: &Index,
        value: &str,
        filters: &[(&str, &str)],
        limit: usize,
        cursor: Option<&str>,
    ) -> Result<Page<V>, ProjectionError> {
        self.page(Source::Index { index, value }, filters, limit, cursor)
            .await
    }

    async fn page(
        &self,
        source: Source<'_>,
        filters: &[(&str, &str)],
        limit: usize,
        cursor: Option<&str>,
    ) -> Result<Page<V>, ProjectionError> {
        let limit = limit.clamp(1, MAX_PAGE_SIZE);
        let key_names = key_names::<V>(source);
        let mut start = cursor.map(|c| cursor::decode(c, &key_names)).transpose()?;
        // One more than asked tells whether there is a next page.
        let wanted = limit + 1;
        let mut items: Vec<Item> = Vec::new();
        loop {
            // DynamoDB's Limit counts items read before filtering: with filters, read whole
            // pages and keep what matches.
            let read_limit = filters.is_empty().then(|| (wanted - items.len()) as i32);
            let (found, last) = match source {
                Source::Scan => self.scan(filters, read_limit, start).await?,
                Source::Index { index, value } => {
                    self.query_index(index, value, filters, read_limit, start)
                        .await?
                }
            };
            items.extend(found);
            match last {
                Some(key) if !key.is_empty() && items.len() < wanted => start = Some(key),
                _ => break,
            }
        }
        let next_cursor = if items.len() > limit {
            items.truncate(limit);
            let last = items.last().expect("a full page has a last item");
            Some(
                cursor::encode(last, &key_names).ok_or_else(|| ProjectionError::Item {
                    key: text(last, V::KEY),
                    reason: format!("lacks one of the key attributes {key_names:?}"),
                })?,
            )
        } else {
            None
        };
        let items = items
            .into_iter()
            .map(|item| {
                let key = text(&item, V::KEY);
                serde_dynamo::from_item(item).map_err(|e| item_error(&key, e))
            })
            .collect::<Result<_, _>>()?;
        Ok(Page { items, next_cursor })
    }

    async fn scan(
        &self,
        filters: &[(&str, &str)],
        limit: Option<i32>,
        start: Option<Key>,
    ) -> Result<(Vec<Item>, Option<Key>), ProjectionError> {
        let mut request = self
            .client
            .scan()
            .table_name(&self.name)
            .set_limit(limit)
            .set_exclusive_start_key(start);
        if let Some((expression, names, values)) = filter_expression(filters) {
            request = request
                .filter_expression(expression)
                .set_expression_attribute_names(Some(names))
                .set_expression_attribute_values(Some(values));
        }
        let page = request.send().await?;
        Ok((page.items.unwrap_or_default(), page.last_evaluated_key))
    }

    async fn query_index(
        &self,
        index: &Index,
        value: &str,
        filters: &[(&str, &str)],
        limit: Option<i32>,
        start: Option<Key>,
    ) -> Result<(Vec<Item>, Option<Key>), ProjectionError> {
        let (filter, mut names, mut values) = filter_expression(filters).unwrap_or_default();
        names.insert("#pk".to_owned(), index.partition_key.to_owned());
        values.insert(":pk".to_owned(), AttributeValue::S(value.to_owned()));
        let mut request = self
            .client
            .query()
            .table_name(&self.name)
            .index_name(index.name)
            .key_condition_expression("#pk = :pk")
            .set_expression_attribute_names(Some(names))
            .set_expression_attribute_values(Some(values))
            .scan_index_forward(!index.newest_first)
            .set_limit(limit)
            .set_exclusive_start_key(start);
        if !filter.is_empty() {
            request = request.filter_expression(filter);
        }
        let page = request.send().await?;
        Ok((page.items.unwrap_or_default(), page.last_evaluated_key))
    }
}

/// The attributes that position a read: the table key, plus the index's keys.
fn key_names<V: View>(source: Source<'_>) -> Vec<&'static str> {
    let mut names = vec![V::KEY];
    if let Source::Index { index, .. } = source {
        for name in [Some(index.partition_key), index.sort_key]
            .into_iter()
            .flatten()
        {
            if !names.contains(&name) {
                names.push(name);
            }
        }
    }
    names
}

type Names = HashMap<String, String>;
type Values = HashMap<String, AttributeValue>;

/// `#f0 = :f0 AND #f1 = :f1…` with its names and values; `None` without filters.
fn filter_expression(filters: &[(&str, &str)]) -> Option<(String, Names, Values)> {
    if filters.is_empty() {
        return None;
    }
    let mut names = Names::new();
    let mut values = Values::new();
    let mut terms = Vec::new();
    for (i, (attribute, value)) in filters.iter().enumerate() {
        names.insert(format!("#f{i}"), (*attribute).to_owned());
        values.insert(format!(":f{i}"), AttributeValue::S((*value).to_owned()));
        terms.push(format!("#f{i} = :f{i}"));
    }
    Some((terms.join(" AND "), names, values))
}

/// A cancelled transaction worth starting again from the read: the item's condition failed
/// (another writer moved it) or another transaction held one of its items.
fn retryable(cancelled: &TransactionCanceledException) -> bool {
    cancelled.cancellation_reasons().iter().any(|reason| {
        matches!(
            reason.code(),
            Some("ConditionalCheckFailed" | "TransactionConflict")
        )
    })
}

fn from_stored<V: View>(key: &str, item: Item) -> Result<Stored<V>, ProjectionError> {
    let version = match item.get(VERSION) {
        Some(AttributeValue::N(n)) => n.parse().ok(),
        _ => None,
    }
    .ok_or_else(|| ProjectionError::Item {
        key: key.to_owned(),
        reason: format!("no numeric {VERSION} attribute"),
    })?;
    let view = serde_dynamo::from_item(item).map_err(|e| item_error(key, e))?;
    Ok(Stored { view, version })
}

fn item_error(key: &str, error: serde_dynamo::Error) -> ProjectionError {
    ProjectionError::Item {
        key: key.to_owned(),
        reason: error.to_string(),
    }
}

fn text(item: &Item, name: &str) -> String {
    match item.get(name) {
        Some(AttributeValue::S(text)) => text.clone(),
        _ => String::new(),
    }
}
