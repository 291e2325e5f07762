//! Routing, the request event, and responses mapped back.

use std::collections::BTreeMap;
use std::time::Duration;

use serde_json::json;

use super::*;
use crate::auth::{self, JwtContext};

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
