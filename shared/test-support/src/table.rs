//! Reading a whole DynamoDB table in a test: the items exactly as stored.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;

/// One item of a table, attribute by attribute.
pub type Item = HashMap<String, AttributeValue>;

/// Every item of `table`, page after page (consistent reads: what the writes a test awaited
/// left there).
pub async fn scan_table(client: &aws_sdk_dynamodb::Client, table: &str) -> Vec<Item> {
    let mut items = Vec::new();
    let mut start = None;
    loop {
        let page = client
            .scan()
            .table_name(table)
            .consistent_read(true)
            .set_exclusive_start_key(start)
            .send()
            .await
            .unwrap_or_else(|e| panic!("scan {table}: {e:?}"));
        items.extend(page.items().iter().cloned());
        match page.last_evaluated_key {
            Some(key) if !key.is_empty() => start = Some(key),
            _ => return items,
        }
    }
}
