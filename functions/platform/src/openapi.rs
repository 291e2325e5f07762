//! The published contract (SPEC §8): `docs/openapi.yaml`, served as JSON by
//! `GET /openapi.json`.
//!
//! The document is compiled into the binary and converted once per cold start. YAML is read
//! as YAML 1.2 (saphyr): a scalar is a string unless it is plainly a number, a boolean or null,
//! and mapping keys that are numbers (`200:`) become their text, as JSON object keys must be.

use std::sync::OnceLock;

use saphyr::{LoadableYamlNode, Scalar, Yaml};
use serde_json::{Map, Number, Value};

/// `docs/openapi.yaml`, as written.
pub const OPENAPI_YAML: &str = include_str!("../../../docs/openapi.yaml");

/// The contract as JSON, converted on first use.
pub fn document() -> &'static Value {
    static DOCUMENT: OnceLock<Value> = OnceLock::new();
    DOCUMENT.get_or_init(|| {
        yaml_to_json(OPENAPI_YAML).expect("docs/openapi.yaml is valid (a unit test checks it)")
    })
}

/// One YAML document as JSON.
pub fn yaml_to_json(text: &str) -> Result<Value, String> {
    let documents = Yaml::load_from_str(text).map_err(|e| e.to_string())?;
    match documents.as_slice() {
        [document] => convert(document),
        other => Err(format!("expected one YAML document, found {}", other.len())),
    }
}

fn convert(node: &Yaml<'_>) -> Result<Value, String> {
    Ok(match node {
        Yaml::Value(scalar) => scalar_to_json(scalar)?,
        Yaml::Sequence(items) => Value::Array(items.iter().map(convert).collect::<Result<_, _>>()?),
        Yaml::Mapping(entries) => {
            let mut object = Map::new();
            for (key, value) in entries {
                let key = match key {
                    Yaml::Value(Scalar::String(text)) => text.to_string(),
                    Yaml::Value(Scalar::Integer(n)) => n.to_string(),
                    other => return Err(format!("a mapping key that is not text: {other:?}")),
                };
                if object.insert(key.clone(), convert(value)?).is_some() {
                    return Err(format!("the key {key:?} appears twice"));
                }
            }
            Value::Object(object)
        }
        other => return Err(format!("unsupported YAML node: {other:?}")),
    })
}

fn scalar_to_json(scalar: &Scalar<'_>) -> Result<Value, String> {
    Ok(match scalar {
        Scalar::Null => Value::Null,
        Scalar::Boolean(b) => Value::Bool(*b),
        Scalar::Integer(n) => Value::Number((*n).into()),
        Scalar::FloatingPoint(f) => Value::Number(
            Number::from_f64(f.into_inner()).ok_or_else(|| format!("{f} is not a JSON number"))?,
        ),
        Scalar::String(text) => Value::String(text.to_string()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_contract_is_an_openapi_3_1_document() {
        let document = document();
        assert_eq!(document["openapi"], "3.1.0");
        assert!(document["paths"]["/openapi.json"]["get"].is_object());
        assert_eq!(
            document["paths"]["/openapi.json"]["get"]["security"],
            json!([])
        );
        // Status codes are object keys, as JSON has them.
        assert!(document["paths"]["/radars"]["post"]["responses"]["201"].is_object());
    }

    #[test]
    fn yaml_scalars_become_json_values() {
        let value = yaml_to_json(
            "a: 1\nb: -2.5\nc: true\nd: null\ne: '1985-12-10'\nf: 1985-12-10\ng: [x, 'y']\n200: ok\n",
        )
        .unwrap();
        assert_eq!(
            value,
            json!({"a": 1, "b": -2.5, "c": true, "d": null, "e": "1985-12-10",
                   "f": "1985-12-10", "g": ["x", "y"], "200": "ok"})
        );
    }

    #[test]
    fn a_repeated_key_is_refused() {
        assert!(yaml_to_json("a: 1\na: 2\n").is_err());
        assert!(yaml_to_json("a: 1\n---\nb: 2\n").is_err());
    }
}
