//! SDK clients for the emulator (moto) and the Lambda endpoint (`cargo lambda watch`).

use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_credential_types::Credentials;

/// The credentials every local client and function uses (moto accepts any).
pub const ACCESS_KEY_ID: &str = "test";
pub const SECRET_ACCESS_KEY: &str = "test";

/// An SDK configuration aimed at `endpoint`, in `region`, with the local credentials.
///
/// Every request to moto is short (it serves one at a time, see `moto_serial.py`): a generous
/// per-attempt timeout catches a wedged server instead of hanging a poller forever.
pub fn sdk_config(endpoint: &str, region: &str) -> SdkConfig {
    SdkConfig::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new(region.to_string()))
        .credentials_provider(
            aws_credential_types::provider::SharedCredentialsProvider::new(Credentials::new(
                ACCESS_KEY_ID,
                SECRET_ACCESS_KEY,
                None,
                None,
                "local-cloud",
            )),
        )
        .endpoint_url(endpoint)
        .timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(Duration::from_secs(5))
                .operation_attempt_timeout(Duration::from_secs(30))
                .build(),
        )
        .retry_config(RetryConfig::standard().with_max_attempts(3))
        .build()
}

/// The clients of the emulated services.
#[derive(Clone, Debug)]
pub struct Clients {
    pub endpoint: String,
    pub dynamodb: aws_sdk_dynamodb::Client,
    pub streams: aws_sdk_dynamodbstreams::Client,
    pub sqs: aws_sdk_sqs::Client,
    pub events: aws_sdk_eventbridge::Client,
}

impl Clients {
    pub fn new(endpoint: &str, region: &str) -> Self {
        let config = sdk_config(endpoint, region);
        Self {
            endpoint: endpoint.trim_end_matches('/').to_string(),
            dynamodb: aws_sdk_dynamodb::Client::new(&config),
            streams: aws_sdk_dynamodbstreams::Client::new(&config),
            sqs: aws_sdk_sqs::Client::new(&config),
            events: aws_sdk_eventbridge::Client::new(&config),
        }
    }
}

/// The full text of an SDK error, sources included (the `Display` of an `SdkError` alone is
/// "service error").
pub fn error_text(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
