//! The platform's query routes, over the event store and the published contract: each an
//! `async fn(&App, ApiRequest)`, which its binary serves with `http_api::main!`.

use es_core::StreamId;
use event_store::{EventFilter, PointInTime};
use http_api::{ApiError, ApiRequest, ApiResponse, App};

use crate::aggregates::{rebuild, AGGREGATE_TYPES};
use crate::openapi::document;

/// GET /events?type=&aggregate_type=&correlation_id=: envelopes, newest first, paged.
pub async fn list_events(app: &App, request: ApiRequest) -> Result<ApiResponse, ApiError> {
    let filter = request.query_input(&["type", "aggregate_type", "correlation_id"], |input| {
        EventFilter {
            event_type: input.opt_string("type", 1..=100),
            aggregate_type: input.opt_string("aggregate_type", 1..=100),
            correlation_id: input.opt_string("correlation_id", 1..=128),
        }
    })?;
    let page = request.page()?;
    let events = app
        .store()?
        .query_events(&filter, page.limit, page.cursor.as_deref())
        .await?;
    Ok(ApiResponse::ok(events))
}

/// GET /aggregates/{aggregate_type}/{aggregate_id}/events?from_version=&to_version=: one
/// stream, oldest first, paged.
pub async fn get_aggregate_events(app: &App, request: ApiRequest) -> Result<ApiResponse, ApiError> {
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
}

/// GET /aggregates/{aggregate_type}/{aggregate_id}/state?at_version=|at_time=: the state
/// rebuilt by replaying the stream up to that point (the latest without either).
pub async fn get_aggregate_state(app: &App, request: ApiRequest) -> Result<ApiResponse, ApiError> {
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
}

/// GET /openapi.json: the API's OpenAPI 3.1 contract (SPEC §8), `docs/openapi.yaml` as JSON.
/// Public: the route opts out of the authorizer and its rule is `Grant::Public`.
pub async fn get_openapi(_app: &App, _request: ApiRequest) -> Result<ApiResponse, ApiError> {
    Ok(ApiResponse::ok(document()))
}
