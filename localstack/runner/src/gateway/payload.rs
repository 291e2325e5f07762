//! A request as the API Gateway payload format 2.0 event its function is invoked with, built
//! with `aws_lambda_events`' `ApiGatewayV2httpRequest` (the type `lambda_http` reads it into):
//! repeated headers and query parameters joined with commas, cookies apart, path parameters
//! decoded, a binary body in base64, the authorizer's claims in `requestContext.authorizer`.

use std::collections::HashMap;

use aws_lambda_events::apigw::{
    ApiGatewayRequestAuthorizer, ApiGatewayRequestAuthorizerJwtDescription,
    ApiGatewayV2httpRequest, ApiGatewayV2httpRequestContext,
    ApiGatewayV2httpRequestContextHttpDescription,
};
use aws_lambda_events::http::{HeaderMap, HeaderName, HeaderValue, Method};
use aws_lambda_events::query_map::QueryMap;
use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use serde_json::Value;

use super::{percent_decode, RouteMatch};
use crate::auth::JwtContext;

/// An HTTP request as the gateway received it.
#[derive(Clone, Debug, Default)]
pub struct HttpRequest {
    pub method: String,
    /// Percent-encoded, as sent.
    pub path: String,
    /// Without the `?`.
    pub query: String,
    /// Names in lower case, in the order received (repeated names repeated).
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub source_ip: String,
}

/// The first value of the header `name` (lower case) among `headers` (names in lower case).
pub fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

impl HttpRequest {
    fn header(&self, name: &str) -> Option<&str> {
        header(&self.headers, name)
    }

    /// The `x-correlation-id` sent, as the functions take it (trimmed, 1 to 128 characters),
    /// else a new one.
    pub fn correlation_id(&self) -> String {
        self.header("x-correlation-id")
            .map(str::trim)
            .filter(|id| !id.is_empty() && id.len() <= 128)
            .map(String::from)
            .unwrap_or_else(|| uuid::Uuid::new_v4().to_string())
    }
}

/// Per-request values API Gateway makes up.
#[derive(Clone, Debug)]
pub struct RequestMeta {
    pub request_id: String,
    pub time: chrono::DateTime<chrono::Utc>,
    pub api_id: String,
    pub account: String,
    pub local_port: u16,
    /// What the route's authorizer passes on (`requestContext.authorizer`).
    pub authorizer: Option<JwtContext>,
}

/// The payload format 2.0 event of a request.
pub fn request_payload(
    request: &HttpRequest,
    matched: &RouteMatch,
    meta: &RequestMeta,
) -> ApiGatewayV2httpRequest {
    // The method was parsed by the HTTP server already; a made-up invalid one reads as GET.
    let method = Method::from_bytes(request.method.as_bytes()).unwrap_or_default();
    let host = request.header("host").unwrap_or("localhost");

    let mut http = ApiGatewayV2httpRequestContextHttpDescription::default();
    http.method = method.clone();
    http.path = Some(request.path.clone());
    http.protocol = Some("HTTP/1.1".into());
    http.source_ip = Some(request.source_ip.clone());
    http.user_agent = Some(request.header("user-agent").unwrap_or("").into());

    let mut context = ApiGatewayV2httpRequestContext::default();
    context.route_key = Some(matched.route_key.clone());
    context.account_id = Some(meta.account.clone());
    context.stage = Some("$default".into());
    context.request_id = Some(meta.request_id.clone());
    context.authorizer = meta.authorizer.as_ref().map(jwt_authorizer);
    context.apiid = Some(meta.api_id.clone());
    context.domain_name = Some(host.to_string());
    context.domain_prefix = Some(host.split('.').next().unwrap_or(host).to_string());
    context.time = Some(meta.time.format("%d/%b/%Y:%H:%M:%S %z").to_string());
    context.time_epoch = meta.time.timestamp_millis();
    context.http = http;

    let (headers, cookies) = headers_and_cookies(request, meta.local_port);
    let (body, is_base64_encoded) = body_of(&request.body);
    let mut event = ApiGatewayV2httpRequest::default();
    event.version = Some("2.0".into());
    event.route_key = Some(matched.route_key.clone());
    event.raw_path = Some(request.path.clone());
    event.raw_query_string = Some(request.query.clone());
    event.cookies = (!cookies.is_empty()).then_some(cookies);
    event.headers = headers;
    event.query_string_parameters = query_parameters(&request.query);
    event.path_parameters = matched.path_parameters.clone().into_iter().collect();
    event.request_context = context;
    event.body = body;
    event.is_base64_encoded = is_base64_encoded;
    set_top_level_method(&mut event, method);
    event
}

/// The event as the JSON the function is invoked with. API Gateway writes `"scopes": null`
/// for a token without scopes, where `aws_lambda_events` leaves the key out: it is put back.
pub fn request_event(request: &HttpRequest, matched: &RouteMatch, meta: &RequestMeta) -> Value {
    let mut event = serde_json::to_value(request_payload(request, matched, meta))
        .expect("an event of UTF-8 strings serializes");
    if let Some(jwt) = event
        .pointer_mut("/requestContext/authorizer/jwt")
        .and_then(Value::as_object_mut)
    {
        jwt.entry("scopes").or_insert(Value::Null);
    }
    event
}

/// The type's top-level `httpMethod` (only Custom Authorizer v1 payloads have one) is written
/// out whatever its value, `GET` by default: the request's method rather than a wrong one.
#[allow(deprecated)]
fn set_top_level_method(event: &mut ApiGatewayV2httpRequest, method: Method) {
    event.http_method = method;
}

/// The headers, a repeated name's values joined with commas (the type keeps one value per
/// name), the `x-forwarded-*` headers API Gateway adds, and the `cookie` header apart, split.
fn headers_and_cookies(request: &HttpRequest, local_port: u16) -> (HeaderMap, Vec<String>) {
    let mut joined: Vec<(String, String)> = vec![];
    let mut cookies = vec![];
    for (name, value) in &request.headers {
        if name == "cookie" {
            cookies.extend(
                value
                    .split(';')
                    .map(str::trim)
                    .filter(|c| !c.is_empty())
                    .map(String::from),
            );
            continue;
        }
        match joined.iter_mut().find(|(n, _)| n == name) {
            Some((_, existing)) => {
                existing.push(',');
                existing.push_str(value);
            }
            None => joined.push((name.clone(), value.clone())),
        }
    }
    for (name, value) in [
        ("x-forwarded-for", request.source_ip.clone()),
        ("x-forwarded-port", local_port.to_string()),
        ("x-forwarded-proto", "http".to_string()),
    ] {
        if !joined.iter().any(|(n, _)| n == name) {
            joined.push((name.to_string(), value));
        }
    }
    let mut headers = HeaderMap::new();
    for (name, value) in joined {
        // They come from a parsed HTTP request: a header HTTP would not carry cannot occur.
        if let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(&value),
        ) {
            headers.insert(name, value);
        }
    }
    (headers, cookies)
}

/// `a=1&a=2&flag` → `a: [1, 2], flag: [""]`, names and values percent-decoded (the type writes
/// a repeated parameter's values joined with commas, as API Gateway does).
fn query_parameters(query: &str) -> QueryMap {
    let mut parameters: HashMap<String, Vec<String>> = HashMap::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        parameters
            .entry(percent_decode(name))
            .or_default()
            .push(percent_decode(value));
    }
    QueryMap::from(parameters)
}

/// The body as text, or in base64 when it is not UTF-8; none when empty.
fn body_of(bytes: &[u8]) -> (Option<String>, bool) {
    if bytes.is_empty() {
        return (None, false);
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => (Some(text.to_string()), false),
        Err(_) => (Some(BASE64.encode(bytes)), true),
    }
}

/// What a JWT authorizer passes on: `{"jwt": {"claims": {...}, "scopes": [...]}}`.
fn jwt_authorizer(context: &JwtContext) -> ApiGatewayRequestAuthorizer {
    let mut jwt = ApiGatewayRequestAuthorizerJwtDescription::default();
    jwt.claims = context.claims.clone().into_iter().collect();
    jwt.scopes = context.scopes.clone();
    let mut authorizer = ApiGatewayRequestAuthorizer::default();
    authorizer.jwt = Some(jwt);
    authorizer
}
