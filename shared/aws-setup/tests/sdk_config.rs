//! `sdk_config` as a function builds it: from the environment, against a plain-http endpoint.
//! (Its own test binary: it sets the process's environment.)

use aws_credential_types::provider::ProvideCredentials;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// A stand-in for DynamoDB answering every request with an empty `ListTables`.
async fn dynamodb_stub() -> u16 {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let mut request = vec![0u8; 16 * 1024];
            let _ = stream.read(&mut request).await;
            let body = r#"{"TableNames":[]}"#;
            let response = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: application/x-amz-json-1.0\r\n\
                 content-length: {}\r\n\r\n{body}",
                body.len()
            );
            let _ = stream.write_all(response.as_bytes()).await;
        }
    });
    port
}

#[tokio::test]
async fn a_client_from_sdk_config_calls_an_http_endpoint() {
    let port = dynamodb_stub().await;
    for (name, value) in [
        ("AWS_REGION", "eu-west-1".to_string()),
        ("AWS_ACCESS_KEY_ID", "test".into()),
        ("AWS_SECRET_ACCESS_KEY", "test".into()),
        ("AWS_ENDPOINT_URL", format!("http://127.0.0.1:{port}")),
    ] {
        std::env::set_var(name, value);
    }
    let config = aws_setup::sdk_config().await;
    assert_eq!(config.region().map(|r| r.as_ref()), Some("eu-west-1"));
    // The environment's credentials, without the rest of the default chain.
    let credentials = config.credentials_provider().unwrap();
    let credentials = credentials.provide_credentials().await.unwrap();
    assert_eq!(credentials.access_key_id(), "test");
    let client = aws_sdk_dynamodb::Client::new(&config);
    let tables = client.list_tables().send().await.unwrap();
    assert!(tables.table_names().is_empty());
}
