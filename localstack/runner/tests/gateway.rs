//! The gateway as a server: a real HTTP request in, the function's response out.

mod common;

use std::time::Duration;

use common::{real_template, RecordingInvoker};
use local_cloud::gateway::{self, Gateway};
use local_cloud::invoke::Invocation;
use local_cloud::template::{Stack, StackContext};
use serde_json::json;
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

#[tokio::test]
async fn the_gateway_invokes_the_routed_function_and_maps_its_response() {
    let stack =
        Stack::from_template(&real_template(), StackContext::local("http://127.0.0.1:1")).unwrap();
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
    let gateway = Gateway::new(&stack, invoker.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let (stop, mut shutdown) = watch::channel(false);
    let server = tokio::spawn(gateway::serve(listener, gateway, async move {
        let _ = shutdown.wait_for(|s| *s).await;
    }));

    let body = r#"{"plate":"AB-123-CD","speed_kmh":120}"#;
    let response = http(
        port,
        &format!(
            "POST /radars/r-1/detections?source=test HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nX-Correlation-Id: c-1\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
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

    let error = http(
        port,
        "GET /radars HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
    )
    .await;
    assert!(error.starts_with("HTTP/1.1 500"), "{error}");
    assert!(
        error.ends_with(r#"{"message":"Internal Server Error"}"#),
        "{error}"
    );

    let timeout = http(
        port,
        "GET /events HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
    )
    .await;
    assert!(timeout.starts_with("HTTP/1.1 503"), "{timeout}");

    let unknown = http(
        port,
        "DELETE /nowhere HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
    )
    .await;
    assert!(unknown.starts_with("HTTP/1.1 404"), "{unknown}");
    let (function, event) = invoker.calls().last().cloned().unwrap();
    assert_eq!(function, "route-not-found");
    assert_eq!(event["routeKey"], "$default");

    stop.send(true).unwrap();
    server.await.unwrap().unwrap();
}
