//! The gateway as a server: a real HTTP request in, the function's response out.

mod common;

use std::sync::Arc;
use std::time::Duration;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use common::{real_template, RecordingInvoker, ISSUER};
use local_cloud::devkey::DevKey;
use local_cloud::gateway::{self, Gateway};
use local_cloud::invoke::Invocation;
use local_cloud::template::{Stack, StackContext, Template};
use local_cloud::token::{self, LocalPool, TokenRequest};
use serde_json::{json, Map, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::watch;

async fn http(port: u16, request: &str) -> String {
    let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .unwrap();
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut response = String::new();
    tokio::time::timeout(
        Duration::from_secs(10),
        stream.read_to_string(&mut response),
    )
    .await
    .expect("an answer")
    .unwrap();
    response
}

/// The gateway of `stack` on a free port, until the sender says stop.
async fn start(
    gateway: Gateway,
) -> (
    u16,
    watch::Sender<bool>,
    tokio::task::JoinHandle<std::io::Result<()>>,
) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let (stop, mut shutdown) = watch::channel(false);
    let server = tokio::spawn(gateway::serve(listener, gateway, async move {
        let _ = shutdown.wait_for(|s| *s).await;
    }));
    (port, stop, server)
}

#[tokio::test]
async fn the_gateway_invokes_the_routed_function_and_maps_its_response() {
    let template = real_template();
    let stack = Stack::from_template(&template, StackContext::local("http://127.0.0.1:1")).unwrap();
    let key = common::dev_key("gateway-routes");
    let operator = common::token_for(&template, &key, "operator", None);
    let radar = common::token_for(&template, &key, "radar", Some("r-1"));
    let invoker = RecordingInvoker::new(|function, _, _| match function {
        "record-detection" => Invocation::Ok(
            json!({
                "statusCode": 202,
                "headers": {"content-type": "application/json", "x-correlation-id": "c-1"},
                "body": "{\"detection_id\":\"d-1\"}",
                "isBase64Encoded": false,
                "cookies": []
            })
            .to_string()
            .into_bytes(),
        ),
        "list-radars" => Invocation::FunctionError("panicked".into()),
        "route-not-found" => Invocation::Ok(
            json!({"statusCode": 404, "headers": {}, "body": "{\"error\":{}}"})
                .to_string()
                .into_bytes(),
        ),
        _ => Invocation::Timeout,
    });
    let (port, stop, server) = start(Gateway::new(&stack, invoker.clone()).with_key(key)).await;

    let body = r#"{"plate":"AB-123-CD","speed_kmh":120}"#;
    let response = http(
        port,
        &format!(
            "POST /radars/r-1/detections?source=test HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer {radar}\r\nContent-Type: application/json\r\nX-Correlation-Id: c-1\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        ),
    )
    .await;
    assert!(response.starts_with("HTTP/1.1 202"), "{response}");
    assert!(response.contains("x-correlation-id: c-1"), "{response}");
    assert!(response.contains("apigw-requestid: "), "{response}");
    assert!(
        response.ends_with(r#"{"detection_id":"d-1"}"#),
        "{response}"
    );

    let (function, event) = invoker.calls()[0].clone();
    assert_eq!(function, "record-detection");
    assert_eq!(event["routeKey"], "POST /radars/{radar_id}/detections");
    assert_eq!(event["pathParameters"]["radar_id"], "r-1");
    assert_eq!(event["queryStringParameters"]["source"], "test");
    assert_eq!(event["headers"]["x-correlation-id"], "c-1");
    assert_eq!(event["body"], body);
    assert_eq!(event["requestContext"]["http"]["sourceIp"], "127.0.0.1");
    let claims = &event["requestContext"]["authorizer"]["jwt"]["claims"];
    assert_eq!(claims["custom:subject_id"], "r-1");
    assert_eq!(claims["cognito:groups"], "[radar]");

    let error = http(
        port,
        &format!("GET /radars HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer {operator}\r\nConnection: close\r\n\r\n"),
    )
    .await;
    assert!(error.starts_with("HTTP/1.1 500"), "{error}");
    assert!(
        error.ends_with(r#"{"message":"Internal Server Error"}"#),
        "{error}"
    );

    let timeout = http(
        port,
        &format!("GET /events HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer {operator}\r\nConnection: close\r\n\r\n"),
    )
    .await;
    assert!(timeout.starts_with("HTTP/1.1 503"), "{timeout}");

    let unknown = http(
        port,
        &format!("DELETE /nowhere HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer {operator}\r\nConnection: close\r\n\r\n"),
    )
    .await;
    assert!(unknown.starts_with("HTTP/1.1 404"), "{unknown}");
    let (function, event) = invoker.calls().last().cloned().unwrap();
    assert_eq!(function, "route-not-found");
    assert_eq!(event["routeKey"], "$default");

    stop.send(true).unwrap();
    server.await.unwrap().unwrap();
}

/// A response: status, headers (names in lower case), body.
struct Answer {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Answer {
    fn header(&self, name: &str) -> Option<&str> {
        gateway::header(&self.headers, name)
    }

    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.body))
    }
}

async fn call(port: u16, method: &str, path: &str, headers: &[(&str, &str)]) -> Answer {
    let mut request =
        format!("{method} {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n");
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("Content-Length: 0\r\n\r\n");
    let raw = http(port, &request).await;
    let (head, body) = raw.split_once("\r\n\r\n").expect("a head and a body");
    let mut lines = head.lines();
    let status = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers = lines
        .filter_map(|line| line.split_once(": "))
        .map(|(n, v)| (n.to_ascii_lowercase(), v.to_string()))
        .collect();
    Answer {
        status,
        headers,
        body: body.to_string(),
    }
}

fn bearer(token: &str) -> String {
    format!("Bearer {token}")
}

/// The token with its claims changed, its header and signature kept.
fn tampered(token: &str, change: impl FnOnce(&mut Map<String, Value>)) -> String {
    let parts: Vec<&str> = token.split('.').collect();
    let mut claims: Map<String, Value> =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).unwrap()).unwrap();
    change(&mut claims);
    let payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&claims).unwrap());
    format!("{}.{payload}.{}", parts[0], parts[2])
}

/// A token with a header of our choosing, signed by `key` as that header says.
fn signed_as(
    header: jsonwebtoken::Header,
    claims: &Map<String, Value>,
    key: &jsonwebtoken::EncodingKey,
) -> String {
    jsonwebtoken::encode(&header, claims, key).unwrap()
}

/// `call` with `Authorization: Bearer <token>`.
async fn call_with_token(port: u16, method: &str, path: &str, token: &str) -> Answer {
    call(port, method, path, &[("Authorization", &bearer(token))]).await
}

/// The gateway of the authorizer fixture on a free port, its functions answering 200.
struct AuthServed {
    template: Template,
    stack: Stack,
    key: Arc<DevKey>,
    invoker: Arc<RecordingInvoker>,
    port: u16,
    stop: watch::Sender<bool>,
    server: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl AuthServed {
    /// Serves with a dev key made for `key_name`.
    async fn start(key_name: &str) -> Self {
        let template = common::auth_fixture();
        let stack =
            Stack::from_template(&template, StackContext::local("http://127.0.0.1:1")).unwrap();
        let key = common::dev_key(key_name);
        let invoker = RecordingInvoker::new(|_, _, _| ok_response());
        let (port, stop, server) =
            start(Gateway::new(&stack, invoker.clone()).with_key(key.clone())).await;
        Self {
            template,
            stack,
            key,
            invoker,
            port,
            stop,
            server,
        }
    }

    fn pool(&self) -> LocalPool {
        LocalPool::from_template(&self.template, &self.stack).unwrap()
    }

    async fn stop(self) {
        self.stop.send(true).unwrap();
        self.server.await.unwrap().unwrap();
    }
}

fn ok_response() -> Invocation {
    Invocation::Ok(
        json!({"statusCode": 200, "headers": {"content-type": "application/json"}, "body": "{}"})
            .to_string()
            .into_bytes(),
    )
}

#[tokio::test]
async fn the_jwt_authorizer_refuses_bad_tokens_and_never_invokes_the_function() {
    let served = AuthServed::start("authorizer-refuses").await;
    let (port, key, invoker) = (served.port, &served.key, &served.invoker);
    let pool = served.pool();
    let other = common::dev_key("authorizer-other-key");

    let now = token::now();
    let operator = TokenRequest::parse(&["operator".to_string()], 3600).unwrap();
    let claims = pool.id_token_claims(&operator, now);
    let with = |change: &dyn Fn(&mut Map<String, Value>)| {
        let mut claims = claims.clone();
        change(&mut claims);
        token::sign(&claims, key).unwrap()
    };
    let valid = token::sign(&claims, key).unwrap();

    // No token at all.
    let missing = call(port, "GET", "/radars", &[("X-Correlation-Id", "corr-1")]).await;
    assert_eq!(missing.status, 401, "{}", missing.body);
    assert_eq!(missing.header("www-authenticate"), Some("Bearer"));
    assert_eq!(missing.header("content-type"), Some("application/json"));
    assert_eq!(missing.header("x-correlation-id"), Some("corr-1"));
    let body = missing.json();
    assert_eq!(body["error"]["code"], "unauthenticated");
    assert!(body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("missing token"));
    assert_eq!(body["error"]["details"], json!([]));
    assert_eq!(body.as_object().unwrap().len(), 1);
    // A new correlation id when none was sent.
    let anonymous = call(port, "GET", "/radars", &[("Authorization", "Bearer")]).await;
    assert_eq!(anonymous.status, 401);
    assert!(uuid::Uuid::parse_str(anonymous.header("x-correlation-id").unwrap()).is_ok());

    let mut forged_kid = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::RS256);
    forged_kid.kid = Some(key.kid.clone());
    let mut hs256 = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256);
    hs256.kid = Some(key.kid.clone());
    let refused = [
        (
            "expired",
            with(&|c| {
                c.insert("exp".into(), json!(now - 60));
                c.insert("iat".into(), json!(now - 3660));
            }),
            "expired",
        ),
        (
            "another key",
            token::sign(&claims, &other).unwrap(),
            "bad signature",
        ),
        (
            "another key under our kid",
            signed_as(forged_kid, &claims, other.encoding_key()),
            "bad signature",
        ),
        (
            "HS256",
            signed_as(
                hs256,
                &claims,
                &jsonwebtoken::EncodingKey::from_secret(b"secret").unwrap(),
            ),
            "RS256",
        ),
        (
            "tampered",
            tampered(&valid, |c| {
                c.insert("cognito:groups".into(), json!(["operator", "auditor"]));
            }),
            "bad signature",
        ),
        (
            "wrong issuer",
            with(&|c| {
                c.insert(
                    "iss".into(),
                    json!("https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Other"),
                );
            }),
            "wrong issuer",
        ),
        (
            "wrong audience",
            with(&|c| {
                c.insert("aud".into(), json!("someoneelse"));
            }),
            "wrong audience",
        ),
        (
            "no audience",
            with(&|c| {
                c.remove("aud");
            }),
            "wrong audience",
        ),
        (
            "not yet valid",
            with(&|c| {
                c.insert("nbf".into(), json!(now + 600));
            }),
            "not valid yet",
        ),
        (
            "issued in the future",
            with(&|c| {
                c.insert("iat".into(), json!(now + 600));
            }),
            "future",
        ),
        (
            "no exp",
            with(&|c| {
                c.remove("exp");
            }),
            "no exp",
        ),
        ("malformed", "not-a-jwt".to_string(), "malformed"),
        ("three garbage segments", "a.b.c".to_string(), "malformed"),
    ];
    for (case, token, message) in refused {
        let authorization = bearer(&token);
        let headers = [
            ("Authorization", &*authorization),
            ("X-Correlation-Id", case),
        ];
        let answer = call(port, "GET", "/radars", &headers).await;
        assert_eq!(answer.status, 401, "{case}: {}", answer.body);
        let challenge = answer.header("www-authenticate").unwrap_or_default();
        assert!(
            challenge.starts_with("Bearer error=\"invalid_token\""),
            "{case}: {challenge}"
        );
        assert_eq!(answer.header("x-correlation-id"), Some(case));
        let body = answer.json();
        assert_eq!(body["error"]["code"], "unauthenticated", "{case}");
        let text = body["error"]["message"].as_str().unwrap();
        assert!(text.contains(message), "{case}: {text}");
        assert_eq!(body["error"]["details"], json!([]));
    }
    // $default is behind the authorizer too.
    let fallback = call(port, "DELETE", "/nowhere", &[]).await;
    assert_eq!(fallback.status, 401);
    assert!(invoker.calls().is_empty(), "{:?}", invoker.calls());

    // The same claims, untouched, pass.
    let passed = call_with_token(port, "GET", "/radars", &valid).await;
    assert_eq!(passed.status, 200, "{}", passed.body);
    assert_eq!(invoker.calls().len(), 1);

    served.stop().await;
}

#[tokio::test]
async fn a_valid_token_reaches_the_function_with_its_claims_as_strings() {
    let served = AuthServed::start("authorizer-passes").await;
    let (port, key, invoker) = (served.port, &served.key, &served.invoker);
    let now = token::now();
    let radar = TokenRequest::parse(&["radar".to_string(), "r-7".to_string()], 3600).unwrap();
    let claims = served.pool().id_token_claims(&radar, now);
    let radar_token = token::sign(&claims, key).unwrap();

    // `Bearer <token>`, and the token alone (API Gateway takes both).
    for authorization in [bearer(&radar_token), radar_token.clone()] {
        let answer = call(port, "GET", "/radars", &[("Authorization", &authorization)]).await;
        assert_eq!(answer.status, 200, "{}", answer.body);
    }
    let calls = invoker.calls();
    assert_eq!(calls.len(), 2);
    let (function, event) = &calls[0];
    assert_eq!(function, "list-radars");
    assert_eq!(event["routeKey"], "GET /radars");
    let jwt = &event["requestContext"]["authorizer"]["jwt"];
    let expected = json!({
        "sub": claims["sub"],
        "iss": ISSUER,
        "aud": "localradarclient",
        "token_use": "id",
        "cognito:groups": "[radar]",
        "cognito:username": "radar-r-7",
        "custom:subject_id": "r-7",
        "auth_time": now.to_string(),
        "iat": now.to_string(),
        "exp": (now + 3600).to_string(),
        "jti": claims["jti"],
    });
    assert_eq!(jwt["claims"], expected);
    assert!(jwt["scopes"].is_null() && jwt.get("scopes").is_some());
    let v2: aws_lambda_events::apigw::ApiGatewayV2httpRequest =
        serde_json::from_value(event.clone()).expect("an ApiGatewayV2httpRequest");
    assert_eq!(
        v2.request_context.authorizer.unwrap().jwt.unwrap().claims["cognito:groups"],
        "[radar]"
    );

    // An access token names its client in client_id rather than aud.
    let mut access = claims.clone();
    access.remove("aud");
    access.insert("client_id".into(), json!("localpeopleclient"));
    access.insert("token_use".into(), json!("access"));
    access.insert("scope".into(), json!("radars/write openid"));
    let access = token::sign(&access, key).unwrap();
    let answer = call_with_token(port, "GET", "/radars", &access).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    let jwt = &invoker.calls()[2].1["requestContext"]["authorizer"]["jwt"];
    assert_eq!(jwt["scopes"], json!(["radars/write", "openid"]));

    // A route with scopes wants one of them: 403 without.
    let unscoped = call_with_token(port, "POST", "/scoped", &radar_token).await;
    assert_eq!(unscoped.status, 403, "{}", unscoped.body);
    assert_eq!(unscoped.json()["error"]["code"], "forbidden");
    assert!(unscoped
        .header("www-authenticate")
        .unwrap()
        .starts_with("Bearer"));
    let scoped = call_with_token(port, "POST", "/scoped", &access).await;
    assert_eq!(scoped.status, 200, "{}", scoped.body);
    assert_eq!(invoker.calls().last().unwrap().0, "scoped");

    served.stop().await;
}

#[tokio::test]
async fn a_route_with_authorizer_none_is_served_without_a_token() {
    let served = AuthServed::start("authorizer-public").await;
    let (port, invoker) = (served.port, &served.invoker);

    let answer = call(port, "GET", "/openapi.json", &[]).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    // A token, even a bad one, changes nothing on a public route.
    let answer = call_with_token(port, "GET", "/openapi.json", "nonsense").await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    let calls = invoker.calls();
    assert_eq!(calls.len(), 2);
    assert_eq!(calls[0].0, "openapi");
    assert!(calls[0].1["requestContext"].get("authorizer").is_none());
    // While its neighbour needs one.
    assert_eq!(call(port, "GET", "/radars", &[]).await.status, 401);

    served.stop().await;
}
