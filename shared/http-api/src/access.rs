//! Who may call which route (SPEC §7): the one table of the API's routes and their rules.
//!
//! API Gateway's JWT authorizer has already verified the token (signature, expiry, issuer,
//! audience) and passes its claims in the request context; this module reads the caller out of
//! them and decides. The rules are declared with each operation of `docs/openapi.yaml` and
//! compiled into [`ROUTES`] by the build script, not written in the functions, so that a route
//! nobody declared is refused (403) by construction: [`rule_for`] has no default, and an
//! operation of the contract without `x-roles` does not build.
//!
//! A bound role (radar, owner, customer) is tied to the request in one of three ways
//! ([`Binding`]): a path parameter that must be its id; a list it may only see filtered to its
//! id; or a resource the function loads and checks with [`crate::ApiRequest::ensure_subject`],
//! which the function must call before it answers (forgetting it is a 403, not a leak).

use std::collections::HashMap;

pub use es_core::Role;

/// The claim that holds the token's groups (its role).
pub const GROUPS_CLAIM: &str = "cognito:groups";
/// The claim that holds a bound role's subject id (a Cognito custom attribute).
pub const SUBJECT_CLAIM: &str = "custom:subject_id";

/// The verified caller of a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    pub role: Role,
    /// The radar, owner or customer id a bound role acts for.
    pub subject: Option<String>,
}

/// Why no [`Caller`] could be read from the claims.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallerError {
    /// No claims at all: the request did not come through the authorizer.
    Unauthenticated,
    /// A valid token, but not one role of this API, or a bound role without its id.
    NoRole(String),
}

impl Caller {
    /// From the JWT authorizer's claims, as API Gateway passes them: every value a string, a
    /// list as `[a b]`. A token carries exactly one role of this API.
    pub fn from_claims(claims: &HashMap<String, String>) -> Result<Caller, CallerError> {
        if claims.is_empty() {
            return Err(CallerError::Unauthenticated);
        }
        let groups = claims.get(GROUPS_CLAIM).map(String::as_str).unwrap_or("");
        let roles: Vec<Role> = list_claim(groups).filter_map(Role::parse).collect();
        let role = match roles.as_slice() {
            [role] => *role,
            [] => return Err(CallerError::NoRole("the token carries no role".into())),
            _ => {
                return Err(CallerError::NoRole(
                    "the token carries more than one role".into(),
                ))
            }
        };
        let subject = claims
            .get(SUBJECT_CLAIM)
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty());
        if role.is_bound() && subject.is_none() {
            return Err(CallerError::NoRole(format!(
                "a {} token must carry the id it is bound to",
                role.as_str()
            )));
        }
        Ok(Caller {
            role,
            subject: subject.filter(|_| role.is_bound()),
        })
    }
}

/// The values of a list claim: `[a b]` as API Gateway flattens arrays, a JSON array, or one
/// bare value.
fn list_claim(text: &str) -> impl Iterator<Item = &str> {
    let text = text.trim();
    let inner = text
        .strip_prefix('[')
        .and_then(|t| t.strip_suffix(']'))
        .unwrap_or(text);
    inner
        .split(|c: char| c == ',' || c.is_whitespace())
        .map(|v| v.trim_matches('"'))
        .filter(|v| !v.is_empty())
}

/// How a bound role's id ties it to a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Binding {
    /// The path parameter must be the caller's id; another's: 403.
    Path(&'static str),
    /// A list the caller only sees filtered to its id: the query parameter is set to it;
    /// another value: 403.
    Query(&'static str),
    /// The function loads the resource and checks whose it is
    /// ([`crate::ApiRequest::ensure_subject`]); another's: 404, as if it did not exist.
    Resource,
}

/// Who may call a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grant {
    /// Anyone, even without a token (the template opts the route out of the authorizer).
    Public,
    /// Every caller of this role, whatever it is bound to.
    Role(Role),
    /// A bound role, for its own subject only.
    Bound(Role, Binding),
}

/// A route of the API and its rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Route {
    pub method: &'static str,
    pub path: &'static str,
    pub grants: &'static [Grant],
}

impl Route {
    /// API Gateway's route key: `GET /radars/{radar_id}`.
    pub fn key(&self) -> String {
        format!("{} {}", self.method, self.path)
    }

    pub fn allows(&self, role: Role) -> bool {
        self.grants.iter().any(|grant| match grant {
            Grant::Public => true,
            Grant::Role(r) | Grant::Bound(r, _) => *r == role,
        })
    }

    pub fn is_public(&self) -> bool {
        self.grants.contains(&Grant::Public)
    }
}

/// Every caller with a valid token: the fallback that answers 404/405 and holds no data.
const ANY_CALLER: &[Grant] = &[
    Grant::Role(Role::Operator),
    Grant::Role(Role::Auditor),
    Grant::Role(Role::Radar),
    Grant::Role(Role::Owner),
    Grant::Role(Role::Customer),
];

/// Every route of the API and who may call it, generated by this crate's build script from
/// each operation of `docs/openapi.yaml` (its `x-roles` and `x-binding`): a route is declared
/// once, in the published contract. Tests keep it in step with `template.yaml` and compare each
/// role's routes with SPEC §7's table.
pub const ROUTES: &[Route] = include!(concat!(env!("OUT_DIR"), "/routes.rs"));

/// The `$default` route: requests no route matched.
pub const DEFAULT_ROUTE: Route = Route {
    method: "",
    path: "$default",
    grants: ANY_CALLER,
};

/// The rule of a route key (`GET /radars/{radar_id}`, or `$default`); `None` when nobody
/// declared one, which [`crate::serve`] refuses.
pub fn rule_for(route_key: &str) -> Option<&'static Route> {
    if route_key == DEFAULT_ROUTE.path {
        return Some(&DEFAULT_ROUTE);
    }
    ROUTES.iter().find(|route| route.key() == route_key)
}

/// Whether `path` matches a route template (`{name}` stands for one non-empty segment).
pub fn matches(template: &str, path: &str) -> bool {
    let mut template = template.trim_end_matches('/').split('/');
    let mut path = path.trim_end_matches('/').split('/');
    loop {
        match (template.next(), path.next()) {
            (None, None) => return true,
            (Some(t), Some(p)) if t.starts_with('{') && t.ends_with('}') && !p.is_empty() => {}
            (Some(t), Some(p)) if t == p => {}
            _ => return false,
        }
    }
}

/// The methods the API serves on `path`, sorted; empty when no route has that path.
pub fn allowed_methods(path: &str) -> Vec<&'static str> {
    let mut methods: Vec<&str> = ROUTES
        .iter()
        .filter(|route| matches(route.path, path))
        .map(|route| route.method)
        .collect();
    methods.sort_unstable();
    methods.dedup();
    methods
}

/// Whether two ids name the same subject (UUIDs compare in any case).
pub(crate) fn same_subject(a: &str, b: &str) -> bool {
    match (uuid::Uuid::parse_str(a), uuid::Uuid::parse_str(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

#[cfg(test)]
mod tests;
