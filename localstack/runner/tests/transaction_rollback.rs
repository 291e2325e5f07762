//! A cancelled transaction leaves no trace of its Updates.
//!
//! moto applies a transactional Update to the existing item in place, before it knows whether
//! another operation of the transaction fails; `moto_serial.py` rolls a cancelled transaction
//! back by restoring the tables' key maps, which cannot undo a change made inside an item. The
//! order reports' counters are such Updates (`ADD`), committed with the order view's
//! conditional Put: without the copy `moto_serial.py` takes of every item an Update names,
//! a lost race counted twice. This test fails without it.

mod common;

use aws_sdk_dynamodb::types::{
    AttributeDefinition, AttributeValue, BillingMode, KeySchemaElement, KeyType, Put,
    ScalarAttributeType, TransactWriteItem, Update,
};
use common::MotoSerial;

#[tokio::test]
async fn a_cancelled_transaction_undoes_its_updates() {
    let moto = MotoSerial::start();
    let dynamodb = moto.clients().dynamodb;
    for (table, keys) in [("views", vec!["k"]), ("counters", vec!["k", "bucket"])] {
        let mut create = dynamodb
            .create_table()
            .table_name(table)
            .billing_mode(BillingMode::PayPerRequest);
        for (i, key) in keys.iter().enumerate() {
            let kind = if i == 0 {
                KeyType::Hash
            } else {
                KeyType::Range
            };
            create = create
                .key_schema(
                    KeySchemaElement::builder()
                        .attribute_name(*key)
                        .key_type(kind)
                        .build()
                        .unwrap(),
                )
                .attribute_definitions(
                    AttributeDefinition::builder()
                        .attribute_name(*key)
                        .attribute_type(ScalarAttributeType::S)
                        .build()
                        .unwrap(),
                );
        }
        create.send().await.unwrap();
    }
    let s = |v: &str| AttributeValue::S(v.into());
    let n = |v: u64| AttributeValue::N(v.to_string());
    dynamodb
        .put_item()
        .table_name("views")
        .item("k", s("order"))
        .item("version", n(1))
        .send()
        .await
        .unwrap();
    dynamodb
        .put_item()
        .table_name("counters")
        .item("k", s("customer"))
        .item("bucket", s("summary"))
        .item("orders", n(1))
        .send()
        .await
        .unwrap();

    // The view moved on (version 1, not 5): the Put's condition fails, the transaction is
    // cancelled, and neither counter may move.
    let add = |bucket: &str| {
        TransactWriteItem::builder()
            .update(
                Update::builder()
                    .table_name("counters")
                    .key("k", s("customer"))
                    .key("bucket", s(bucket))
                    .update_expression("ADD orders :one")
                    .expression_attribute_values(":one", n(1))
                    .build()
                    .unwrap(),
            )
            .build()
    };
    let stale_put = TransactWriteItem::builder()
        .put(
            Put::builder()
                .table_name("views")
                .item("k", s("order"))
                .item("version", n(2))
                .condition_expression("version = :read")
                .expression_attribute_values(":read", n(5))
                .build()
                .unwrap(),
        )
        .build();
    let cancelled = dynamodb
        .transact_write_items()
        .transact_items(stale_put)
        .transact_items(add("summary"))
        .transact_items(add("new"))
        .send()
        .await;
    assert!(cancelled.is_err(), "the stale Put cancels the transaction");

    let counter = |bucket: &'static str| {
        let dynamodb = dynamodb.clone();
        async move {
            dynamodb
                .get_item()
                .table_name("counters")
                .key("k", s("customer"))
                .key("bucket", s(bucket))
                .consistent_read(true)
                .send()
                .await
                .unwrap()
                .item
        }
    };
    let existing = counter("summary").await.expect("the counter");
    assert_eq!(existing["orders"], n(1), "an existing item is put back");
    assert!(counter("new").await.is_none(), "a new item is removed");
}
