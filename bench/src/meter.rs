//! What a DynamoDB client spends: requests by operation (every attempt, as they reach the
//! server), the write requests themselves, kept to price them in write units afterwards, and
//! what the responses of `GetItem`, `Query` and `Scan` carried.

use aws_sdk_dynamodb::operation::batch_write_item::BatchWriteItemInput;
use aws_sdk_dynamodb::operation::delete_item::DeleteItemInput;
use aws_sdk_dynamodb::operation::get_item::GetItemOutput;
use aws_sdk_dynamodb::operation::put_item::PutItemInput;
use aws_sdk_dynamodb::operation::query::QueryOutput;
use aws_sdk_dynamodb::operation::scan::ScanOutput;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsInput;
use aws_sdk_dynamodb::operation::update_item::UpdateItemInput;
use aws_sdk_dynamodb::types::AttributeValue;
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::context::{
    AfterDeserializationInterceptorContextRef, BeforeSerializationInterceptorContextRef,
    BeforeTransmitInterceptorContextRef,
};
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::orchestrator::Metadata;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use crate::units::item_size;

pub type Item = HashMap<String, AttributeValue>;

/// One item written. `transactional` items cost twice (TransactWriteItems).
#[derive(Debug, Clone)]
pub enum Write {
    /// The whole item is in the request.
    Put {
        table: String,
        item: Item,
        transactional: bool,
    },
    /// Only the key is: the item is read back to price it.
    Update {
        table: String,
        key: Item,
        transactional: bool,
    },
    /// Priced as one started KB: the item is gone by the time it could be read.
    Delete { transactional: bool },
    /// A condition check inside a transaction: priced as a transactional write of the item.
    Check { table: String, key: Item },
}

/// What the responses of a stretch of work carried.
#[derive(Debug, Clone, Copy, Default)]
pub struct Read {
    pub items: u64,
    pub bytes: u64,
    /// Eventually consistent read units, in halves.
    pub half_units: u64,
}

#[derive(Debug, Default)]
struct Log {
    requests: BTreeMap<String, usize>,
    writes: Vec<Write>,
    read: Read,
}

/// An interceptor that records what a client sends; [`Meter::take`] empties it.
#[derive(Debug, Clone, Default)]
pub struct Meter(Arc<Mutex<Log>>);

/// What one stretch of work sent.
#[derive(Debug, Default)]
pub struct Spent {
    pub requests: BTreeMap<String, usize>,
    pub writes: Vec<Write>,
    pub read: Read,
}

impl Spent {
    pub fn request_count(&self) -> usize {
        self.requests.values().sum()
    }
}

impl Meter {
    pub fn take(&self) -> Spent {
        let mut log = self.0.lock().expect("meter lock");
        Spent {
            requests: std::mem::take(&mut log.requests),
            writes: std::mem::take(&mut log.writes),
            read: std::mem::take(&mut log.read),
        }
    }
}

impl Intercept for Meter {
    fn name(&self) -> &'static str {
        "Meter"
    }

    /// Once per operation, retries or not: the writes it asks for.
    fn read_before_execution(
        &self,
        context: &BeforeSerializationInterceptorContextRef<'_>,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let writes = writes_of(context.input());
        self.0.lock().expect("meter lock").writes.extend(writes);
        Ok(())
    }

    /// Once per attempt: a retry is a request too.
    fn read_before_transmit(
        &self,
        _context: &BeforeTransmitInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let name = cfg
            .load::<Metadata>()
            .map(|m| m.name().to_owned())
            .unwrap_or_else(|| "?".into());
        *self
            .0
            .lock()
            .expect("meter lock")
            .requests
            .entry(name)
            .or_default() += 1;
        Ok(())
    }

    /// Once per response: the items it carries and what reading them costs.
    fn read_after_deserialization(
        &self,
        context: &AfterDeserializationInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let Ok(output) = context.output_or_error() else {
            return Ok(());
        };
        let items: Vec<&Item> = if let Some(query) = output.downcast_ref::<QueryOutput>() {
            query.items().iter().collect()
        } else if let Some(scan) = output.downcast_ref::<ScanOutput>() {
            scan.items().iter().collect()
        } else if let Some(get) = output.downcast_ref::<GetItemOutput>() {
            get.item().into_iter().collect()
        } else {
            return Ok(());
        };
        let bytes: u64 = items.iter().map(|item| item_size(item) as u64).sum();
        let read = &mut self.0.lock().expect("meter lock").read;
        read.items += items.len() as u64;
        read.bytes += bytes;
        read.half_units += bytes.div_ceil(4096).max(1);
        Ok(())
    }
}

fn writes_of(input: &aws_smithy_runtime_api::client::interceptors::context::Input) -> Vec<Write> {
    if let Some(put) = input.downcast_ref::<PutItemInput>() {
        return vec![Write::Put {
            table: put.table_name.clone().unwrap_or_default(),
            item: put.item.clone().unwrap_or_default(),
            transactional: false,
        }];
    }
    if let Some(update) = input.downcast_ref::<UpdateItemInput>() {
        return vec![Write::Update {
            table: update.table_name.clone().unwrap_or_default(),
            key: update.key.clone().unwrap_or_default(),
            transactional: false,
        }];
    }
    if input.downcast_ref::<DeleteItemInput>().is_some() {
        return vec![Write::Delete {
            transactional: false,
        }];
    }
    if let Some(batch) = input.downcast_ref::<BatchWriteItemInput>() {
        let mut writes = Vec::new();
        for (table, requests) in batch.request_items.iter().flatten() {
            for request in requests {
                if let Some(put) = &request.put_request {
                    writes.push(Write::Put {
                        table: table.clone(),
                        item: put.item.clone(),
                        transactional: false,
                    });
                }
                if request.delete_request.is_some() {
                    writes.push(Write::Delete {
                        transactional: false,
                    });
                }
            }
        }
        return writes;
    }
    if let Some(transaction) = input.downcast_ref::<TransactWriteItemsInput>() {
        let mut writes = Vec::new();
        for item in transaction.transact_items.iter().flatten() {
            if let Some(put) = &item.put {
                writes.push(Write::Put {
                    table: put.table_name.clone(),
                    item: put.item.clone(),
                    transactional: true,
                });
            }
            if let Some(update) = &item.update {
                writes.push(Write::Update {
                    table: update.table_name.clone(),
                    key: update.key.clone(),
                    transactional: true,
                });
            }
            if item.delete.is_some() {
                writes.push(Write::Delete {
                    transactional: true,
                });
            }
            if let Some(check) = &item.condition_check {
                writes.push(Write::Check {
                    table: check.table_name.clone(),
                    key: check.key.clone(),
                });
            }
        }
        return writes;
    }
    Vec::new()
}
