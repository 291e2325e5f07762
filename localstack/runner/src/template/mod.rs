//! `template.yaml` read as data: the resources the local cloud provisions and the functions it
//! runs, with CloudFormation's intrinsic functions resolved locally.
//!
//! The YAML parser is `saphyr` (0.3): a maintained, fully YAML 1.2 compliant pure-Rust parser
//! (the successor of yaml-rust/yaml-rust2, by the same maintainers), with the workspace's MSRV
//! (1.85). `serde_yaml` is archived; `serde-saphyr` needs Rust 1.89 and a typed target, while
//! here the document is walked generically: it is converted to a `serde_json::Value` tree and
//! read from there. CloudFormation's short tags (`!Ref`, `!GetAtt`, `!Sub`) are refused with a
//! clear error: the template uses the long forms only.
//!
//! Supported intrinsics: `Ref` (resources, parameters with a `Default`, pseudo parameters),
//! `Fn::GetAtt` (list or dotted form), `Fn::Sub` (string or `[string, vars]`), `Fn::Join`,
//! `Fn::Select`. Physical names are the template's names where it sets one, else the logical
//! id.
//!
//! The module by job: [`document`] (the YAML read as JSON, `Globals` merged), [`context`] (the
//! pseudo parameters and the ARNs and URLs of the local stack), [`intrinsics`] (the
//! [`Resolver`]), [`specs`] (what the stack is made of), [`stack`] (the [`Stack`] assembled),
//! [`resources`] (tables, queues and rules), [`function`] (functions and their events),
//! [`route_auth`] (the JWT authorizer of a route) and [`policies`] (whether a function may
//! send messages).

mod context;
mod document;
mod function;
mod intrinsics;
mod policies;
mod resources;
mod route_auth;
mod specs;
mod stack;

use serde_json::Value;

pub use crate::schedule::ScheduleSpec;
pub use context::StackContext;
pub use document::Template;
pub use intrinsics::Resolver;
pub use policies::sends_messages;
pub use specs::{
    BusSpec, FunctionSpec, IndexSpec, JwtAuthorizerSpec, KeyElement, QueueSpec, Redrive, RouteAuth,
    RouteSpec, RuleSpec, SqsSource, StreamSource, TableSpec, TargetSpec,
};
pub use stack::Stack;

#[derive(Debug, thiserror::Error)]
pub enum TemplateError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("template.yaml is not valid YAML: {0}")]
    Yaml(String),
    #[error("{0}")]
    Unsupported(String),
    #[error("{0}")]
    Invalid(String),
}

type Result<T> = std::result::Result<T, TemplateError>;

fn invalid(message: impl Into<String>) -> TemplateError {
    TemplateError::Invalid(message.into())
}

/// A value that must be a string (numbers and booleans are written out).
fn string_of(value: &Value, what: &str) -> Result<String> {
    match value {
        Value::String(s) => Ok(s.clone()),
        Value::Number(n) => Ok(n.to_string()),
        Value::Bool(b) => Ok(b.to_string()),
        other => Err(invalid(format!("{what}: expected a string, got {other}"))),
    }
}

#[cfg(test)]
mod tests;
