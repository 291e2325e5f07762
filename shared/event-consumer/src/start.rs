//! A consumer function's whole `main`, one line: [`main!`](crate::main) builds the handler's
//! context once per cold start ([`FromEnv`], given the binary's name as the `source` of the
//! events it appends) and runs the handler on every SQS envelope, stream batch or schedule.

use aws_setup::SdkConfig;
use es_core::{CommandContext, EventEnvelope};
use event_store::CommandHandler;
use lambda_runtime::{service_fn, LambdaEvent};
use std::future::Future;

use crate::{BoxError, BoxFuture};

/// What a consumer's handler keeps between invocations, built from the Lambda environment
/// once per cold start. `source` is the function's name (its binary's).
pub trait FromEnv: Sized {
    fn from_env(source: &'static str, config: &SdkConfig) -> Result<Self, BoxError>;
}

/// A saga step's or a policy's context: the command handler on `EVENTS_TABLE`, and the
/// function's name, the `source` of the events it appends. It derefs to the command handler.
#[derive(Debug, Clone)]
pub struct Step {
    commands: CommandHandler,
    source: &'static str,
}

impl Step {
    pub fn new(commands: CommandHandler, source: &'static str) -> Self {
        Self { commands, source }
    }

    pub fn source(&self) -> &'static str {
        self.source
    }

    /// The context of the commands `envelope` causes: its correlation, this step's source.
    pub fn caused_by(&self, envelope: &EventEnvelope) -> CommandContext {
        CommandContext::caused_by(self.source, envelope)
    }
}

impl std::ops::Deref for Step {
    type Target = CommandHandler;

    fn deref(&self) -> &CommandHandler {
        &self.commands
    }
}

impl FromEnv for Step {
    fn from_env(source: &'static str, config: &SdkConfig) -> Result<Self, BoxError> {
        let tables = event_store::Tables::from_env().map_err(|e| format!("EVENTS_TABLE: {e}"))?;
        let client = aws_sdk_dynamodb::Client::new(config);
        let store = event_store::EventStore::new(client, tables);
        Ok(Self::new(CommandHandler::new(store), source))
    }
}

/// Runs a scheduled Lambda (an EventBridge schedule's event, whatever its content): the
/// handler's answer is the invocation's result.
pub async fn run_scheduled<H, Fut, T, E>(handler: H) -> Result<(), lambda_runtime::Error>
where
    H: Fn(serde_json::Value) -> Fut,
    Fut: Future<Output = Result<T, E>>,
    T: serde::Serialize,
    E: Into<BoxError>,
{
    let handler = &handler;
    // Boxed, as in `run_sqs_consumer`: the runtime's service stack around the handler's own
    // futures otherwise overflows the compiler's query depth in `main`.
    let service = service_fn(
        move |event: LambdaEvent<serde_json::Value>| -> BoxFuture<'_, _> {
            Box::pin(async move {
                let answer = handler(event.payload).await.map_err(Into::into)?;
                Ok::<_, BoxError>(serde_json::to_value(answer)?)
            })
        },
    );
    Box::pin(lambda_runtime::run(service)).await
}

/// `main` of a consumer function, its handler built on a [`FromEnv`] context:
///
/// - `event_consumer::main!(path::to::handler)`: an SQS consumer, the handler an
///   `async fn(&C, &EventEnvelope) -> Result<T, E>` ([`run_sqs_consumer`](crate::run_sqs_consumer));
/// - `event_consumer::main!(stream: path::to::handler)`: on the event table's stream, an
///   `async fn(&C, Vec<StreamRecord>) -> Option<String>` ([`run_stream_consumer`](crate::run_stream_consumer));
/// - `event_consumer::main!(schedule: path::to::handler)`: on a schedule, an
///   `async fn(&C, serde_json::Value) -> Result<T, E>` ([`run_scheduled`]).
///
/// The context's `source` is the binary's name (`CARGO_BIN_NAME`, fixed at build time: the
/// deployed function's name is the stack's, and its executable `bootstrap`).
#[macro_export]
macro_rules! main {
    (@run $run:ident, |$context:ident, $input:ident| $call:expr) => {
        fn main() -> ::core::result::Result<(), $crate::lambda_runtime::Error> {
            $crate::block_on(async {
                $crate::init_tracing();
                let config = $crate::sdk_config().await;
                let context = match $crate::FromEnv::from_env(::core::env!("CARGO_BIN_NAME"), &config) {
                    ::core::result::Result::Ok(context) => context,
                    ::core::result::Result::Err(error) => return ::core::result::Result::Err(error),
                };
                let $context = &context;
                $crate::$run(move |$input| async move { $call }).await
            })
        }
    };
    (stream: $handler:path) => {
        $crate::main!(@run run_stream_consumer, |context, records| $handler(context, records).await);
    };
    (schedule: $handler:path) => {
        $crate::main!(@run run_scheduled, |context, event| $handler(context, event).await);
    };
    ($handler:path) => {
        $crate::main!(@run run_sqs_consumer, |context, envelope| $handler(context, &envelope).await.map(drop));
    };
}
