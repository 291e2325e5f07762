//! What every function does before its first request, whatever triggers it (API Gateway, SQS,
//! the event table's stream, a schedule): logging set up, and the runtime its `main` runs on.
//! `http_api::main!` and the `event_consumer` mains call these, so all functions log alike.

use std::future::Future;

/// Logging for a function: JSON lines in Lambda (CloudWatch indexes the fields), plain text
/// on a terminal. The level comes from `AWS_LAMBDA_LOG_LEVEL` (Lambda's logging controls),
/// else `RUST_LOG`, else `info`. Calling it twice is harmless.
pub fn init_tracing() {
    use std::io::IsTerminal;
    use tracing_subscriber::EnvFilter;

    let filter = std::env::var("AWS_LAMBDA_LOG_LEVEL")
        .ok()
        .and_then(|level| EnvFilter::try_new(level.to_ascii_lowercase()).ok())
        .or_else(|| EnvFilter::try_from_default_env().ok())
        .unwrap_or_else(|| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false);
    let _already_set = if std::io::stdout().is_terminal() {
        builder.try_init()
    } else {
        builder
            .json()
            .with_current_span(false)
            .with_span_list(true)
            .try_init()
    };
}

/// Runs a function's `main` to completion on a multi-threaded runtime, as `#[tokio::main]`
/// would: the mains that macros write cannot count on the binary naming `tokio` itself.
pub fn block_on<F: Future>(main: F) -> F::Output {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a Tokio runtime for the function")
        .block_on(main)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn init_tracing_twice_is_harmless() {
        init_tracing();
        init_tracing();
    }

    #[test]
    fn block_on_runs_the_main_to_its_end() {
        assert_eq!(block_on(async { 7 }), 7);
    }
}
