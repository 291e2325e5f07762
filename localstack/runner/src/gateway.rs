//! The HTTP API: routes from the functions' `HttpApi` events, requests as API Gateway payload
//! format 2.0 events, function responses back to HTTP, as an API Gateway HTTP API does it.
//!
//! - Routing: the route whose path matches most specifically wins, segment by segment (a
//!   literal beats `{param}`, which beats `{proxy+}`), an exact method beats `ANY`; a request
//!   that matches no route goes to `$default` (or gets 404 `{"message":"Not Found"}` when the
//!   template has none).
//! - A function error, a crash or an unreachable function: 500
//!   `{"message":"Internal Server Error"}`; no answer in time: 503
//!   `{"message":"Service Unavailable"}`; a body over 10 MiB: 413.
//! - Authorization: a route behind a JWT authorizer (the API's default authorizer unless the
//!   route says `Authorizer: NONE`) is served only with a token that passes it ([`auth`]); the
//!   token's claims reach the function in `requestContext.authorizer.jwt`.
//! - `GET /_local/metrics` is the local cloud's own ([`crate::local_metrics`]): no token, no
//!   route of the template.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderName, HeaderValue, Request, Response, StatusCode};
use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use serde_json::{json, Map, Value};

use crate::auth::{self, JwtContext};
use crate::devkey::DevKey;
use crate::invoke::{client_timeout, Invocation, Invoker};
use crate::local_metrics::{LocalMetrics, METRICS_PATH};
use crate::template::{RouteAuth, Stack};

/// API Gateway's payload limit.
pub const MAX_BODY_BYTES: usize = 10 * 1024 * 1024;

#[derive(Clone, Debug, PartialEq, Eq)]
enum Segment {
    Literal(String),
    Param(String),
    /// `{name+}`: the rest of the path, one segment or more.
    Greedy(String),
}

impl Segment {
    fn rank(&self) -> u8 {
        match self {
            Segment::Literal(_) => 2,
            Segment::Param(_) => 1,
            Segment::Greedy(_) => 0,
        }
    }
}

#[derive(Clone, Debug)]
struct Route {
    method: String,
    segments: Vec<Segment>,
    route_key: String,
    target: Target,
    auth: Option<RouteAuth>,
}

/// The function a route invokes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    pub function: String,
    pub timeout: Duration,
}

/// A request matched to its route.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RouteMatch {
    pub route_key: String,
    pub target: Target,
    pub path_parameters: BTreeMap<String, String>,
    /// The authorizer the request must pass; `None`: a public route.
    pub auth: Option<RouteAuth>,
}

/// The routes of the HTTP API.
#[derive(Clone, Debug, Default)]
pub struct Routes {
    routes: Vec<Route>,
    default: Option<(Target, Option<RouteAuth>)>,
}

fn segments(path: &str) -> Vec<&str> {
    path.strip_prefix('/').unwrap_or(path).split('/').collect()
}

impl Routes {
    pub fn from_stack(stack: &Stack) -> Self {
        let mut routes = Routes::default();
        for function in &stack.functions {
            let target = Target {
                function: function.name.clone(),
                timeout: function.timeout,
            };
            for route in &function.routes {
                match &route.method_and_path {
                    Some((method, path)) => {
                        routes.add_protected(method, path, target.clone(), route.auth.clone())
                    }
                    None => routes.default = Some((target.clone(), route.auth.clone())),
                }
            }
        }
        routes
    }

    /// A public route.
    pub fn add(&mut self, method: &str, path: &str, target: Target) {
        self.add_protected(method, path, target, None)
    }

    /// A route behind `auth` (`None`: public).
    pub fn add_protected(
        &mut self,
        method: &str,
        path: &str,
        target: Target,
        auth: Option<RouteAuth>,
    ) {
        let parsed = segments(path)
            .into_iter()
            .map(
                |s| match s.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                    Some(name) => match name.strip_suffix('+') {
                        Some(name) => Segment::Greedy(name.to_string()),
                        None => Segment::Param(name.to_string()),
                    },
                    None => Segment::Literal(s.to_string()),
                },
            )
            .collect();
        self.routes.push(Route {
            method: method.to_ascii_uppercase(),
            segments: parsed,
            route_key: format!("{} {path}", method.to_ascii_uppercase()),
            target,
            auth,
        });
    }

    pub fn set_default(&mut self, target: Target) {
        self.default = Some((target, None));
    }

    pub fn len(&self) -> usize {
        self.routes.len() + usize::from(self.default.is_some())
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The route of `method` `path` (`path` as sent: percent-encoded).
    pub fn find(&self, method: &str, path: &str) -> Option<RouteMatch> {
        let request: Vec<&str> = segments(path);
        // Most specific first: segment ranks compared in order, then an exact method.
        let best = self
            .routes
            .iter()
            .filter(|route| route.method == method || route.method == "ANY")
            .filter_map(|route| match_path(&route.segments, &request).map(|p| (route, p)))
            .max_by_key(|(route, _)| {
                let ranks: Vec<u8> = route.segments.iter().map(Segment::rank).collect();
                (ranks, route.method == method)
            });
        match best {
            Some((route, path_parameters)) => Some(RouteMatch {
                route_key: route.route_key.clone(),
                target: route.target.clone(),
                path_parameters,
                auth: route.auth.clone(),
            }),
            None => self.default.as_ref().map(|(target, auth)| RouteMatch {
                route_key: "$default".into(),
                target: target.clone(),
                path_parameters: BTreeMap::new(),
                auth: auth.clone(),
            }),
        }
    }
}

fn match_path(route: &[Segment], request: &[&str]) -> Option<BTreeMap<String, String>> {
    let mut params = BTreeMap::new();
    for (i, segment) in route.iter().enumerate() {
        match segment {
            Segment::Greedy(name) => {
                let rest = request.get(i..).filter(|rest| !rest.is_empty())?;
                if rest.iter().all(|s| s.is_empty()) {
                    return None;
                }
                params.insert(name.clone(), percent_decode(&rest.join("/")));
                return Some(params);
            }
            Segment::Literal(literal) => {
                if request.get(i) != Some(&literal.as_str()) {
                    return None;
                }
            }
            Segment::Param(name) => {
                let value = request.get(i).filter(|v| !v.is_empty())?;
                params.insert(name.clone(), percent_decode(value));
            }
        }
    }
    (route.len() == request.len()).then_some(params)
}

/// `%XX` decoded (invalid escapes and non-UTF-8 results are kept as they were); `+` stays `+`.
pub fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok();
            if let Some(byte) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                out.push(byte);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).unwrap_or_else(|_| text.to_string())
}

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

impl HttpRequest {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
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

/// The API Gateway payload format 2.0 event of a request.
pub fn request_event(request: &HttpRequest, matched: &RouteMatch, meta: &RequestMeta) -> Value {
    let mut headers = Map::new();
    let mut cookies = vec![];
    for (name, value) in &request.headers {
        if name == "cookie" {
            cookies.extend(
                value
                    .split(';')
                    .map(str::trim)
                    .filter(|c| !c.is_empty())
                    .map(|c| Value::String(c.to_string())),
            );
            continue;
        }
        match headers.get_mut(name) {
            Some(Value::String(existing)) => {
                existing.push(',');
                existing.push_str(value);
            }
            _ => {
                headers.insert(name.clone(), Value::String(value.clone()));
            }
        }
    }
    let host = request.header("host").unwrap_or("localhost").to_string();
    for (name, value) in [
        ("x-forwarded-for", request.source_ip.clone()),
        ("x-forwarded-port", meta.local_port.to_string()),
        ("x-forwarded-proto", "http".to_string()),
    ] {
        headers.entry(name).or_insert_with(|| Value::String(value));
    }

    let mut query = Map::new();
    for pair in request.query.split('&').filter(|p| !p.is_empty()) {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        let (name, value) = (percent_decode(name), percent_decode(value));
        match query.get_mut(&name) {
            Some(Value::String(existing)) => {
                existing.push(',');
                existing.push_str(&value);
            }
            _ => {
                query.insert(name, Value::String(value));
            }
        }
    }

    let domain_prefix = host.split('.').next().unwrap_or(&host).to_string();
    let mut event = json!({
        "version": "2.0",
        "routeKey": matched.route_key,
        "rawPath": request.path,
        "rawQueryString": request.query,
        "headers": headers,
        "requestContext": {
            "accountId": meta.account,
            "apiId": meta.api_id,
            "domainName": host,
            "domainPrefix": domain_prefix,
            "http": {
                "method": request.method,
                "path": request.path,
                "protocol": "HTTP/1.1",
                "sourceIp": request.source_ip,
                "userAgent": request.header("user-agent").unwrap_or(""),
            },
            "requestId": meta.request_id,
            "routeKey": matched.route_key,
            "stage": "$default",
            "time": meta.time.format("%d/%b/%Y:%H:%M:%S %z").to_string(),
            "timeEpoch": meta.time.timestamp_millis(),
        },
        "isBase64Encoded": false,
    });
    let object = event.as_object_mut().expect("an object");
    if let Some(authorizer) = &meta.authorizer {
        object["requestContext"]["authorizer"] = authorizer.to_value();
    }
    if !cookies.is_empty() {
        object.insert("cookies".into(), Value::Array(cookies));
    }
    if !query.is_empty() {
        object.insert("queryStringParameters".into(), Value::Object(query));
    }
    if !matched.path_parameters.is_empty() {
        object.insert(
            "pathParameters".into(),
            serde_json::to_value(&matched.path_parameters).expect("strings"),
        );
    }
    if !request.body.is_empty() {
        match std::str::from_utf8(&request.body) {
            Ok(text) => {
                object.insert("body".into(), Value::String(text.to_string()));
            }
            Err(_) => {
                object.insert("body".into(), Value::String(BASE64.encode(&request.body)));
                object.insert("isBase64Encoded".into(), Value::Bool(true));
            }
        }
    }
    event
}

/// An HTTP response to send back.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HttpResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl HttpResponse {
    pub fn message(status: u16, message: &str) -> Self {
        Self {
            status,
            headers: vec![("content-type".into(), "application/json".into())],
            body: json!({ "message": message }).to_string().into_bytes(),
        }
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

fn text_of(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// The HTTP response API Gateway makes of a function's answer (payload format 2.0).
pub fn response_of(invocation: &Invocation) -> HttpResponse {
    let payload = match invocation {
        Invocation::Ok(payload) => payload,
        Invocation::Timeout => return HttpResponse::message(503, "Service Unavailable"),
        Invocation::FunctionError(_) | Invocation::Unreachable(_) => {
            return HttpResponse::message(500, "Internal Server Error")
        }
    };
    let value: Value = match serde_json::from_slice(payload) {
        Ok(value) => value,
        Err(_) => return HttpResponse::message(500, "Internal Server Error"),
    };
    let Some(status) = value.get("statusCode") else {
        // Not a structured response: the payload itself is the JSON body of a 200.
        return HttpResponse {
            status: 200,
            headers: vec![("content-type".into(), "application/json".into())],
            body: payload.clone(),
        };
    };
    let Some(status) = text_of(status)
        .and_then(|s| s.parse::<u16>().ok())
        .filter(|s| (100..=599).contains(s))
    else {
        return HttpResponse::message(500, "Internal Server Error");
    };
    let mut headers: Vec<(String, String)> = vec![];
    let multi = value
        .get("multiValueHeaders")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    for (name, values) in &multi {
        for v in values.as_array().into_iter().flatten().filter_map(text_of) {
            headers.push((name.to_ascii_lowercase(), v));
        }
    }
    if let Some(single) = value.get("headers").and_then(Value::as_object) {
        for (name, v) in single {
            let lower = name.to_ascii_lowercase();
            if multi.keys().any(|m| m.eq_ignore_ascii_case(name)) {
                continue;
            }
            if let Some(v) = text_of(v) {
                headers.push((lower, v));
            }
        }
    }
    for cookie in value
        .get("cookies")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(text_of)
    {
        headers.push(("set-cookie".into(), cookie));
    }
    let body = match value.get("body") {
        None | Some(Value::Null) => vec![],
        Some(body) => {
            let text = text_of(body).unwrap_or_else(|| body.to_string());
            if value.get("isBase64Encoded").and_then(Value::as_bool) == Some(true) {
                match BASE64.decode(text.as_bytes()) {
                    Ok(bytes) => bytes,
                    Err(_) => return HttpResponse::message(500, "Internal Server Error"),
                }
            } else {
                text.into_bytes()
            }
        }
    };
    HttpResponse {
        status,
        headers,
        body,
    }
}

/// The gateway: routes and the invoker.
pub struct Gateway {
    pub routes: Routes,
    pub invoker: Arc<dyn Invoker>,
    pub api_id: String,
    pub account: String,
    /// The key the JWT authorizer verifies with; `None`: the development key at its usual place
    /// ([`DevKey::shared`]), made on the first request that needs it.
    pub key: Option<Arc<DevKey>>,
    /// What `GET /_local/metrics` serves (nothing followed: empty).
    pub metrics: Arc<LocalMetrics>,
}

impl Gateway {
    pub fn new(stack: &Stack, invoker: Arc<dyn Invoker>) -> Self {
        Self {
            routes: Routes::from_stack(stack),
            invoker,
            api_id: "httpapi".into(),
            account: stack.context.account.clone(),
            key: None,
            metrics: Arc::default(),
        }
    }

    /// The same gateway, serving `metrics` at [`METRICS_PATH`].
    pub fn with_metrics(mut self, metrics: Arc<LocalMetrics>) -> Self {
        self.metrics = metrics;
        self
    }

    /// The same gateway, verifying tokens with `key`.
    pub fn with_key(mut self, key: Arc<DevKey>) -> Self {
        self.key = Some(key);
        self
    }

    /// The route's authorizer on `request`: what it passes on, or the answer that refuses it.
    fn authorize(
        &self,
        request: &HttpRequest,
        auth: &RouteAuth,
    ) -> Result<JwtContext, (HttpResponse, String)> {
        let key = match &self.key {
            Some(key) => key.clone(),
            None => DevKey::shared().map_err(|e| {
                tracing::error!("JWT authorizer: {e}");
                (
                    HttpResponse::message(500, "Internal Server Error"),
                    e.to_string(),
                )
            })?,
        };
        let refusal = match auth::token_of(&request.headers, &auth.authorizer.header) {
            None => auth::Refusal::Missing,
            Some(token) => match auth::verify(token, auth, &key, crate::token::now()) {
                Ok(context) => return Ok(context),
                Err(refusal) => refusal,
            },
        };
        Err((
            refusal.response(&request.correlation_id()),
            refusal.message(),
        ))
    }

    /// Serves one request: route, invoke, map back, log one line.
    pub async fn handle(&self, request: HttpRequest, local_port: u16) -> HttpResponse {
        let started = Instant::now();
        if request.path == METRICS_PATH {
            // The local cloud's own path, before the routes (their `$default` would refuse it).
            return self.metrics.answer(&request.method);
        }
        let mut meta = RequestMeta {
            request_id: uuid::Uuid::new_v4().to_string(),
            time: chrono::Utc::now(),
            api_id: self.api_id.clone(),
            account: self.account.clone(),
            local_port,
            authorizer: None,
        };
        let (mut response, function) = match self.routes.find(&request.method, &request.path) {
            None => (HttpResponse::message(404, "Not Found"), "-".to_string()),
            Some(matched) => 'route: {
                if let Some(auth) = &matched.auth {
                    match self.authorize(&request, auth) {
                        Ok(context) => meta.authorizer = Some(context),
                        Err((refusal, why)) => {
                            let function =
                                format!("{} (not invoked: {why})", matched.target.function);
                            break 'route (refusal, function);
                        }
                    }
                }
                let event = request_event(&request, &matched, &meta);
                let invocation = self
                    .invoker
                    .invoke(
                        &matched.target.function,
                        event.to_string().into_bytes(),
                        client_timeout(matched.target.timeout),
                    )
                    .await;
                match &invocation {
                    Invocation::FunctionError(e) => {
                        tracing::warn!(function = %matched.target.function, "function error: {e}")
                    }
                    Invocation::Unreachable(e) => {
                        tracing::error!(function = %matched.target.function, "cannot invoke: {e}")
                    }
                    Invocation::Timeout => {
                        tracing::warn!(function = %matched.target.function, "timed out")
                    }
                    Invocation::Ok(_) => {}
                }
                (response_of(&invocation), matched.target.function)
            }
        };
        response
            .headers
            .push(("apigw-requestid".into(), meta.request_id.clone()));
        let query = if request.query.is_empty() {
            String::new()
        } else {
            format!("?{}", request.query)
        };
        tracing::info!(
            "HTTP {} {}{} -> {} {} ({} ms)",
            request.method,
            request.path,
            query,
            function,
            response.status,
            started.elapsed().as_millis()
        );
        response
    }
}

async fn axum_handler(
    State(gateway): State<Arc<GatewayState>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    request: Request<Body>,
) -> Response<Body> {
    let (parts, body) = request.into_parts();
    let body = match axum::body::to_bytes(body, MAX_BODY_BYTES).await {
        Ok(bytes) => bytes.to_vec(),
        Err(_) => return to_axum(HttpResponse::message(413, "Request Entity Too Large")),
    };
    let headers = parts
        .headers
        .iter()
        .map(|(name, value)| {
            (
                name.as_str().to_ascii_lowercase(),
                String::from_utf8_lossy(value.as_bytes()).into_owned(),
            )
        })
        .collect();
    let request = HttpRequest {
        method: parts.method.as_str().to_string(),
        path: parts.uri.path().to_string(),
        query: parts.uri.query().unwrap_or("").to_string(),
        headers,
        body,
        source_ip: peer.ip().to_string(),
    };
    to_axum(gateway.gateway.handle(request, gateway.port).await)
}

fn to_axum(response: HttpResponse) -> Response<Body> {
    let mut out = Response::new(Body::from(response.body));
    *out.status_mut() = StatusCode::from_u16(response.status).unwrap_or(StatusCode::BAD_GATEWAY);
    for (name, value) in response.headers {
        if let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(&value),
        ) {
            // Framing is the server's business.
            if name == "content-length" || name == "transfer-encoding" || name == "connection" {
                continue;
            }
            out.headers_mut().append(name, value);
        }
    }
    out
}

struct GatewayState {
    gateway: Gateway,
    port: u16,
}

/// Serves the gateway on `listener` until `shutdown` completes.
pub async fn serve(
    listener: tokio::net::TcpListener,
    gateway: Gateway,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let port = listener.local_addr()?.port();
    let state = Arc::new(GatewayState { gateway, port });
    let app = axum::Router::new().fallback(axum_handler).with_state(state);
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(name: &str) -> Target {
        Target {
            function: name.into(),
            timeout: Duration::from_secs(10),
        }
    }

    fn routes() -> Routes {
        let mut routes = Routes::default();
        routes.add("POST", "/radars", target("install-radar"));
        routes.add("GET", "/radars", target("list-radars"));
        routes.add("GET", "/radars/{radar_id}", target("get-radar"));
        routes.add(
            "GET",
            "/radars/{radar_id}/events",
            target("list-radar-events"),
        );
        routes.add("GET", "/radars/special", target("special"));
        routes.add(
            "GET",
            "/owners/{owner_id}/infractions",
            target("owner-infractions"),
        );
        routes.add("ANY", "/files/{proxy+}", target("files"));
        routes.add("GET", "/files/{proxy+}", target("get-files"));
        routes.set_default(target("route-not-found"));
        routes
    }

    fn find(method: &str, path: &str) -> (String, String, BTreeMap<String, String>) {
        let m = routes().find(method, path).expect("a route");
        (m.target.function, m.route_key, m.path_parameters)
    }

    #[test]
    fn a_literal_segment_beats_a_parameter() {
        assert_eq!(find("GET", "/radars/special").0, "special");
        let (function, key, params) = find("GET", "/radars/r-1");
        assert_eq!(function, "get-radar");
        assert_eq!(key, "GET /radars/{radar_id}");
        assert_eq!(params["radar_id"], "r-1");
    }

    #[test]
    fn routes_match_method_and_whole_path() {
        assert_eq!(find("POST", "/radars").0, "install-radar");
        assert_eq!(find("GET", "/radars").0, "list-radars");
        assert_eq!(find("GET", "/radars/r-1/events").0, "list-radar-events");
        assert_eq!(
            find("GET", "/owners/o%201/infractions").2["owner_id"],
            "o 1"
        );
    }

    #[test]
    fn everything_else_goes_to_the_default_route() {
        for (method, path) in [
            ("DELETE", "/radars"),
            ("GET", "/nothing"),
            ("GET", "/radars/r-1/events/extra"),
            ("GET", "/radars/"),
            ("GET", "/"),
        ] {
            let (function, key, params) = find(method, path);
            assert_eq!(
                (function.as_str(), key.as_str()),
                ("route-not-found", "$default")
            );
            assert!(params.is_empty());
        }
        let mut no_default = Routes::default();
        no_default.add("GET", "/a", target("a"));
        assert!(no_default.find("GET", "/b").is_none());
    }

    #[test]
    fn greedy_parameters_take_the_rest_and_exact_methods_beat_any() {
        let (function, _, params) = find("GET", "/files/a/b/c");
        assert_eq!(function, "get-files");
        assert_eq!(params["proxy"], "a/b/c");
        assert_eq!(find("PUT", "/files/x").0, "files");
        assert_eq!(find("PUT", "/files").0, "route-not-found");
    }

    fn meta() -> RequestMeta {
        RequestMeta {
            request_id: "req-1".into(),
            time: chrono::DateTime::parse_from_rfc3339("2026-11-22T10:15:00.123Z")
                .unwrap()
                .with_timezone(&chrono::Utc),
            api_id: "httpapi".into(),
            account: "123456789012".into(),
            local_port: 3000,
            authorizer: None,
        }
    }

    fn post_detection() -> (HttpRequest, RouteMatch) {
        let mut routes = Routes::default();
        routes.add(
            "POST",
            "/radars/{radar_id}/detections",
            target("record-detection"),
        );
        let request = HttpRequest {
            method: "POST".into(),
            path: "/radars/r%2D1/detections".into(),
            query: "a=1&a=2&b=x%20y&flag".into(),
            headers: vec![
                ("host".into(), "127.0.0.1:3000".into()),
                ("content-type".into(), "application/json".into()),
                ("x-multi".into(), "one".into()),
                ("x-multi".into(), "two".into()),
                ("cookie".into(), "a=1; b=2".into()),
                ("user-agent".into(), "curl/8".into()),
            ],
            body: br#"{"plate":"AB123CD"}"#.to_vec(),
            source_ip: "127.0.0.1".into(),
        };
        let matched = routes.find("POST", &request.path).unwrap();
        (request, matched)
    }

    #[test]
    fn the_request_event_is_payload_format_2() {
        let (request, matched) = post_detection();
        let event = request_event(&request, &matched, &meta());
        assert_eq!(event["version"], "2.0");
        assert_eq!(event["routeKey"], "POST /radars/{radar_id}/detections");
        assert_eq!(event["rawPath"], "/radars/r%2D1/detections");
        assert_eq!(event["rawQueryString"], "a=1&a=2&b=x%20y&flag");
        assert_eq!(
            event["queryStringParameters"],
            json!({"a": "1,2", "b": "x y", "flag": ""})
        );
        assert_eq!(event["pathParameters"], json!({"radar_id": "r-1"}));
        assert_eq!(event["headers"]["x-multi"], "one,two");
        assert_eq!(event["headers"]["content-type"], "application/json");
        assert_eq!(event["headers"]["x-forwarded-port"], "3000");
        assert!(event["headers"].get("cookie").is_none());
        assert_eq!(event["cookies"], json!(["a=1", "b=2"]));
        assert_eq!(event["body"], r#"{"plate":"AB123CD"}"#);
        assert_eq!(event["isBase64Encoded"], false);
        let ctx = &event["requestContext"];
        assert_eq!(ctx["http"]["method"], "POST");
        assert_eq!(ctx["http"]["sourceIp"], "127.0.0.1");
        assert_eq!(ctx["http"]["userAgent"], "curl/8");
        assert_eq!(ctx["stage"], "$default");
        assert_eq!(ctx["requestId"], "req-1");
        assert_eq!(ctx["domainName"], "127.0.0.1:3000");
        assert_eq!(ctx["time"], "22/Nov/2026:10:15:00 +0000");
        assert_eq!(ctx["timeEpoch"], 1795342500123_i64);
    }

    #[test]
    fn lambda_http_reads_the_request_event() {
        use lambda_http::RequestExt;
        let (request, matched) = post_detection();
        let event = request_event(&request, &matched, &meta());
        let parsed: lambda_http::request::LambdaRequest =
            serde_json::from_value(event).expect("lambda_http reads it");
        let http: lambda_http::Request = parsed.into();
        assert_eq!(http.method(), "POST");
        assert_eq!(http.uri().path(), "/radars/r%2D1/detections");
        assert_eq!(http.path_parameters().first("radar_id"), Some("r-1"));
        assert_eq!(
            http.query_string_parameters().all("a"),
            Some(vec!["1", "2"])
        );
        assert_eq!(http.headers()["content-type"], "application/json");
        match http.body() {
            lambda_http::Body::Text(text) => assert_eq!(text, r#"{"plate":"AB123CD"}"#),
            other => panic!("body {other:?}"),
        }
    }

    #[test]
    fn the_authorizer_claims_reach_the_function_as_api_gateway_sends_them() {
        use lambda_http::request::RequestContext;
        use lambda_http::RequestExt;
        let (request, matched) = post_detection();
        let claims = json!({"sub": "s-1", "exp": 1700000000, "cognito:groups": ["radar"],
            "custom:subject_id": "r-1"});
        let mut meta = meta();
        meta.authorizer = Some(JwtContext {
            claims: auth::flatten_claims(claims.as_object().unwrap()),
            scopes: None,
        });
        let event = request_event(&request, &matched, &meta);
        let jwt = &event["requestContext"]["authorizer"]["jwt"];
        assert_eq!(jwt["claims"]["exp"], "1700000000");
        assert_eq!(jwt["claims"]["cognito:groups"], "[radar]");
        assert!(jwt["scopes"].is_null() && jwt.get("scopes").is_some());
        assert_eq!(event["routeKey"], "POST /radars/{radar_id}/detections");

        // As aws_lambda_events and lambda_http read it.
        let v2: aws_lambda_events::apigw::ApiGatewayV2httpRequest =
            serde_json::from_value(event.clone()).expect("an ApiGatewayV2httpRequest");
        let described = v2.request_context.authorizer.unwrap().jwt.unwrap();
        assert_eq!(described.claims["custom:subject_id"], "r-1");
        assert_eq!(described.scopes, None);
        let parsed: lambda_http::request::LambdaRequest =
            serde_json::from_value(event).expect("lambda_http reads it");
        let http: lambda_http::Request = parsed.into();
        let Some(RequestContext::ApiGatewayV2(context)) = http.request_context_ref() else {
            panic!("an API Gateway v2 context");
        };
        let jwt = context.authorizer.as_ref().unwrap().jwt.as_ref().unwrap();
        assert_eq!(jwt.claims["cognito:groups"], "[radar]");
        assert_eq!(jwt.claims["sub"], "s-1");
    }

    #[test]
    fn binary_bodies_are_base64_and_empty_bodies_absent() {
        let (mut request, matched) = post_detection();
        request.body = vec![0xff, 0x00, 0x10];
        let event = request_event(&request, &matched, &meta());
        assert_eq!(event["isBase64Encoded"], true);
        assert_eq!(event["body"], "/wAQ");
        request.body.clear();
        request.query.clear();
        let event = request_event(&request, &matched, &meta());
        assert!(event.get("body").is_none());
        assert!(event.get("queryStringParameters").is_none());
    }

    #[test]
    fn structured_responses_map_status_headers_cookies_and_body() {
        let payload = json!({
            "statusCode": 201,
            "headers": {"content-type": "application/json", "location": "/radars/1", "x-both": "single"},
            "multiValueHeaders": {"x-both": ["one", "two"]},
            "cookies": ["s=1; Path=/"],
            "body": "{\"radar_id\":\"1\"}",
            "isBase64Encoded": false
        });
        let response = response_of(&Invocation::Ok(payload.to_string().into_bytes()));
        assert_eq!(response.status, 201);
        assert_eq!(response.header("location"), Some("/radars/1"));
        assert_eq!(response.header("set-cookie"), Some("s=1; Path=/"));
        let both: Vec<&str> = response
            .headers
            .iter()
            .filter(|(n, _)| n == "x-both")
            .map(|(_, v)| v.as_str())
            .collect();
        assert_eq!(both, ["one", "two"]);
        assert_eq!(response.body, br#"{"radar_id":"1"}"#);
    }

    #[test]
    fn lambda_http_responses_map_back() {
        use lambda_http::aws_lambda_events::apigw::ApiGatewayV2httpResponse;
        use lambda_http::http::HeaderMap;
        // What lambda_http answers to a payload format 2.0 request (LambdaResponse).
        let mut headers = HeaderMap::new();
        headers.insert("content-type", "application/json".parse().unwrap());
        headers.insert("etag", "\"3\"".parse().unwrap());
        let mut v2 = ApiGatewayV2httpResponse::default();
        v2.status_code = 412;
        v2.headers = headers;
        v2.cookies = vec!["s=1".into()];
        v2.body = Some(lambda_http::Body::Text("{\"error\":{}}".into()));
        let mapped = response_of(&Invocation::Ok(serde_json::to_vec(&v2).unwrap()));
        assert_eq!(mapped.status, 412);
        assert_eq!(mapped.header("etag"), Some("\"3\""));
        assert_eq!(mapped.header("content-type"), Some("application/json"));
        assert_eq!(mapped.header("set-cookie"), Some("s=1"));
        assert_eq!(mapped.body, b"{\"error\":{}}");
    }

    #[test]
    fn unstructured_base64_and_failed_responses() {
        let plain = response_of(&Invocation::Ok(br#"{"hello":"world"}"#.to_vec()));
        assert_eq!(plain.status, 200);
        assert_eq!(plain.header("content-type"), Some("application/json"));
        assert_eq!(plain.body, br#"{"hello":"world"}"#);

        let binary = response_of(&Invocation::Ok(
            json!({"statusCode": 200, "body": "/wAQ", "isBase64Encoded": true})
                .to_string()
                .into_bytes(),
        ));
        assert_eq!(binary.body, vec![0xff, 0x00, 0x10]);

        let error = response_of(&Invocation::FunctionError("boom".into()));
        assert_eq!(error.status, 500);
        assert_eq!(error.body, br#"{"message":"Internal Server Error"}"#);
        assert_eq!(response_of(&Invocation::Timeout).status, 503);
        assert_eq!(
            response_of(&Invocation::Unreachable("x".into())).status,
            500
        );
        assert_eq!(
            response_of(&Invocation::Ok(b"not json".to_vec())).status,
            500
        );
    }

    #[test]
    fn percent_decoding_keeps_invalid_escapes() {
        assert_eq!(percent_decode("a%20b"), "a b");
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("%zz+"), "%zz+");
        assert_eq!(percent_decode("%C3%A9"), "é");
    }
}
