//! A stream reader never sees a record that a cancelled transaction wrote.
//!
//! moto rolls a cancelled TransactWriteItems back by swapping in another table object, while
//! a shard iterator (GetShardIterator, then GetRecords: two requests) keeps the old one: the
//! reader then saw the cancelled transaction's records, and the records written next reused
//! their sequence numbers, so a poller lost them. `moto_serial.py` rolls back in place; this
//! test fails without that.

mod common;

use aws_sdk_dynamodb::types::{AttributeValue, Put, TransactWriteItem};
use common::MotoSerial;
use local_cloud::provision::ensure_table;
use local_cloud::stream::shard_iterator;
use local_cloud::template::{KeyElement, TableSpec};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;

const TABLE: &str = "events";

fn put(stream: &str, version: usize) -> TransactWriteItem {
    let put = Put::builder()
        .table_name(TABLE)
        .item("s", AttributeValue::S(stream.into()))
        .item("v", AttributeValue::N(version.to_string()))
        .condition_expression("attribute_not_exists(s)")
        .build()
        .unwrap();
    TransactWriteItem::builder().put(put).build()
}

fn key_of(record: &aws_sdk_dynamodbstreams::types::Record) -> String {
    let keys = record.dynamodb().and_then(|d| d.keys()).unwrap();
    let text = |name: &str| match keys.get(name) {
        Some(aws_sdk_dynamodbstreams::types::AttributeValue::S(s)) => s.clone(),
        Some(aws_sdk_dynamodbstreams::types::AttributeValue::N(n)) => n.clone(),
        _ => String::new(),
    };
    format!("{}/{}", text("s"), text("v"))
}

#[tokio::test]
async fn records_read_from_the_stream_are_never_rewritten() {
    let moto = MotoSerial::start();
    let clients = moto.clients();
    let table = TableSpec {
        logical_id: "EventsTable".into(),
        name: TABLE.into(),
        attributes: vec![("s".into(), "S".into()), ("v".into(), "N".into())],
        key_schema: vec![
            KeyElement {
                name: "s".into(),
                key_type: "HASH".into(),
            },
            KeyElement {
                name: "v".into(),
                key_type: "RANGE".into(),
            },
        ],
        global_indexes: vec![],
        local_indexes: vec![],
        stream_view_type: Some("NEW_IMAGE".into()),
    };
    let arn = ensure_table(&clients, &table)
        .await
        .unwrap()
        .expect("a stream");
    let shard = clients
        .streams
        .describe_stream()
        .stream_arn(&arn)
        .send()
        .await
        .unwrap()
        .stream_description()
        .unwrap()
        .shards()[0]
        .shard_id()
        .unwrap()
        .to_owned();

    // Writers race for the next version of one stream; each append also claims a guard, as a
    // detection does, so a lost race cancels a transaction that had written its guard.
    let cancelled = Arc::new(AtomicUsize::new(0));
    let writers: Vec<_> = (0..4)
        .map(|_| {
            let (dynamodb, cancelled) = (clients.dynamodb.clone(), cancelled.clone());
            tokio::spawn(async move {
                for _ in 0..25 {
                    let count = dynamodb
                        .query()
                        .table_name(TABLE)
                        .key_condition_expression("s = :s")
                        .expression_attribute_values(":s", AttributeValue::S("radar".into()))
                        .consistent_read(true)
                        .send()
                        .await
                        .unwrap()
                        .count() as usize;
                    let guard = format!("guard-{}", uuid::Uuid::new_v4());
                    let written = dynamodb
                        .transact_write_items()
                        .transact_items(put("radar", count + 1))
                        .transact_items(put(&guard, 0))
                        .send()
                        .await;
                    if written.is_err() {
                        cancelled.fetch_add(1, Ordering::SeqCst);
                    }
                }
            })
        })
        .collect();

    // The reader polls as the runner does: a fresh iterator after the last record read.
    let done = Arc::new(AtomicBool::new(false));
    let reader = {
        let (streams, arn, shard, done) = (
            clients.streams.clone(),
            arn.clone(),
            shard.clone(),
            done.clone(),
        );
        tokio::spawn(async move {
            let mut seen: HashMap<String, String> = HashMap::new();
            let mut after: Option<String> = None;
            loop {
                let finished = done.load(Ordering::SeqCst);
                let iterator = shard_iterator(&streams, &arn, &shard, after.as_deref())
                    .await
                    .unwrap();
                let records = streams
                    .get_records()
                    .shard_iterator(iterator)
                    .limit(10)
                    .send()
                    .await
                    .unwrap();
                for record in records.records() {
                    let sequence = record
                        .dynamodb()
                        .unwrap()
                        .sequence_number()
                        .unwrap()
                        .to_owned();
                    seen.insert(sequence.clone(), key_of(record));
                    after = Some(sequence);
                }
                if finished && records.records().is_empty() {
                    return seen;
                }
            }
        })
    };
    for writer in writers {
        writer.await.unwrap();
    }
    done.store(true, Ordering::SeqCst);
    let seen = reader.await.unwrap();

    let iterator = shard_iterator(&clients.streams, &arn, &shard, None)
        .await
        .unwrap();
    let stored: HashMap<String, String> = clients
        .streams
        .get_records()
        .shard_iterator(iterator)
        .limit(1000)
        .send()
        .await
        .unwrap()
        .records()
        .iter()
        .map(|r| {
            (
                r.dynamodb().unwrap().sequence_number().unwrap().to_owned(),
                key_of(r),
            )
        })
        .collect();

    assert!(
        cancelled.load(Ordering::SeqCst) > 0,
        "the writers never raced: the test proves nothing"
    );
    let rewritten: Vec<_> = seen
        .iter()
        .filter(|(sequence, key)| stored.get(*sequence) != Some(key))
        .collect();
    assert!(
        rewritten.is_empty(),
        "records read, then rewritten: {rewritten:?}"
    );
    assert_eq!(seen.len(), stored.len(), "the reader saw every record");
}
