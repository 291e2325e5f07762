//! Opaque page cursors: the key of the last item of a page (what DynamoDB takes as
//! `ExclusiveStartKey`), as URL-safe base64 of a small JSON object.

use aws_sdk_dynamodb::types::AttributeValue;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::{Map, Value};
use std::collections::HashMap;

use crate::error::ProjectionError;

pub(crate) type Key = HashMap<String, AttributeValue>;

/// The cursor that starts the next page after the item whose key attributes are `names`.
pub(crate) fn encode(item: &Key, names: &[&str]) -> Option<String> {
    let mut key = Map::new();
    for name in names {
        let value = match item.get(*name)? {
            AttributeValue::S(text) => serde_json::json!({ "S": text }),
            AttributeValue::N(number) => serde_json::json!({ "N": number }),
            _ => return None,
        };
        key.insert((*name).to_owned(), value);
    }
    Some(URL_SAFE_NO_PAD.encode(Value::Object(key).to_string()))
}

/// The start key a cursor stands for; it must name exactly the attributes `names`.
pub(crate) fn decode(cursor: &str, names: &[&str]) -> Result<Key, ProjectionError> {
    let bad = || ProjectionError::BadCursor;
    let bytes = URL_SAFE_NO_PAD.decode(cursor).map_err(|_| bad())?;
    let Value::Object(fields) = serde_json::from_slice(&bytes).map_err(|_| bad())? else {
        return Err(bad());
    };
    if fields.len() != names.len() || names.iter().any(|n| !fields.contains_key(*n)) {
        return Err(bad());
    }
    fields
        .into_iter()
        .map(|(name, value)| {
            let value = match value.as_object().map(|o| o.iter().next()) {
                Some(Some((kind, Value::String(text)))) if kind == "S" => {
                    AttributeValue::S(text.clone())
                }
                Some(Some((kind, Value::String(number)))) if kind == "N" => {
                    AttributeValue::N(number.clone())
                }
                _ => return Err(bad()),
            };
            Ok((name, value))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> Key {
        HashMap::from([
            ("infraction_id".to_owned(), AttributeValue::S("i-1".into())),
            ("owner_id".to_owned(), AttributeValue::S("o-1".into())),
            (
                "detected_at".to_owned(),
                AttributeValue::S("2026-01-01T00:00:00.000Z".into()),
            ),
            ("version".to_owned(), AttributeValue::N("3".into())),
            ("other".to_owned(), AttributeValue::Bool(true)),
        ])
    }

    #[test]
    fn round_trips_the_named_attributes_only() {
        let names = ["infraction_id", "owner_id", "detected_at"];
        let cursor = encode(&key(), &names).unwrap();
        assert!(cursor
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'));
        let back = decode(&cursor, &names).unwrap();
        assert_eq!(back.len(), 3);
        assert_eq!(back["owner_id"], AttributeValue::S("o-1".into()));

        let numbered = encode(&key(), &["version"]).unwrap();
        assert_eq!(
            decode(&numbered, &["version"]).unwrap()["version"],
            AttributeValue::N("3".into())
        );
    }

    #[test]
    fn refuses_foreign_cursors() {
        let names = ["infraction_id"];
        for bad in ["", "%%%", "bm90IGpzb24", &URL_SAFE_NO_PAD.encode("[1]")] {
            assert!(decode(bad, &names).is_err(), "{bad:?}");
        }
        let other_index = encode(&key(), &["infraction_id", "owner_id"]).unwrap();
        assert!(decode(&other_index, &names).is_err());
        let wrong_type = URL_SAFE_NO_PAD.encode(r#"{"infraction_id":{"BOOL":true}}"#);
        assert!(decode(&wrong_type, &names).is_err());
    }

    #[test]
    fn an_item_without_the_attributes_has_no_cursor() {
        assert_eq!(encode(&key(), &["missing"]), None);
        assert_eq!(encode(&key(), &["other"]), None);
    }
}
