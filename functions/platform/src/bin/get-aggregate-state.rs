//! GET /aggregates/{aggregate_type}/{aggregate_id}/state?at_version=|at_time=: the state
//! rebuilt by replaying the stream up to that point (the latest without either).

use event_store::PointInTime;
use http_api::{serve, ApiError, ApiResponse};
use platform_functions::aggregates::rebuild;

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    serve("get-aggregate-state", |app, request| async move {
        let aggregate_type = request.path_parameter("aggregate_type")?.to_owned();
        let aggregate_id = request.path_parameter("aggregate_id")?.to_owned();
        let point = request.query_input(&["at_version", "at_time"], |input| {
            let version = input.opt_version("at_version", 1);
            let time = input.opt_time("at_time");
            match (version, time) {
                (Some(_), Some(_)) => {
                    input.problem("at_time", "cannot be combined with at_version");
                    None
                }
                (Some(v), None) => Some(PointInTime::Version(v)),
                (None, time) => time.map(PointInTime::Time),
            }
        })?;
        let rebuilt = rebuild(app.store()?, &aggregate_type, &aggregate_id, point)
            .await?
            .ok_or_else(|| ApiError::not_found(&aggregate_type, &aggregate_id))?;
        Ok(ApiResponse::ok(serde_json::json!({
            "aggregate_type": aggregate_type,
            "aggregate_id": aggregate_id,
            "version": rebuilt.version,
            "state": rebuilt.state,
        }))
        .etag(rebuilt.version))
    })
    .await
}
