//! The JWT authorizer that protects a route, as API Gateway picks it.

use serde_json::Value;

use super::{
    invalid, string_of, JwtAuthorizerSpec, Resolver, Result, RouteAuth, Template, TemplateError,
};

/// The authorizer of an `HttpApi` event (`props`: its `Properties`, unresolved), as API
/// Gateway applies it: the event's `Auth.Authorizer` (`NONE`: public), else the API's
/// `Auth.DefaultAuthorizer`. Only JWT authorizers are emulated: a route that needs another
/// kind is refused rather than served unchecked.
pub(super) fn route_auth(
    resolver: &Resolver,
    template: &Template,
    props: &Value,
    at: &str,
) -> Result<Option<RouteAuth>> {
    let api = match props.get("ApiId") {
        None => "ServerlessHttpApi".to_string(),
        Some(api) => api
            .get("Ref")
            .and_then(Value::as_str)
            .map(String::from)
            .ok_or_else(|| invalid(format!("{at}: ApiId must be a Ref to an HttpApi")))?,
    };
    let api_props = template.http_api_properties(&api);
    let api_auth = api_props.get("Auth").cloned().unwrap_or(Value::Null);
    let route_auth = props.get("Auth").cloned().unwrap_or(Value::Null);
    let chosen = match route_auth.get("Authorizer") {
        Some(name) => Some(resolver.resolve_string(name)?),
        None => api_auth
            .get("DefaultAuthorizer")
            .map(|name| resolver.resolve_string(name))
            .transpose()?,
    };
    let Some(name) = chosen.filter(|name| name != "NONE") else {
        return Ok(None);
    };
    let definition = api_auth
        .get("Authorizers")
        .and_then(|authorizers| authorizers.get(&name))
        .ok_or_else(|| {
            invalid(format!(
                "{at}: authorizer {name} is not in {api}'s Auth.Authorizers"
            ))
        })?;
    let definition = resolver.resolve(definition)?;
    let unsupported = |what: String| TemplateError::Unsupported(format!("{at}: {what}"));
    let jwt = definition.get("JwtConfiguration").ok_or_else(|| {
        unsupported(format!(
            "authorizer {name} is not a JWT authorizer (JwtConfiguration); only those are emulated"
        ))
    })?;
    let identity_source = definition
        .get("IdentitySource")
        .map(|s| string_of(s, at))
        .transpose()?
        .unwrap_or_else(|| "$request.header.Authorization".into());
    let header = identity_source
        .strip_prefix("$request.header.")
        .ok_or_else(|| {
            unsupported(format!(
                "authorizer {name}: IdentitySource {identity_source} (only $request.header.<name>)"
            ))
        })?
        .to_ascii_lowercase();
    let issuer = jwt
        .get("issuer")
        .map(|i| string_of(i, at))
        .transpose()?
        .ok_or_else(|| invalid(format!("{at}: authorizer {name} has no issuer")))?;
    let audiences = strings(jwt.get("audience"), at)?;
    if audiences.is_empty() {
        return Err(invalid(format!("{at}: authorizer {name} has no audience")));
    }
    let scopes = match route_auth.get("AuthorizationScopes") {
        Some(scopes) => strings(Some(&resolver.resolve(scopes)?), at)?,
        None => strings(definition.get("AuthorizationScopes"), at)?,
    };
    Ok(Some(RouteAuth {
        authorizer: JwtAuthorizerSpec {
            name: format!("{api}.{name}"),
            header,
            issuer,
            audiences,
        },
        scopes,
    }))
}

fn strings(value: Option<&Value>, at: &str) -> Result<Vec<String>> {
    match value {
        None | Some(Value::Null) => Ok(vec![]),
        Some(Value::Array(items)) => items.iter().map(|v| string_of(v, at)).collect(),
        Some(other) => Ok(vec![string_of(other, at)?]),
    }
}
