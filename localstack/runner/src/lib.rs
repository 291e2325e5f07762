//! The embedded local cloud: runs `template.yaml` on a machine without Docker.
//!
//! - [`template`]: the template read as data, intrinsics resolved (the one source of truth).
//! - [`provision`]: tables, queues (+ DLQs), bus and rules created on moto, idempotently.
//! - [`invoke`]: the [`invoke::Invoker`] trait and its Lambda Invoke API implementation.
//! - [`gateway`]: the HTTP API (routes, payload format 2.0, responses).
//! - [`auth`]: API Gateway's JWT authorizer; [`devkey`]: the development signing key;
//!   [`token`]: the local tokens (`local-cloud token`).
//! - [`stream`]: the DynamoDB stream event source mapping (checkpoints in [`checkpoint`]).
//! - [`sqs`]: the SQS event source mappings.
//! - [`schedule`]: the functions' `Schedule` events, run on their rate (or `--schedule-every`).
//! - [`parameters`]: `--parameter KEY=VALUE`, template parameters given a value.
//! - [`cli`]: the command line of `local-cloud` (usage, options).
//! - [`services`]: gateway, pollers and schedules started together from a provisioned stack.
//! - [`wake`]: what wakes the pollers (they do not spin while nothing happens); [`warm`]: every
//!   function started before the API is announced.
//! - [`instances`]: the function binaries run directly against `cargo lambda watch
//!   --only-lambda-apis` (no `cargo run` per function).
//! - [`process`]: child processes (moto, `cargo lambda watch`) and ports.
//! - [`local_metrics`]: `GET /_local/metrics`, the functions' EMF lines read from their logs,
//!   served as Prometheus text ([`prometheus`]).

pub mod auth;
pub mod aws;
pub mod checkpoint;
pub mod cli;
pub mod devkey;
pub mod gateway;
pub mod instances;
pub mod invoke;
pub mod local_metrics;
pub mod parameters;
pub mod process;
pub mod prometheus;
pub mod provision;
pub mod schedule;
pub mod services;
pub mod sqs;
pub mod stream;
pub mod template;
pub mod token;
pub mod wake;
pub mod warm;

/// An error of the local cloud, with its context written out.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct Error(pub String);

impl Error {
    pub fn new(message: impl Into<String>) -> Self {
        Self(message.into())
    }
}

impl From<template::TemplateError> for Error {
    fn from(error: template::TemplateError) -> Self {
        Self(error.to_string())
    }
}

impl From<std::io::Error> for Error {
    fn from(error: std::io::Error) -> Self {
        Self(error.to_string())
    }
}

pub type Result<T> = std::result::Result<T, Error>;

/// `map_err(context("what"))`: the error, its sources, and what was being done.
pub fn context<E: std::error::Error + 'static>(what: impl Into<String>) -> impl FnOnce(E) -> Error {
    let what = what.into();
    move |error| Error(format!("{what}: {}", aws::error_text(&error)))
}
