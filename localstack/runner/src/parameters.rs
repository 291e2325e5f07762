//! `--parameter KEY=VALUE`: a template parameter given a value instead of its `Default`, as
//! `sam deploy --parameter-overrides` would, checked the way CloudFormation checks it (the
//! parameter exists; a `Number` is a number within `MinValue`/`MaxValue`; a `String` within
//! `MinLength`/`MaxLength`; either among `AllowedValues`). [`crate::template::Resolver`] then
//! gives the value to every `Ref` of the parameter.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::template::Template;
use crate::{Error, Result};

/// `KEY=VALUE` → `(KEY, VALUE)`; the value may be empty, or hold `=`.
pub fn parse_assignment(text: &str) -> Result<(String, String)> {
    match text.split_once('=') {
        Some((key, value)) if !key.is_empty() => Ok((key.to_string(), value.to_string())),
        _ => Err(Error::new(format!(
            "--parameter {text}: expected KEY=VALUE (a parameter of the template)"
        ))),
    }
}

/// Each value against its parameter's declaration; every problem at once.
pub fn check(template: &Template, values: &BTreeMap<String, String>) -> Result<()> {
    let problems: Vec<String> = values
        .iter()
        .filter_map(|(key, value)| {
            let problem = match template.document.pointer(&format!("/Parameters/{key}")) {
                None => Some("the template has no such parameter".to_string()),
                Some(declaration) => problem(declaration, value),
            };
            problem.map(|p| format!("--parameter {key}={value}: {p}"))
        })
        .collect();
    if problems.is_empty() {
        Ok(())
    } else {
        Err(Error::new(problems.join("; ")))
    }
}

fn number(value: &Value) -> Option<f64> {
    match value {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.parse().ok(),
        _ => None,
    }
}

fn text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn problem(declaration: &Value, value: &str) -> Option<String> {
    if let Some(allowed) = declaration["AllowedValues"].as_array() {
        if !allowed.iter().any(|a| text(a) == value) {
            let allowed: Vec<String> = allowed.iter().map(text).collect();
            return Some(format!("not one of {}", allowed.join(", ")));
        }
    }
    match declaration["Type"].as_str().unwrap_or("String") {
        "Number" => {
            let Ok(n) = value.parse::<f64>() else {
                return Some("not a number".into());
            };
            if let Some(min) = number(&declaration["MinValue"]).filter(|min| n < *min) {
                return Some(format!("below MinValue {min}"));
            }
            if let Some(max) = number(&declaration["MaxValue"]).filter(|max| n > *max) {
                return Some(format!("above MaxValue {max}"));
            }
        }
        _ => {
            let length = value.chars().count() as f64;
            if let Some(min) = number(&declaration["MinLength"]).filter(|min| length < *min) {
                return Some(format!("shorter than MinLength {min}"));
            }
            if let Some(max) = number(&declaration["MaxLength"]).filter(|max| length > *max) {
                return Some(format!("longer than MaxLength {max}"));
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::template::{Resolver, StackContext};

    fn template() -> Template {
        Template::parse(
            r#"
Parameters:
  Deadline:
    Type: Number
    Default: 900
    MinValue: 1
  Switch:
    Type: String
    Default: "true"
    AllowedValues: ["true", "false"]
  Email:
    Type: String
    Default: ""
Resources:
  Q:
    Type: AWS::SQS::Queue
"#,
        )
        .unwrap()
    }

    fn values(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn assignments_split_at_the_first_equals_sign() {
        assert_eq!(
            parse_assignment("Deadline=3").unwrap(),
            ("Deadline".into(), "3".into())
        );
        assert_eq!(
            parse_assignment("Email=").unwrap(),
            ("Email".into(), String::new())
        );
        assert_eq!(parse_assignment("A=b=c").unwrap().1, "b=c");
        assert!(parse_assignment("Deadline").is_err());
        assert!(parse_assignment("=3").is_err());
    }

    #[test]
    fn values_are_checked_against_their_declaration() {
        let template = template();
        assert!(check(
            &template,
            &values(&[("Deadline", "3"), ("Switch", "false")])
        )
        .is_ok());
        for (bad, why) in [
            (("Nope", "1"), "no such parameter"),
            (("Deadline", "soon"), "not a number"),
            (("Deadline", "0"), "below MinValue"),
            (("Switch", "maybe"), "not one of true, false"),
        ] {
            let error = check(&template, &values(&[bad])).unwrap_err().to_string();
            assert!(error.contains(why), "{error}");
        }
    }

    #[test]
    fn a_ref_gives_the_value_instead_of_the_default() {
        let template = template();
        let plain = StackContext::local("http://h:1");
        let given = StackContext::local("http://h:1").with_parameters(values(&[("Deadline", "3")]));
        let reference = |ctx: &StackContext| Resolver::new(&template, ctx).reference("Deadline");
        assert_eq!(reference(&plain).unwrap(), "900");
        assert_eq!(reference(&given).unwrap(), "3");
        assert_eq!(
            Resolver::new(&template, &given).reference("Email").unwrap(),
            ""
        );
    }
}
