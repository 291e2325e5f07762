use lambda_http::{service_fn, Request, RequestExt};
use metrics::Metrics;
use std::convert::Infallible;
use std::future::Future;

use crate::authorize::forbidden;
use crate::idempotency::{Begin, Idempotency};
use crate::{ApiError, ApiRequest, ApiResponse, App};

/// `main` of an HTTP function: `http_api::main!(radar_functions::commands::install_radar);`
/// serves the handler, an `async fn(&App, ApiRequest) -> Result<ApiResponse, ApiError>`, under
/// the binary's name, which is the `source` of the events it causes (`CARGO_BIN_NAME`: fixed
/// at build time, where the deployed function's name is the stack's and the executable is
/// `bootstrap`).
#[macro_export]
macro_rules! main {
    ($handler:path) => {
        fn main() -> ::core::result::Result<(), $crate::lambda_http::Error> {
            $crate::run(::core::env!("CARGO_BIN_NAME"), |app, request| async move {
                $handler(&app, request).await
            })
        }
    };
}

/// [`serve`] to the end, on the runtime of every function: what [`main!`] expands to.
pub fn run<F, Fut>(source: &'static str, handler: F) -> Result<(), lambda_http::Error>
where
    F: Fn(App, ApiRequest) -> Fut + Clone + Send + Sync + 'static,
    Fut: Future<Output = Result<ApiResponse, ApiError>> + Send,
{
    aws_setup::block_on(serve(source, handler))
}

/// Runs an HTTP function: `source` names it in the events it causes.
pub async fn serve<F, Fut>(source: &'static str, handler: F) -> Result<(), lambda_http::Error>
where
    F: Fn(App, ApiRequest) -> Fut + Clone + Send + Sync + 'static,
    Fut: Future<Output = Result<ApiResponse, ApiError>> + Send,
{
    aws_setup::init_tracing();
    let app = App::from_env().await;
    let idempotency = Idempotency::from_env();
    lambda_http::run(service_fn(move |request: Request| {
        let (app, handler) = (app.clone(), handler.clone());
        let deadline = request.lambda_context_ref().map(|context| context.deadline);
        let idempotency = idempotency.for_invocation(deadline);
        async move {
            let request = ApiRequest::from_lambda(source, request);
            Ok::<_, Infallible>(respond_with(app, &idempotency, request, handler).await)
        }
    }))
    .await
}

/// [`respond_with`] with the idempotency settings of the environment.
#[cfg(test)]
pub(crate) async fn respond<F, Fut>(
    app: App,
    request: ApiRequest,
    handler: F,
) -> lambda_http::Response<lambda_http::Body>
where
    F: Fn(App, ApiRequest) -> Fut,
    Fut: Future<Output = Result<ApiResponse, ApiError>>,
{
    respond_with(app, &Idempotency::from_env(), request, handler).await
}

/// One request as [`serve`] answers it: authorized (SPEC §7), then its `Idempotency-Key`
/// claimed (SPEC §8, [`crate::idempotency`]), then handled. Public for the tests of that path.
#[doc(hidden)]
pub async fn respond_with<F, Fut>(
    app: App,
    idempotency: &Idempotency,
    mut request: ApiRequest,
    handler: F,
) -> lambda_http::Response<lambda_http::Body>
where
    F: Fn(App, ApiRequest) -> Fut,
    Fut: Future<Output = Result<ApiResponse, ApiError>>,
{
    let correlation_id = request.correlation_id.clone();
    let (method, path) = (request.method.clone(), request.path.clone());
    let route_key = request.route_key.clone();
    let role = |request: &ApiRequest| request.caller().map_or("none", |c| c.role.as_str());
    let response = match request.authorize() {
        Err(error) => error_response(error),
        Ok(()) => match idempotency.begin(&app.dynamodb, &request).await {
            Begin::Answer(response) => response,
            Begin::Refuse(error) => error_response(error),
            Begin::Run(claim) => {
                let (caller_role, owed) = (role(&request), request.subject_check.clone());
                let list = request.cursor_scope();
                let outcome = claim.run(|| handler(app, request)).await;
                let response = match outcome {
                    // A route bound to the resource's subject whose function never checked it.
                    Ok(response) if owed.as_ref().is_some_and(|check| !check.is_done()) => {
                        tracing::error!(%method, %path, caller_role, status = response.status(),
                            "the function did not check the resource's subject: refused");
                        error_response(forbidden("this resource is not open to this caller"))
                    }
                    Ok(response) => response.with_sealed_cursor(&list),
                    Err(error) => {
                        if let ApiError::Internal(message) = &error {
                            tracing::error!(%method, %path, %correlation_id, message, "request failed");
                        }
                        error_response(error)
                    }
                };
                claim.finish(response).await
            }
        },
    };
    tracing::info!(%method, %path, status = response.status(), %correlation_id, "handled");
    count_request(&route_key, response.status());
    response.into_lambda(&correlation_id)
}

/// SPEC §9: one `Commands` per answered request (commands and queries alike), by API Gateway's
/// route key (never the raw path: ids and plates make no dimension) and the answer's status
/// class. One EMF line on standard output; CloudWatch makes the metric of it.
fn count_request(route_key: &str, status: u16) {
    answered(route_key, status).emit();
}

fn answered(route_key: &str, status: u16) -> Metrics {
    let mut answered = Metrics::new();
    answered.count(
        metrics::COMMANDS,
        &[
            (metrics::ROUTE, route_key),
            (metrics::OUTCOME, metrics::status_class(status)),
        ],
        1,
    );
    answered
}

/// The SPEC §2 error answer; a 401 says how to authenticate (RFC 6750).
fn error_response(error: ApiError) -> ApiResponse {
    let response = ApiResponse::json(error.status(), error.body());
    if let Some(seconds) = error.retry_after() {
        return response.header(lambda_http::http::header::RETRY_AFTER, seconds.to_string());
    }
    if error.status() == 401 {
        response.header(
            lambda_http::http::header::WWW_AUTHENTICATE,
            "Bearer".to_owned(),
        )
    } else {
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_answer_counts_by_route_key_and_status_class() {
        let documents = answered("POST /radars/{radar_id}/detections", 422).documents(7);
        assert_eq!(documents.len(), 1);
        let document = &documents[0];
        assert_eq!(document["Route"], "POST /radars/{radar_id}/detections");
        assert_eq!(document["Outcome"], "4xx");
        assert_eq!(document["Commands"], 1);
        assert_eq!(
            document["_aws"]["CloudWatchMetrics"][0]["Dimensions"],
            serde_json::json!([["Route", "Outcome"]])
        );
    }
}
