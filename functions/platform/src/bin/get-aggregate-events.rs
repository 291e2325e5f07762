//! GET /aggregates/{aggregate_type}/{aggregate_id}/events?from_version=&to_version=: one
//! stream, oldest first, paged.

use es_core::StreamId;
use http_api::{serve, ApiError, ApiResponse};
use platform_functions::aggregates::AGGREGATE_TYPES;

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    serve("get-aggregate-events", |app, request| async move {
        let aggregate_type = request.path_parameter("aggregate_type")?;
        let aggregate_id = request.path_parameter("aggregate_id")?;
        if !AGGREGATE_TYPES.contains(&aggregate_type) {
            return Err(ApiError::not_found("aggregate type", aggregate_type));
        }
        let (from, to) = request.query_input(&["from_version", "to_version"], |input| {
            let from = input.opt_version("from_version", 1);
            let to = input.opt_version("to_version", 1);
            if let (Some(from), Some(to)) = (from, to) {
                if from > to {
                    input.problem("to_version", "must not be below from_version");
                }
            }
            (from, to)
        })?;
        let page = request.page()?;
        let stream = StreamId::new(aggregate_type, aggregate_id);
        let store = app.store()?;
        let events = store
            .stream_page(
                &stream,
                from.unwrap_or(1),
                to,
                page.limit,
                page.cursor.as_deref(),
            )
            .await?;
        if events.items.is_empty() && store.read_stream(&stream, 1, Some(1)).await?.is_empty() {
            return Err(ApiError::not_found(aggregate_type, aggregate_id));
        }
        Ok(ApiResponse::ok(events))
    })
    .await
}
