//! The API's access rules, generated from the published contract (`docs/openapi.yaml`).
//!
//! Every operation says who may call it there (`x-roles`, and `x-binding` for a bound role);
//! this script turns that into `ROUTES`, the table [`access`](src/access.rs) enforces, so that
//! a new route is declared once, in the contract, and a route that does not say who may call it
//! stops the build instead of being open. Checked here, before any code sees it: every role is
//! known, a bound role says how it is bound, a `path` binding names a parameter the path has
//! and a `query` binding one the operation declares.

use std::fmt::Write as _;
use std::path::PathBuf;

use saphyr::{LoadableYamlNode, Yaml};

const CONTRACT: &str = "../../docs/openapi.yaml";
const METHODS: [&str; 5] = ["get", "put", "post", "delete", "patch"];
const ROLES: [(&str, &str); 5] = [
    ("operator", "Operator"),
    ("auditor", "Auditor"),
    ("radar", "Radar"),
    ("owner", "Owner"),
    ("customer", "Customer"),
];
/// Roles whose token carries the id of the one subject it acts for (SPEC §7).
const BOUND_ROLES: [&str; 3] = ["radar", "owner", "customer"];

fn main() {
    println!("cargo:rerun-if-changed={CONTRACT}");
    let text = std::fs::read_to_string(CONTRACT).expect("docs/openapi.yaml");
    let docs = Yaml::load_from_str(&text).expect("docs/openapi.yaml is YAML");
    let paths = docs[0]["paths"]
        .as_mapping()
        .expect("docs/openapi.yaml has paths");
    let mut table = String::from("&[\n");
    let mut problems = Vec::new();
    for (path, item) in paths {
        let path = path.as_str().expect("a path is text");
        for method in METHODS {
            let Some(operation) = item.as_mapping_get(method) else {
                continue;
            };
            let key = format!("{} {path}", method.to_ascii_uppercase());
            match grants(path, operation) {
                Ok(grants) => writeln!(
                    table,
                    "    Route {{ method: {:?}, path: {path:?}, grants: &[{}] }},",
                    method.to_ascii_uppercase(),
                    grants.join(", ")
                )
                .unwrap(),
                Err(problem) => problems.push(format!("{key}: {problem}")),
            }
        }
    }
    table.push(']');
    if !problems.is_empty() {
        panic!(
            "docs/openapi.yaml does not say who may call every route:\n  {}",
            problems.join("\n  ")
        );
    }
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("OUT_DIR")).join("routes.rs");
    std::fs::write(out, table).expect("write routes.rs");
}

/// The grants of one operation, as Rust expressions of `access`'s types.
fn grants(path: &str, operation: &Yaml) -> Result<Vec<String>, String> {
    let public = operation
        .as_mapping_get("security")
        .and_then(Yaml::as_sequence)
        .is_some_and(|security| security.is_empty());
    let roles: Vec<&str> = operation
        .as_mapping_get("x-roles")
        .and_then(Yaml::as_sequence)
        .ok_or("no x-roles")?
        .iter()
        .map(|role| role.as_str().ok_or("a role that is not text"))
        .collect::<Result<_, _>>()?;
    if public {
        return match roles.is_empty() {
            true => Ok(vec!["Grant::Public".into()]),
            false => Err("a public operation (security: []) lists x-roles".into()),
        };
    }
    if roles.is_empty() {
        return Err("x-roles is empty (only a public operation may have none)".into());
    }
    let binding = operation.as_mapping_get("x-binding").and_then(Yaml::as_str);
    let mut grants = Vec::new();
    for role in roles {
        let variant = ROLES
            .iter()
            .find(|(name, _)| *name == role)
            .map(|(_, variant)| *variant)
            .ok_or_else(|| format!("unknown role {role}"))?;
        if !BOUND_ROLES.contains(&role) {
            grants.push(format!("Grant::Role(Role::{variant})"));
            continue;
        }
        let id = format!("{role}_id");
        let grant = match binding {
            Some("any") => format!("Grant::Role(Role::{variant})"),
            Some("resource") => format!("Grant::Bound(Role::{variant}, Binding::Resource)"),
            Some("path") if path.contains(&format!("{{{id}}}")) => {
                format!("Grant::Bound(Role::{variant}, Binding::Path({id:?}))")
            }
            Some("query") if declares_query(operation, &id) => {
                format!("Grant::Bound(Role::{variant}, Binding::Query({id:?}))")
            }
            Some(other @ ("path" | "query")) => {
                return Err(format!("x-binding {other}, but no {other} parameter {id}"))
            }
            Some(other) => return Err(format!("unknown x-binding {other}")),
            None => {
                return Err(format!(
                    "{role} is a bound role: say how with x-binding (path, query, resource or any)"
                ))
            }
        };
        grants.push(grant);
    }
    Ok(grants)
}

/// Whether the operation itself declares the query parameter `name`.
fn declares_query(operation: &Yaml, name: &str) -> bool {
    operation
        .as_mapping_get("parameters")
        .and_then(Yaml::as_sequence)
        .is_some_and(|parameters| {
            parameters.iter().any(|parameter| {
                parameter.as_mapping_get("in").and_then(Yaml::as_str) == Some("query")
                    && parameter.as_mapping_get("name").and_then(Yaml::as_str) == Some(name)
            })
        })
}
