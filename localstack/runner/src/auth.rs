//! API Gateway's JWT authorizer, locally: the checks it makes of a route's token, the
//! refusal it answers, and the claims it hands to the function.
//!
//! As API Gateway does it (HTTP APIs, JWT authorizers): the token is the identity source
//! header, alone or after `Bearer `; RS256 only, signed by the user pool's key (here: the
//! development key, [`DevKey`]; `kid` must be its id); `iss` equal to the authorizer's
//! issuer; `aud`, or `client_id` when there is no `aud`, one of its audiences; `exp` in the
//! future, `nbf` and `iat` not (a leeway of [`LEEWAY_SECONDS`]); when the route has
//! authorization scopes, `scope` (or `scp`) holds one of them.
//!
//! Refusals: 401 (403 for missing scopes) with the SPEC §2 error body, `WWW-Authenticate:
//! Bearer …` (RFC 6750) and the request's correlation id. The function is not invoked.

use std::collections::BTreeMap;

use jsonwebtoken::{errors::ErrorKind, Algorithm, Validation};
use serde_json::{json, Map, Value};

use crate::devkey::DevKey;
use crate::gateway::HttpResponse;
use crate::template::RouteAuth;

/// Clock skew tolerated on `exp`, `nbf` and `iat`.
pub const LEEWAY_SECONDS: i64 = 5;

/// What the authorizer passes on: `requestContext.authorizer` of payload format 2.0.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JwtContext {
    /// Every claim as a string (see [`flatten_claims`]).
    pub claims: BTreeMap<String, String>,
    /// The token's scopes; `None` when it has no `scope` (nor `scp`) claim.
    pub scopes: Option<Vec<String>>,
}

impl JwtContext {
    /// `{"jwt": {"claims": {...}, "scopes": [...] | null}}`.
    pub fn to_value(&self) -> Value {
        json!({"jwt": {"claims": self.claims, "scopes": self.scopes}})
    }
}

/// Why a request is refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// No token in the identity source.
    Missing,
    /// A token that does not pass (the message says why).
    Invalid(String),
    /// A valid token without one of the route's scopes (403).
    InsufficientScope(Vec<String>),
}

impl Refusal {
    pub fn status(&self) -> u16 {
        match self {
            Refusal::InsufficientScope(_) => 403,
            _ => 401,
        }
    }

    pub fn message(&self) -> String {
        match self {
            Refusal::Missing => "missing token: send Authorization: Bearer <token>".into(),
            Refusal::Invalid(why) => why.clone(),
            Refusal::InsufficientScope(scopes) => {
                format!("the token has none of the scopes {}", scopes.join(" "))
            }
        }
    }

    /// The refusal as an HTTP answer, with the request's correlation id.
    pub fn response(&self, correlation_id: &str) -> HttpResponse {
        let message = self.message();
        let (code, challenge) = match self {
            Refusal::Missing => ("unauthenticated", "Bearer".to_string()),
            Refusal::Invalid(_) => (
                "unauthenticated",
                format!("Bearer error=\"invalid_token\", error_description=\"{message}\""),
            ),
            Refusal::InsufficientScope(scopes) => (
                "forbidden",
                format!(
                    "Bearer error=\"insufficient_scope\", error_description=\"{message}\", scope=\"{}\"",
                    scopes.join(" ")
                ),
            ),
        };
        let body = json!({"error": {"code": code, "message": message, "details": []}});
        HttpResponse {
            status: self.status(),
            headers: vec![
                ("content-type".into(), "application/json".into()),
                ("www-authenticate".into(), challenge),
                ("x-correlation-id".into(), correlation_id.into()),
            ],
            body: body.to_string().into_bytes(),
        }
    }
}

/// The token in the identity source header (`headers`: names in lower case): the first such
/// header, without a `Bearer ` prefix; `None` if absent or empty.
pub fn token_of<'a>(headers: &'a [(String, String)], header: &str) -> Option<&'a str> {
    let value = headers
        .iter()
        .find(|(name, _)| name == header)
        .map(|(_, value)| value.trim())?;
    let token = match value.split_once(char::is_whitespace) {
        Some((scheme, rest)) if scheme.eq_ignore_ascii_case("bearer") => rest.trim(),
        _ if value.eq_ignore_ascii_case("bearer") => "",
        _ => value,
    };
    (!token.is_empty()).then_some(token)
}

fn invalid(why: impl Into<String>) -> Refusal {
    Refusal::Invalid(why.into())
}

/// A numeric date claim, if present.
fn date(claims: &Map<String, Value>, name: &str) -> Result<Option<i64>, Refusal> {
    match claims.get(name) {
        None => Ok(None),
        Some(Value::Number(n)) => n
            .as_i64()
            .or_else(|| n.as_f64().map(|f| f as i64))
            .map(Some)
            .ok_or_else(|| invalid(format!("malformed token: {name} is not a date"))),
        Some(_) => Err(invalid(format!("malformed token: {name} is not a date"))),
    }
}

/// Checks `token` as the route's JWT authorizer would at `now` (seconds since the epoch).
pub fn verify(
    token: &str,
    auth: &RouteAuth,
    key: &DevKey,
    now: i64,
) -> Result<JwtContext, Refusal> {
    let header = jsonwebtoken::decode_header(token).map_err(|_| invalid("malformed token"))?;
    if header.alg != Algorithm::RS256 {
        return Err(invalid(format!(
            "bad signature: algorithm {:?} (only RS256)",
            header.alg
        )));
    }
    if header.kid.as_deref() != Some(key.kid.as_str()) {
        return Err(invalid(
            "bad signature: not signed by the user pool's key (unknown kid)",
        ));
    }
    let mut validation = Validation::new(Algorithm::RS256);
    // The time, issuer and audience checks are API Gateway's, below.
    validation.required_spec_claims.clear();
    validation.validate_exp = false;
    validation.validate_nbf = false;
    validation.validate_aud = false;
    let claims = jsonwebtoken::decode::<Map<String, Value>>(token, key.decoding_key(), &validation)
        .map_err(|e| match e.kind() {
            ErrorKind::InvalidSignature => invalid("bad signature"),
            _ => invalid("malformed token"),
        })?
        .claims;

    let authorizer = &auth.authorizer;
    if claims.get("iss").and_then(Value::as_str) != Some(authorizer.issuer.as_str()) {
        return Err(invalid(format!(
            "wrong issuer: tokens of {} only",
            authorizer.issuer
        )));
    }
    // `aud` if there is one, else `client_id` (access tokens).
    let audiences: Vec<&str> = match claims.get("aud").or_else(|| claims.get("client_id")) {
        Some(Value::String(aud)) => vec![aud.as_str()],
        Some(Value::Array(auds)) => auds.iter().filter_map(Value::as_str).collect(),
        _ => vec![],
    };
    if !audiences
        .iter()
        .any(|aud| authorizer.audiences.iter().any(|a| a == aud))
    {
        return Err(invalid("wrong audience: not a token of this API's clients"));
    }
    match date(&claims, "exp")? {
        None => return Err(invalid("malformed token: no exp")),
        Some(exp) if exp + LEEWAY_SECONDS <= now => return Err(invalid("expired token")),
        Some(_) => {}
    }
    if date(&claims, "nbf")?.is_some_and(|nbf| nbf > now + LEEWAY_SECONDS) {
        return Err(invalid("token not valid yet (nbf)"));
    }
    if date(&claims, "iat")?.is_some_and(|iat| iat > now + LEEWAY_SECONDS) {
        return Err(invalid("token issued in the future (iat)"));
    }

    let scopes = scopes_of(&claims);
    if !auth.scopes.is_empty()
        && !scopes
            .iter()
            .flatten()
            .any(|scope| auth.scopes.contains(scope))
    {
        return Err(Refusal::InsufficientScope(auth.scopes.clone()));
    }
    Ok(JwtContext {
        claims: flatten_claims(&claims),
        scopes,
    })
}

/// `scope` (space-separated) or `scp` (a list or a string).
fn scopes_of(claims: &Map<String, Value>) -> Option<Vec<String>> {
    let scopes: Vec<String> = match claims.get("scope").or_else(|| claims.get("scp"))? {
        Value::String(text) => text.split_whitespace().map(String::from).collect(),
        Value::Array(items) => items.iter().filter_map(text_of).collect(),
        _ => return None,
    };
    (!scopes.is_empty()).then_some(scopes)
}

fn text_of(value: &Value) -> Option<String> {
    match value {
        Value::Null => None,
        Value::String(text) => Some(text.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        other => Some(other.to_string()),
    }
}

/// The claims as API Gateway passes them: every value a string; numbers and booleans
/// written out (`"exp": "1700000000"`), a list as its items between brackets, separated by
/// spaces (`["a", "b"]` → `"[a b]"`), an object as its JSON text; `null` claims left out.
pub fn flatten_claims(claims: &Map<String, Value>) -> BTreeMap<String, String> {
    claims
        .iter()
        .filter_map(|(name, value)| {
            let text = match value {
                Value::Array(items) => {
                    let items: Vec<String> = items.iter().filter_map(text_of).collect();
                    format!("[{}]", items.join(" "))
                }
                other => text_of(other)?,
            };
            Some((name.clone(), text))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn claims_become_strings_as_api_gateway_writes_them() {
        let claims = json!({
            "sub": "3f1c",
            "exp": 1700000000,
            "auth_time": 1699996400,
            "ratio": 1.5,
            "email_verified": true,
            "cognito:groups": ["operator"],
            "several": ["a", "b", 3],
            "empty": [],
            "address": {"country": "FR"},
            "nothing": null,
            "custom:subject_id": "r-1"
        });
        let flat = flatten_claims(claims.as_object().unwrap());
        let expected: BTreeMap<String, String> = [
            ("sub", "3f1c"),
            ("exp", "1700000000"),
            ("auth_time", "1699996400"),
            ("ratio", "1.5"),
            ("email_verified", "true"),
            ("cognito:groups", "[operator]"),
            ("several", "[a b 3]"),
            ("empty", "[]"),
            ("address", r#"{"country":"FR"}"#),
            ("custom:subject_id", "r-1"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        assert_eq!(flat, expected);
    }

    #[test]
    fn scopes_come_from_scope_or_scp_and_are_null_without() {
        let of = |claims: Value| scopes_of(claims.as_object().unwrap());
        assert_eq!(of(json!({"sub": "x"})), None);
        assert_eq!(
            of(json!({"scope": "radar/write  openid"})),
            Some(vec!["radar/write".to_string(), "openid".to_string()])
        );
        assert_eq!(of(json!({"scp": ["a"]})), Some(vec!["a".to_string()]));
        let context = JwtContext {
            claims: BTreeMap::new(),
            scopes: None,
        };
        assert_eq!(
            context.to_value(),
            json!({"jwt": {"claims": {}, "scopes": null}})
        );
    }

    #[test]
    fn the_token_is_the_header_alone_or_after_bearer() {
        let headers = |value: &str| vec![("authorization".to_string(), value.to_string())];
        assert_eq!(
            token_of(&headers("Bearer abc"), "authorization"),
            Some("abc")
        );
        assert_eq!(
            token_of(&headers("bearer  abc "), "authorization"),
            Some("abc")
        );
        assert_eq!(token_of(&headers("abc"), "authorization"), Some("abc"));
        assert_eq!(token_of(&headers("Bearer "), "authorization"), None);
        assert_eq!(token_of(&headers("abc"), "x-token"), None);
    }

    #[test]
    fn refusals_answer_in_the_spec_error_shape() {
        let response = Refusal::Invalid("expired token".into()).response("c-1");
        assert_eq!(response.status, 401);
        assert_eq!(response.header("content-type"), Some("application/json"));
        assert_eq!(response.header("x-correlation-id"), Some("c-1"));
        let challenge = response.header("www-authenticate").unwrap();
        assert!(
            challenge.starts_with("Bearer error=\"invalid_token\""),
            "{challenge}"
        );
        let body: Value = serde_json::from_slice(&response.body).unwrap();
        assert_eq!(
            body,
            json!({"error": {"code": "unauthenticated", "message": "expired token", "details": []}})
        );
        let missing = Refusal::Missing.response("c-2");
        assert_eq!(missing.header("www-authenticate"), Some("Bearer"));
        let scope = Refusal::InsufficientScope(vec!["radar/write".into()]).response("c-3");
        assert_eq!(scope.status, 403);
        let body: Value = serde_json::from_slice(&scope.body).unwrap();
        assert_eq!(body["error"]["code"], "forbidden");
    }
}
