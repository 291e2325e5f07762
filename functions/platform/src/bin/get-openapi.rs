//! GET /openapi.json: the API's OpenAPI 3.1 contract (SPEC §8), `docs/openapi.yaml` as JSON.
//! Public: the route opts out of the authorizer and its rule is `Grant::Public`.

use http_api::{serve, ApiResponse};
use platform_functions::openapi::document;

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    serve("get-openapi", |_app, _request| async move {
        Ok(ApiResponse::ok(document()))
    })
    .await
}
