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
            let version = |input: &mut es_core::Input<'_>, field: &str| {
                input
                    .opt_string(field, 1..=20)
                    .and_then(|v| match v.parse::<u64>() {
                        Ok(v) if v >= 1 => Some(v),
                        _ => {
                            input.problem(field, "must be an integer of at least 1");
                            None
                        }
                    })
            };
            (version(input, "from_version"), version(input, "to_version"))
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
