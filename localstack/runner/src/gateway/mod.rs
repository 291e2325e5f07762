//! The HTTP API: routes from the functions' `HttpApi` events, requests as API Gateway payload
//! format 2.0 events, function responses back to HTTP, as an API Gateway HTTP API does it.
//!
//! - Routing: the route whose path matches most specifically wins, segment by segment (a
//!   literal beats `{param}`, which beats `{proxy+}`), an exact method beats `ANY`; a request
//!   that matches no route goes to `$default` (or gets 404 `{"message":"Not Found"}` when the
//!   template has none).
//! - A function error, a crash or an unreachable function: 500
//!   `{"message":"Internal Server Error"}`; no answer in time: 503
//!   `{"message":"Service Unavailable"}`; a body over 10 MiB: 413.
//! - Authorization: a route behind a JWT authorizer (the API's default authorizer unless the
//!   route says `Authorizer: NONE`) is served only with a token that passes it ([`auth`]); the
//!   token's claims reach the function in `requestContext.authorizer.jwt`.
//! - `GET /_local/metrics` is the local cloud's own ([`crate::local_metrics`]): no token, no
//!   route of the template.
//!
//! The module by job: [`routing`] (routes and path parameters), [`payload`] (the payload
//! format 2.0 event, as `aws_lambda_events` types), [`response`] (the function's answer as
//! HTTP), [`authorize`] (the JWT authorizer glue), [`server`] (axum) and, here, the
//! [`Gateway`] that serves one request.

mod authorize;
mod payload;
mod response;
mod routing;
mod server;

use std::sync::Arc;
use std::time::Instant;

use crate::devkey::DevKey;
use crate::invoke::{client_timeout, Invocation, Invoker};
use crate::local_metrics::{LocalMetrics, METRICS_PATH};
use crate::template::Stack;

pub use payload::{header, request_event, request_payload, HttpRequest, RequestMeta};
pub use response::{response_of, HttpResponse};
pub use routing::{percent_decode, RouteMatch, Routes, Target};
pub use server::serve;

/// API Gateway's payload limit.
pub const MAX_BODY_BYTES: usize = 10 * 1024 * 1024;

/// The gateway: routes and the invoker.
pub struct Gateway {
    pub routes: Routes,
    pub invoker: Arc<dyn Invoker>,
    pub api_id: String,
    pub account: String,
    /// The key the JWT authorizer verifies with; `None`: the development key at its usual place
    /// ([`DevKey::shared`]), made on the first request that needs it.
    pub key: Option<Arc<DevKey>>,
    /// What `GET /_local/metrics` serves (nothing followed: empty).
    pub metrics: Arc<LocalMetrics>,
}

impl Gateway {
    pub fn new(stack: &Stack, invoker: Arc<dyn Invoker>) -> Self {
        Self {
            routes: Routes::from_stack(stack),
            invoker,
            api_id: "httpapi".into(),
            account: stack.context.account.clone(),
            key: None,
            metrics: Arc::default(),
        }
    }

    /// The same gateway, serving `metrics` at [`METRICS_PATH`].
    pub fn with_metrics(mut self, metrics: Arc<LocalMetrics>) -> Self {
        self.metrics = metrics;
        self
    }

    /// The same gateway, verifying tokens with `key`.
    pub fn with_key(mut self, key: Arc<DevKey>) -> Self {
        self.key = Some(key);
        self
    }

    /// Serves one request: route, invoke, map back, log one line.
    pub async fn handle(&self, request: HttpRequest, local_port: u16) -> HttpResponse {
        let started = Instant::now();
        if request.path == METRICS_PATH {
            // The local cloud's own path, before the routes (their `$default` would refuse it).
            return self.metrics.answer(&request.method);
        }
        let mut meta = RequestMeta {
            request_id: uuid::Uuid::new_v4().to_string(),
            time: chrono::Utc::now(),
            api_id: self.api_id.clone(),
            account: self.account.clone(),
            local_port,
            authorizer: None,
        };
        let (mut response, function) = match self.routes.find(&request.method, &request.path) {
            None => (HttpResponse::message(404, "Not Found"), "-".to_string()),
            Some(matched) => 'route: {
                if let Some(auth) = &matched.auth {
                    match self.authorize(&request, auth) {
                        Ok(context) => meta.authorizer = Some(context),
                        Err((refusal, why)) => {
                            let function =
                                format!("{} (not invoked: {why})", matched.target.function);
                            break 'route (refusal, function);
                        }
                    }
                }
                let event = request_event(&request, &matched, &meta);
                let invocation = self
                    .invoker
                    .invoke(
                        &matched.target.function,
                        event.to_string().into_bytes(),
                        client_timeout(matched.target.timeout),
                    )
                    .await;
                match &invocation {
                    Invocation::FunctionError(e) => {
                        tracing::warn!(function = %matched.target.function, "function error: {e}")
                    }
                    Invocation::Unreachable(e) => {
                        tracing::error!(function = %matched.target.function, "cannot invoke: {e}")
                    }
                    Invocation::Timeout => {
                        tracing::warn!(function = %matched.target.function, "timed out")
                    }
                    Invocation::Ok(_) => {}
                }
                (response_of(&invocation), matched.target.function)
            }
        };
        response
            .headers
            .push(("apigw-requestid".into(), meta.request_id.clone()));
        let query = if request.query.is_empty() {
            String::new()
        } else {
            format!("?{}", request.query)
        };
        tracing::info!(
            "HTTP {} {}{} -> {} {} ({} ms)",
            request.method,
            request.path,
            query,
            function,
            response.status,
            started.elapsed().as_millis()
        );
        response
    }
}

#[cfg(test)]
mod tests;
