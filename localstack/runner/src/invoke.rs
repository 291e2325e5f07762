//! Invoking a function: the [`Invoker`] trait (tests plug a recording one) and
//! [`LambdaInvoker`], which calls the Lambda Invoke API (`cargo lambda watch` locally).
//!
//! Why the SDK rather than a bare HTTP POST: the same client then works against any Invoke
//! endpoint (`cargo lambda watch`, LocalStack, AWS, which needs SigV4), and it reads both ways a
//! function error is reported: `X-Amz-Function-Error` on a 200 (AWS) and a non-200 answer with
//! `{errorType, errorMessage}` (`cargo lambda watch`). Its retries are switched off: an invoke
//! is attempted once, and the caller (gateway or poller) decides what a failure means. The
//! timeout is the caller's too (a function process of `cargo lambda watch` that exits is never
//! restarted, and calls to it hang).

use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_sdk_lambda::primitives::Blob;
use futures::future::BoxFuture;

/// How an invocation ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Invocation {
    /// The function returned: its response payload.
    Ok(Vec<u8>),
    /// The function failed: an error it returned, a panic, a crash.
    FunctionError(String),
    /// No answer within the timeout.
    Timeout,
    /// The Lambda endpoint could not be reached or did not know the function.
    Unreachable(String),
}

/// Something that runs a function on a payload.
pub trait Invoker: Send + Sync + 'static {
    fn invoke<'a>(
        &'a self,
        function: &'a str,
        payload: Vec<u8>,
        timeout: Duration,
    ) -> BoxFuture<'a, Invocation>;
}

/// The Lambda Invoke API (RequestResponse).
#[derive(Clone, Debug)]
pub struct LambdaInvoker {
    client: aws_sdk_lambda::Client,
}

impl LambdaInvoker {
    pub fn new(endpoint: &str, region: &str) -> Self {
        let config = crate::aws::sdk_config(endpoint, region);
        let config = aws_sdk_lambda::config::Builder::from(&config)
            .retry_config(RetryConfig::disabled())
            // The caller's timeout bounds the call; no attempt timeout of the SDK's own.
            .timeout_config(
                TimeoutConfig::builder()
                    .connect_timeout(Duration::from_secs(5))
                    .build(),
            )
            .build();
        Self {
            client: aws_sdk_lambda::Client::from_conf(config),
        }
    }

    async fn call(&self, function: &str, payload: Vec<u8>) -> Invocation {
        let result = self
            .client
            .invoke()
            .function_name(function)
            .payload(Blob::new(payload))
            .send()
            .await;
        match result {
            Ok(output) => {
                let body = output.payload.map(Blob::into_inner).unwrap_or_default();
                match output.function_error {
                    Some(kind) => Invocation::FunctionError(format!(
                        "{kind}: {}",
                        String::from_utf8_lossy(&body)
                    )),
                    None => Invocation::Ok(body),
                }
            }
            Err(error) => {
                if let Some(raw) = error.raw_response() {
                    let status = raw.status().as_u16();
                    let body = raw
                        .body()
                        .bytes()
                        .map(|b| String::from_utf8_lossy(b).into_owned())
                        .unwrap_or_default();
                    if status == 404 {
                        Invocation::Unreachable(format!("function {function} not found: {body}"))
                    } else {
                        Invocation::FunctionError(format!("HTTP {status}: {body}"))
                    }
                } else {
                    Invocation::Unreachable(crate::aws::error_text(&error))
                }
            }
        }
    }
}

impl Invoker for LambdaInvoker {
    fn invoke<'a>(
        &'a self,
        function: &'a str,
        payload: Vec<u8>,
        timeout: Duration,
    ) -> BoxFuture<'a, Invocation> {
        Box::pin(async move {
            match tokio::time::timeout(timeout, self.call(function, payload)).await {
                Ok(invocation) => invocation,
                Err(_) => Invocation::Timeout,
            }
        })
    }
}

/// How long a caller waits for a function whose configured timeout is `function_timeout`: the
/// timeout plus a margin for the local runtime (start-up of a cold function process).
pub fn client_timeout(function_timeout: Duration) -> Duration {
    function_timeout + Duration::from_secs(5)
}

/// `{"batchItemFailures": [{"itemIdentifier": "..."}]}` of a batch response: `None` when the
/// response reports no failure (no field, `null`, an empty list, or no JSON object at all, as
/// Lambda reads it), else the identifiers, where an unusable identifier is `None` (Lambda then
/// treats the whole batch as failed).
pub fn batch_item_failures(response: &[u8]) -> Option<Vec<Option<String>>> {
    let value: serde_json::Value = serde_json::from_slice(response).ok()?;
    let failures = value.get("batchItemFailures")?.as_array()?;
    if failures.is_empty() {
        return None;
    }
    Some(
        failures
            .iter()
            .map(|f| {
                f.get("itemIdentifier")
                    .and_then(serde_json::Value::as_str)
                    .filter(|id| !id.is_empty())
                    .map(String::from)
            })
            .collect(),
    )
}

/// A batch response that reports `ids` as failed, as a consumer writes it (for the pollers'
/// tests).
#[cfg(test)]
pub(crate) fn reporting_failures(ids: &[&str]) -> Invocation {
    let failures: Vec<serde_json::Value> = ids
        .iter()
        .map(|id| serde_json::json!({ "itemIdentifier": id }))
        .collect();
    Invocation::Ok(
        serde_json::json!({ "batchItemFailures": failures })
            .to_string()
            .into_bytes(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batch_item_failures_reads_the_identifiers() {
        assert_eq!(batch_item_failures(b""), None);
        assert_eq!(batch_item_failures(b"null"), None);
        assert_eq!(batch_item_failures(br#"{"batchItemFailures":[]}"#), None);
        assert_eq!(batch_item_failures(br#"{"batchItemFailures":null}"#), None);
        assert_eq!(
            batch_item_failures(
                br#"{"batchItemFailures":[{"itemIdentifier":"7"},{"itemIdentifier":""},{}]}"#
            ),
            Some(vec![Some("7".into()), None, None])
        );
    }
}
