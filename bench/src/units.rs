//! DynamoDB write units, priced from the write requests as DynamoDB bills them:
//! 1 unit per started KB of the item for PutItem / UpdateItem / DeleteItem, 2 for an item of
//! TransactWriteItems, plus, for each global secondary index the item lands in (it carries that
//! index's key attributes), 1 per started KB of what the index projects.
//!
//! The indexes come from DescribeTable, so the figures follow the schema as it changes.
//! Updated and condition-checked items are read back (after the fact) for their size; a delete,
//! whose item is gone by then, is priced as one started KB and no index.

use aws_sdk_dynamodb::types::{AttributeValue, ProjectionType};
use aws_sdk_dynamodb::Client;
use std::collections::HashMap;

use crate::meter::{Item, Write};

#[derive(Debug, Clone)]
struct Index {
    keys: Vec<String>,
    projection: Projected,
}

#[derive(Debug, Clone)]
enum Projected {
    All,
    /// The index keys, the table keys and these attributes.
    Only(Vec<String>),
}

/// Prices writes against the tables' current layout. Its client must not be metered.
pub struct Pricing {
    client: Client,
    tables: HashMap<String, (Vec<String>, Vec<Index>)>,
}

impl Pricing {
    pub fn new(client: Client) -> Self {
        Self {
            client,
            tables: HashMap::new(),
        }
    }

    /// The index names of `table` and their partition keys, for the printout.
    pub async fn describe(&mut self, table: &str) -> Vec<String> {
        let (_, indexes) = self.layout(table).await;
        indexes.iter().map(|i| i.keys.join("+")).collect()
    }

    async fn layout(&mut self, table: &str) -> (Vec<String>, Vec<Index>) {
        if let Some(known) = self.tables.get(table) {
            return known.clone();
        }
        let description = self
            .client
            .describe_table()
            .table_name(table)
            .send()
            .await
            .expect("DescribeTable")
            .table
            .expect("a table");
        let table_keys = description
            .key_schema()
            .iter()
            .map(|k| k.attribute_name().to_owned())
            .collect::<Vec<_>>();
        let indexes = description
            .global_secondary_indexes()
            .iter()
            .map(|gsi| {
                let keys = gsi
                    .key_schema()
                    .iter()
                    .map(|k| k.attribute_name().to_owned())
                    .collect::<Vec<_>>();
                let projection = match gsi.projection().and_then(|p| p.projection_type()) {
                    Some(ProjectionType::All) | None => Projected::All,
                    Some(_) => Projected::Only(
                        gsi.projection()
                            .map(|p| p.non_key_attributes().to_vec())
                            .unwrap_or_default()
                            .into_iter()
                            .chain(keys.iter().cloned())
                            .chain(table_keys.iter().cloned())
                            .collect(),
                    ),
                };
                Index { keys, projection }
            })
            .collect::<Vec<_>>();
        self.tables
            .insert(table.to_owned(), (table_keys.clone(), indexes.clone()));
        (table_keys, indexes)
    }

    /// The write units of `writes`.
    pub async fn units(&mut self, writes: &[Write]) -> u64 {
        let mut total = 0;
        for write in writes {
            total += match write {
                Write::Put {
                    table,
                    item,
                    transactional,
                } => self.item_units(table, item, *transactional).await,
                Write::Update {
                    table,
                    key,
                    transactional,
                } => {
                    let item = self
                        .read_back(table, key)
                        .await
                        .unwrap_or_else(|| key.clone());
                    self.item_units(table, &item, *transactional).await
                }
                Write::Delete { transactional, .. } => factor(*transactional),
                Write::Check { table, key } => {
                    let item = self
                        .read_back(table, key)
                        .await
                        .unwrap_or_else(|| key.clone());
                    kilobytes(item_size(&item)) * factor(true)
                }
            };
        }
        total
    }

    async fn item_units(&mut self, table: &str, item: &Item, transactional: bool) -> u64 {
        let (_, indexes) = self.layout(table).await;
        let mut units = kilobytes(item_size(item)) * factor(transactional);
        for index in &indexes {
            if index.keys.iter().all(|k| item.contains_key(k)) {
                let projected = match &index.projection {
                    Projected::All => item_size(item),
                    Projected::Only(names) => item_size(
                        &item
                            .iter()
                            .filter(|(name, _)| names.contains(name))
                            .map(|(n, v)| (n.clone(), v.clone()))
                            .collect(),
                    ),
                };
                units += kilobytes(projected);
            }
        }
        units
    }

    async fn read_back(&self, table: &str, key: &Item) -> Option<Item> {
        self.client
            .get_item()
            .table_name(table)
            .set_key(Some(key.clone()))
            .consistent_read(true)
            .send()
            .await
            .ok()?
            .item
    }
}

fn factor(transactional: bool) -> u64 {
    if transactional {
        2
    } else {
        1
    }
}

fn kilobytes(bytes: usize) -> u64 {
    bytes.div_ceil(1024).max(1) as u64
}

/// DynamoDB's item size: attribute names plus values.
pub fn item_size(item: &Item) -> usize {
    item.iter()
        .map(|(name, value)| name.len() + value_size(value))
        .sum()
}

fn value_size(value: &AttributeValue) -> usize {
    match value {
        AttributeValue::S(s) => s.len(),
        AttributeValue::N(n) => number_size(n),
        AttributeValue::B(b) => b.as_ref().len(),
        AttributeValue::Bool(_) | AttributeValue::Null(_) => 1,
        AttributeValue::Ss(values) => values.iter().map(String::len).sum(),
        AttributeValue::Ns(values) => values.iter().map(|n| number_size(n)).sum(),
        AttributeValue::Bs(values) => values.iter().map(|b| b.as_ref().len()).sum(),
        AttributeValue::L(values) => 3 + values.iter().map(|v| 1 + value_size(v)).sum::<usize>(),
        AttributeValue::M(map) => {
            3 + map
                .iter()
                .map(|(name, v)| name.len() + 1 + value_size(v))
                .sum::<usize>()
        }
        _ => 0,
    }
}

/// About one byte per two significant digits, plus one.
fn number_size(number: &str) -> usize {
    let digits: String = number.chars().filter(char::is_ascii_digit).collect();
    let significant = digits
        .trim_start_matches('0')
        .trim_end_matches('0')
        .len()
        .max(1);
    significant.div_ceil(2) + 1
}
