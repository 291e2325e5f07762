use es_core::{CommandContext, Input, ValidationError};
use event_store::{Expected, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE};
use lambda_http::http::{HeaderMap, Method};
use lambda_http::request::RequestContext;
use lambda_http::{Body, Request, RequestExt};
use serde_json::Value;
use std::collections::HashMap;

use crate::access::Caller;
use crate::authorize::SubjectCheck;
use crate::{ApiError, CORRELATION_HEADER};

/// Bodies over this size are refused with 413 (SPEC §2).
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// One API request, read out of the API Gateway event.
#[derive(Debug, Clone)]
pub struct ApiRequest {
    pub method: Method,
    pub path: String,
    pub headers: HeaderMap,
    pub(crate) path_parameters: HashMap<String, String>,
    pub(crate) query: HashMap<String, String>,
    body: Vec<u8>,
    pub correlation_id: String,
    pub request_id: String,
    /// The function handling the request: the `source` of the events it causes.
    pub source: String,
    /// API Gateway's route key (`GET /radars/{radar_id}`, `$default`): the rule that applies.
    pub route_key: String,
    /// The verified token's claims, as the JWT authorizer passes them.
    pub(crate) claims: HashMap<String, String>,
    /// Who is calling, once [`crate::serve`] has authorized the request.
    pub(crate) caller: Option<Caller>,
    /// Set when the caller may only see a resource that is its own.
    pub(crate) subject_check: Option<SubjectCheck>,
}

/// `?limit=&cursor=` of a list (SPEC §2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageRequest {
    pub limit: usize,
    pub cursor: Option<String>,
}

impl ApiRequest {
    pub fn from_lambda(source: &str, request: Request) -> Self {
        let path_parameters = request
            .path_parameters()
            .iter()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect();
        let query = request
            .query_string_parameters()
            .iter()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect();
        let (request_id, route_key, claims) = match request.request_context_ref() {
            Some(RequestContext::ApiGatewayV2(context)) => (
                context.request_id.clone(),
                context.route_key.clone().unwrap_or_default(),
                context
                    .authorizer
                    .as_ref()
                    .and_then(|authorizer| authorizer.jwt.as_ref())
                    .map(|jwt| jwt.claims.clone())
                    .unwrap_or_default(),
            ),
            _ => (None, String::new(), HashMap::new()),
        };
        let request_id = request_id.unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
        let correlation_id = request
            .headers()
            .get(CORRELATION_HEADER)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
            .filter(|v| !v.is_empty() && v.len() <= 128)
            .map(str::to_owned)
            .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
        let (parts, body) = request.into_parts();
        let body = match body {
            Body::Empty => Vec::new(),
            Body::Text(text) => text.into_bytes(),
            Body::Binary(bytes) => bytes,
            _ => Vec::new(),
        };
        Self {
            method: parts.method,
            path: parts.uri.path().to_owned(),
            headers: parts.headers,
            path_parameters,
            query,
            body,
            correlation_id,
            request_id,
            source: source.to_owned(),
            route_key,
            claims,
            caller: None,
            subject_check: None,
        }
    }

    /// A request built by hand, for tests.
    pub fn new(method: Method, path: &str, body: &str) -> Self {
        Self {
            method,
            path: path.to_owned(),
            headers: HeaderMap::new(),
            path_parameters: HashMap::new(),
            query: HashMap::new(),
            body: body.as_bytes().to_vec(),
            correlation_id: "test-correlation".into(),
            request_id: "test-request".into(),
            source: "test".into(),
            route_key: String::new(),
            claims: HashMap::new(),
            caller: None,
            subject_check: None,
        }
    }

    /// The route key API Gateway would pass, for tests.
    pub fn with_route_key(mut self, route_key: &str) -> Self {
        self.route_key = route_key.into();
        self
    }

    /// A verified token's claim, as the JWT authorizer would pass it, for tests.
    pub fn with_claim(mut self, name: &str, value: &str) -> Self {
        self.claims.insert(name.into(), value.into());
        self
    }

    /// The authorized caller; `None` on a public route called without a token.
    pub fn caller(&self) -> Option<&Caller> {
        self.caller.as_ref()
    }
    pub fn with_path_parameter(mut self, name: &str, value: &str) -> Self {
        self.path_parameters.insert(name.into(), value.into());
        self
    }

    pub fn with_query(mut self, name: &str, value: &str) -> Self {
        self.query.insert(name.into(), value.into());
        self
    }

    pub fn with_header(mut self, name: &'static str, value: &str) -> Self {
        self.headers
            .insert(name, value.parse().expect("header value"));
        self
    }

    /// A path parameter; API Gateway only routes requests that have it.
    pub fn path_parameter(&self, name: &str) -> Result<&str, ApiError> {
        self.path_parameters
            .get(name)
            .map(String::as_str)
            .ok_or_else(|| ApiError::internal(format!("route has no {{{name}}} parameter")))
    }

    /// A UUID path parameter; one that is not a UUID names nothing that can exist: 404.
    pub fn uuid_parameter(&self, name: &str, what: &str) -> Result<uuid::Uuid, ApiError> {
        let text = self.path_parameter(name)?;
        uuid::Uuid::parse_str(text).map_err(|_| ApiError::not_found(what, text))
    }

    pub fn query(&self, name: &str) -> Option<&str> {
        self.query
            .get(name)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }

    /// The JSON body: 413 when over 64 KiB, 400 when it is not JSON. An empty body reads as
    /// `{}`, so a missing body reports every required field.
    pub fn json(&self) -> Result<Value, ApiError> {
        if self.body.len() > MAX_BODY_BYTES {
            return Err(ApiError::Rejected(es_core::Rejection::new(
                es_core::RejectionKind::PayloadTooLarge,
                "payload_too_large",
                format!(
                    "the body is {} bytes; at most {MAX_BODY_BYTES} are accepted",
                    self.body.len()
                ),
            )));
        }
        if self.body.iter().all(u8::is_ascii_whitespace) {
            return Ok(Value::Object(Default::default()));
        }
        serde_json::from_slice(&self.body).map_err(|e| {
            ApiError::Rejected(es_core::Rejection {
                kind: es_core::RejectionKind::InvalidInput,
                code: "malformed_json".into(),
                message: format!("the body is not valid JSON: {e}"),
                details: vec![es_core::FieldProblem::new("body", "is not valid JSON")],
            })
        })
    }

    /// `If-Match: "<version>"` as the version a command expects; no header: any version.
    pub fn expected_version(&self) -> Result<Expected, ApiError> {
        let Some(value) = self.headers.get("if-match") else {
            return Ok(Expected::Any);
        };
        let text = value.to_str().unwrap_or_default().trim();
        if text == "*" {
            return Ok(Expected::Any);
        }
        text.trim_start_matches("W/")
            .trim_matches('"')
            .parse::<u64>()
            .map(Expected::Exactly)
            .map_err(|_| ApiError::invalid("If-Match", "must be an ETag of this API, e.g. \"3\""))
    }

    /// The context of the command this request causes.
    pub fn command_context(&self) -> CommandContext {
        CommandContext::for_request(&self.source, Some(&self.correlation_id), &self.request_id)
    }

    /// `?limit=` (1..100, default 20) and `?cursor=`.
    pub fn page(&self) -> Result<PageRequest, ApiError> {
        let limit = match self.query("limit") {
            None => DEFAULT_PAGE_SIZE,
            Some(text) => match text.parse::<usize>() {
                Ok(n) if (1..=MAX_PAGE_SIZE).contains(&n) => n,
                _ => {
                    return Err(ApiError::invalid(
                        "limit",
                        &format!("must be an integer between 1 and {MAX_PAGE_SIZE}"),
                    ))
                }
            },
        };
        Ok(PageRequest {
            limit,
            cursor: self.query("cursor").map(str::to_owned),
        })
    }

    /// Reads query parameters with the same collect-every-problem rules as a body.
    pub fn query_input<T>(
        &self,
        allowed: &[&str],
        read: impl FnOnce(&mut Input<'_>) -> T,
    ) -> Result<T, ApiError> {
        let mut known: Vec<&str> = allowed.to_vec();
        known.extend(["limit", "cursor"]);
        let as_json = Value::Object(
            self.query
                .iter()
                .map(|(k, v)| (k.clone(), Value::String(v.clone())))
                .collect(),
        );
        let mut input = Input::object(&as_json, &known);
        let value = read(&mut input);
        input
            .finish()
            .map_err(|e: ValidationError| e.into())
            .map(|()| value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(body: &str) -> ApiRequest {
        ApiRequest::new(Method::POST, "/radars", body)
    }

    #[test]
    fn malformed_json_is_a_400() {
        let error = request("{\"name\": ").json().unwrap_err();
        assert_eq!(error.status(), 400);
        assert_eq!(error.body()["error"]["code"], "malformed_json");
    }

    #[test]
    fn a_body_over_64_kib_is_a_413() {
        let big = format!("{{\"name\": \"{}\"}}", "x".repeat(MAX_BODY_BYTES));
        assert_eq!(request(&big).json().unwrap_err().status(), 413);
    }

    #[test]
    fn an_empty_body_reads_as_an_empty_object() {
        assert_eq!(request("").json().unwrap(), serde_json::json!({}));
    }

    #[test]
    fn if_match_forms() {
        let with = |v: &str| request("").with_header("if-match", v).expected_version();
        assert_eq!(with("\"3\"").unwrap(), Expected::Exactly(3));
        assert_eq!(with("W/\"7\"").unwrap(), Expected::Exactly(7));
        assert_eq!(with("*").unwrap(), Expected::Any);
        assert_eq!(with("\"abc\"").unwrap_err().status(), 400);
        assert_eq!(request("").expected_version().unwrap(), Expected::Any);
    }

    #[test]
    fn paging_parameters_are_checked() {
        let page = |limit: &str| request("").with_query("limit", limit).page();
        assert_eq!(page("5").unwrap().limit, 5);
        assert_eq!(request("").page().unwrap().limit, DEFAULT_PAGE_SIZE);
        for bad in ["0", "101", "ten", "-1"] {
            assert_eq!(page(bad).unwrap_err().status(), 400, "{bad}");
        }
    }
}
