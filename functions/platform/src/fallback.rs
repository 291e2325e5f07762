//! The `$default` route, served with `http_api::main!` by `route-not-found`.

use es_core::{Rejection, RejectionKind};
use http_api::access::allowed_methods;
use http_api::{ApiError, ApiRequest, ApiResponse, App};

/// The `$default` route: whatever no route matched. 405 with `Allow` when the path exists with
/// other methods, 404 otherwise, both in the SPEC §2 error format.
pub async fn route_not_found(_app: &App, request: ApiRequest) -> Result<ApiResponse, ApiError> {
    let allowed = allowed_methods(&request.path);
    let rejection = if allowed.is_empty() {
        Rejection::new(
            RejectionKind::NotFound,
            "not_found",
            format!("no resource at {}", request.path),
        )
    } else {
        Rejection::new(
            RejectionKind::MethodNotAllowed,
            "method_not_allowed",
            format!("{} accepts {}", request.path, allowed.join(", ")),
        )
    };
    let error = ApiError::from(rejection);
    let response = ApiResponse::json(error.status(), error.body());
    Ok(if allowed.is_empty() {
        response
    } else {
        response.header(lambda_http::http::header::ALLOW, allowed.join(", "))
    })
}
