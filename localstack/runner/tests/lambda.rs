//! The Lambda Invoke API client against a live `cargo lambda watch` (opt-in: it needs the
//! workspace's binaries built and a watch running):
//!
//!   LOCAL_CLOUD_LAMBDA_ENDPOINT=http://127.0.0.1:9000 cargo test -p local-cloud --test lambda -- --ignored

use std::time::Duration;

use local_cloud::invoke::{Invocation, Invoker, LambdaInvoker};

fn invoker() -> LambdaInvoker {
    let endpoint = std::env::var("LOCAL_CLOUD_LAMBDA_ENDPOINT")
        .expect("LOCAL_CLOUD_LAMBDA_ENDPOINT: the address of a running cargo lambda watch");
    LambdaInvoker::new(&endpoint, "us-east-1")
}

#[tokio::test]
#[ignore = "needs a running cargo lambda watch (LOCAL_CLOUD_LAMBDA_ENDPOINT)"]
async fn invocations_of_a_live_watch_report_results_errors_and_unknown_functions() {
    let invoker = invoker();
    let timeout = Duration::from_secs(60);

    // A stream consumer given an empty batch succeeds.
    let ok = invoker
        .invoke("publish-events", br#"{"Records":[]}"#.to_vec(), timeout)
        .await;
    assert!(matches!(ok, Invocation::Ok(_)), "{ok:?}");

    // A payload the function cannot read is a function error (HTTP 500 from the watch).
    let error = invoker
        .invoke(
            "publish-events",
            br#"{"Records":"not a list"}"#.to_vec(),
            timeout,
        )
        .await;
    assert!(matches!(error, Invocation::FunctionError(_)), "{error:?}");

    // A function that is no binary of the workspace.
    let unknown = invoker
        .invoke("no-such-function", b"{}".to_vec(), timeout)
        .await;
    assert!(matches!(unknown, Invocation::Unreachable(_)), "{unknown:?}");

    // No answer in time.
    let slow = invoker
        .invoke(
            "publish-events",
            br#"{"Records":[]}"#.to_vec(),
            Duration::from_millis(1),
        )
        .await;
    assert_eq!(slow, Invocation::Timeout);
}
