//! The YAML document read as JSON (`saphyr` → `serde_json::Value`), and the properties of a
//! resource with its kind's `Globals` merged in.

use std::path::Path;

use saphyr::{LoadableYamlNode, Scalar, Yaml};
use serde_json::{Map, Value};

use super::{invalid, Result, TemplateError};

/// The YAML document of a template, as JSON.
#[derive(Clone, Debug)]
pub struct Template {
    pub document: Value,
}

impl Template {
    pub fn load(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).map_err(|source| TemplateError::Read {
            path: path.display().to_string(),
            source,
        })?;
        Self::parse(&text)
    }

    pub fn parse(text: &str) -> Result<Self> {
        let docs = Yaml::load_from_str(text).map_err(|e| TemplateError::Yaml(e.to_string()))?;
        let doc = docs
            .into_iter()
            .next()
            .ok_or_else(|| TemplateError::Yaml("empty document".into()))?;
        let document = yaml_to_json(&doc, "")?;
        if !document.get("Resources").is_some_and(Value::is_object) {
            return Err(invalid("the template has no Resources mapping"));
        }
        Ok(Self { document })
    }

    pub fn resources(&self) -> &Map<String, Value> {
        self.document["Resources"]
            .as_object()
            .expect("checked by parse")
    }

    pub fn resource_type(&self, logical_id: &str) -> Option<&str> {
        self.resources().get(logical_id)?.get("Type")?.as_str()
    }

    pub(super) fn properties(&self, logical_id: &str) -> &Value {
        self.resources()
            .get(logical_id)
            .and_then(|r| r.get("Properties"))
            .unwrap_or(&Value::Null)
    }

    /// The properties of a SAM function with `Globals.Function` merged in (the function's own
    /// values win; maps such as `Environment.Variables` are merged key by key).
    pub(super) fn function_properties(&self, logical_id: &str) -> Value {
        let globals = self
            .document
            .pointer("/Globals/Function")
            .cloned()
            .unwrap_or(Value::Object(Map::new()));
        let mut merged = globals;
        merge(&mut merged, self.properties(logical_id));
        merged
    }
}

impl Template {
    /// The properties of an HTTP API with `Globals.HttpApi` merged in; the implicit API of SAM
    /// (`ServerlessHttpApi`, for events without `ApiId`) has the globals only.
    pub(super) fn http_api_properties(&self, logical_id: &str) -> Value {
        let mut merged = self
            .document
            .pointer("/Globals/HttpApi")
            .cloned()
            .unwrap_or(Value::Object(Map::new()));
        merge(&mut merged, self.properties(logical_id));
        merged
    }
}

fn merge(base: &mut Value, over: &Value) {
    match (base, over) {
        (Value::Object(base), Value::Object(over)) => {
            for (key, value) in over {
                match base.get_mut(key) {
                    Some(existing) => merge(existing, value),
                    None => {
                        base.insert(key.clone(), value.clone());
                    }
                }
            }
        }
        (base, over) if !over.is_null() => *base = over.clone(),
        _ => {}
    }
}

pub(super) fn yaml_to_json(node: &Yaml, at: &str) -> Result<Value> {
    Ok(match node {
        Yaml::Value(scalar) => scalar_to_json(scalar, at)?,
        Yaml::Representation(text, _, _) => Value::String(text.to_string()),
        Yaml::Sequence(items) => Value::Array(
            items
                .iter()
                .enumerate()
                .map(|(i, item)| yaml_to_json(item, &format!("{at}/{i}")))
                .collect::<Result<_>>()?,
        ),
        Yaml::Mapping(entries) => {
            let mut map = Map::new();
            for (key, value) in entries {
                let key = match key {
                    Yaml::Value(Scalar::String(s)) => s.to_string(),
                    Yaml::Value(other) => match scalar_to_json(other, at)? {
                        Value::String(s) => s,
                        v => v.to_string(),
                    },
                    Yaml::Representation(text, _, _) => text.to_string(),
                    _ => return Err(invalid(format!("{at}: a mapping key is not a scalar"))),
                };
                let value = yaml_to_json(value, &format!("{at}/{key}"))?;
                map.insert(key, value);
            }
            Value::Object(map)
        }
        Yaml::Tagged(tag, _) => {
            return Err(TemplateError::Unsupported(format!(
                "{at}: YAML tag !{} (short-form intrinsic): write the long form (Ref, Fn::GetAtt, Fn::Sub)",
                tag.suffix
            )))
        }
        Yaml::Alias(_) => {
            return Err(TemplateError::Unsupported(format!(
                "{at}: YAML aliases are not supported"
            )))
        }
        Yaml::BadValue => return Err(invalid(format!("{at}: bad YAML value"))),
    })
}

fn scalar_to_json(scalar: &Scalar, at: &str) -> Result<Value> {
    Ok(match scalar {
        Scalar::Null => Value::Null,
        Scalar::Boolean(b) => Value::Bool(*b),
        Scalar::Integer(i) => Value::from(*i),
        Scalar::FloatingPoint(f) => serde_json::Number::from_f64(f.into_inner())
            .map(Value::Number)
            .ok_or_else(|| invalid(format!("{at}: {f} is not a finite number")))?,
        Scalar::String(s) => Value::String(s.to_string()),
    })
}
