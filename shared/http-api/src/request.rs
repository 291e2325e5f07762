use es_core::{CommandContext, Input, ValidationError};
use event_store::{Expected, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE};
use lambda_http::http::{HeaderMap, Method};
use lambda_http::request::RequestContext;
use lambda_http::{Body, Request, RequestExt};
use serde_json::Value;
use std::collections::HashMap;

use crate::access::Caller;
use crate::authorize::SubjectCheck;
use crate::cursor::CursorScope;
use crate::{ApiError, CORRELATION_HEADER};

/// Bodies over this size are refused with 413 (SPEC §2).
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// The longest path parameter the API reads. Every one is an id (a UUID, a plate, an aggregate
/// type), far shorter: a longer one names nothing (404), and never reaches DynamoDB, which
/// refuses a key over its size limit (2048 bytes for a partition key) with an error of ours.
pub const MAX_PATH_PARAMETER_BYTES: usize = 128;

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

    /// The body as received, e.g. to tell a retry from another request.
    pub(crate) fn body_bytes(&self) -> &[u8] {
        &self.body
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

    /// A path parameter; API Gateway only routes requests that have it. One over
    /// [`MAX_PATH_PARAMETER_BYTES`] names nothing: 404.
    pub fn path_parameter(&self, name: &str) -> Result<&str, ApiError> {
        let value = self
            .path_parameters
            .get(name)
            .map(String::as_str)
            .ok_or_else(|| ApiError::internal(format!("route has no {{{name}}} parameter")))?;
        if value.len() > MAX_PATH_PARAMETER_BYTES {
            return Err(ApiError::Rejected(es_core::Rejection::new(
                es_core::RejectionKind::NotFound,
                "not_found",
                format!("no {name} is {} bytes long", value.len()),
            )));
        }
        Ok(value)
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

    /// `If-Match: "<version>"` as the version a command expects (also `W/"<version>"`, or the
    /// bare version); `*` or no header: any version.
    pub fn expected_version(&self) -> Result<Expected, ApiError> {
        let Some(value) = self.headers.get("if-match") else {
            return Ok(Expected::Any);
        };
        let text = value.to_str().unwrap_or_default().trim();
        if text == "*" {
            return Ok(Expected::Any);
        }
        let tag = text.strip_prefix("W/").unwrap_or(text);
        let version = tag
            .strip_prefix('"')
            .and_then(|t| t.strip_suffix('"'))
            .unwrap_or(tag);
        Some(version)
            .filter(|v| (1..=19).contains(&v.len()) && v.bytes().all(|b| b.is_ascii_digit()))
            .and_then(|v| v.parse::<u64>().ok())
            .map(Expected::Exactly)
            .ok_or_else(|| ApiError::invalid("If-Match", "must be an ETag of this API, e.g. \"3\""))
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
        let cursor = match self.query("cursor") {
            Some(cursor) => Some(self.cursor_scope().open(cursor)?),
            None => None,
        };
        Ok(PageRequest { limit, cursor })
    }

    /// The list this request reads, which its cursors are bound to.
    pub(crate) fn cursor_scope(&self) -> CursorScope {
        CursorScope::new(&self.route_key, &self.query)
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
    fn an_over_long_path_parameter_names_nothing() {
        let with = |id: &str| request("").with_path_parameter("aggregate_id", id);
        let longest = "a".repeat(MAX_PATH_PARAMETER_BYTES);
        assert_eq!(
            with(&longest).path_parameter("aggregate_id").unwrap(),
            longest
        );
        let error = with(&format!("{longest}a"))
            .path_parameter("aggregate_id")
            .unwrap_err();
        assert_eq!(error.status(), 404);
        assert_eq!(error.body()["error"]["code"], "not_found");
        // A UUID parameter goes through it too.
        let error = with(&"é".repeat(100))
            .uuid_parameter("aggregate_id", "radar")
            .unwrap_err();
        assert_eq!(error.status(), 404);
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
        // The bare version is accepted; half a tag, a sign or no digits is not.
        assert_eq!(with("5").unwrap(), Expected::Exactly(5));
        for bad in ["\"5", "5\"", "\"+5\"", "\"\"", "", "W/", "\"\"5\"\""] {
            assert_eq!(with(bad).unwrap_err().status(), 400, "{bad:?}");
        }
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
